import Controller
import Foundation
import Logging
import Synchronization
import Testing

@Suite("JSON log lines")
struct LogFormatTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    /// Every line is one JSON object whose fields read back exactly, escapes and all.
    @Test func linesParseBackExactly() throws {
        let sink = Lines()
        var logger = Logger(label: "forescale \"test\"") { label in JSONLogHandler(label: label, sink: { sink.append($0) }) }
        logger[metadataKey: "target"] = "orders"
        let message = "w1 [live] 2→4: \"quoted\" back\\slash/slash\nnew line\ttab \u{01} ünïcödé 🚀"
        logger.info(
            "\(message)",
            metadata: ["nested": ["list": ["a", "b\n"], "n": "\(42)"], "target": "payments"])
        logger.debug("below the level: not written")

        let lines = sink.all
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(!line.contains("\n"), "one physical line")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["label"] as? String == "forescale \"test\"")
        #expect(object["level"] as? String == "info")
        #expect(object["message"] as? String == message)
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["target"] as? String == "payments", "the event's metadata wins over the logger's")
        let nested = try #require(metadata["nested"] as? [String: Any])
        #expect(nested["list"] as? [String] == ["a", "b\n"])
        #expect(nested["n"] as? String == "42")
        let time = try #require(object["time"] as? String)
        #expect(time.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(time)")
        #expect(Array(object.keys).sorted() == ["label", "level", "message", "metadata", "time"])
    }

    @Test(arguments: [
        (0.0, "1970-01-01T00:00:00.000Z"),
        (1_700_000_000.5, "2023-11-14T22:13:20.500Z"),
        (1_795_820_399.9996, "2026-11-27T23:00:00.000Z"), (1_795_820_399.9994, "2026-11-27T22:59:59.999Z"),
        (951_782_400.042, "2000-02-29T00:00:00.042Z"),
    ])
    func timestamps(seconds: Double, text: String) {
        #expect(JSONLogHandler.timestamp(seconds) == text)
    }
}
