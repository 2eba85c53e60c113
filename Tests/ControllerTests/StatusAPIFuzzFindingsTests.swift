@testable import Controller
@testable import DecisionStorage
@testable import StatusAPI
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// What schemathesis (scripts/api/schemathesis.sh) checks, kept here so it cannot come back: every
/// value the OpenAPI document allows is accepted, every value it forbids is refused, and
/// cross-parameter rules the document cannot state do not turn valid requests into 400s.
@Suite("Status API accepts exactly what its OpenAPI document allows")
struct StatusAPIFuzzFindingsTests {
    private static func pattern(_ schema: [String: Any]) throws -> NSRegularExpression {
        let text = try #require(schema["pattern"] as? String)
        return try NSRegularExpression(pattern: text)
    }

    /// A match as JSON Schema (ECMA-262) means it: these patterns are anchored with `^…$`, and `$`
    /// is the end of the text, not also before a final newline as in ICU, so the match must cover it all.
    private static func matches(_ regex: NSRegularExpression, _ text: String) -> Bool {
        let whole = NSRange(text.startIndex..., in: text)
        return regex.firstMatch(in: text, range: whole)?.range == whole
    }

    private static func windowPattern(_ document: OpenAPIDocument) throws -> NSRegularExpression {
        let operation = try document.operation("GET", "/v1/targets/{name}")
        let parameters = try #require(operation["parameters"] as? [[String: Any]])
        let window = try #require(parameters.first { $0["name"] as? String == "window" })
        return try pattern(try #require(window["schema"] as? [String: Any]))
    }

    private static func overrideDurationPattern(_ document: OpenAPIDocument) throws -> NSRegularExpression {
        let schemas = try #require((document.root["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let request = try #require(schemas["OverrideRequest"] as? [String: Any])
        let properties = try #require(request["properties"] as? [String: Any])
        return try pattern(try #require(properties["duration"] as? [String: Any]))
    }

    private static func cursorPattern(_ document: OpenAPIDocument) throws -> NSRegularExpression {
        let operation = try document.operation("GET", "/v1/decisions")
        let parameters = try #require(operation["parameters"] as? [[String: Any]])
        let cursor = try #require(parameters.first { $0["name"] as? String == "cursor" })
        return try pattern(try #require(cursor["schema"] as? [String: Any]))
    }

    /// Durations around every bound in every unit, and shapes the config accepts but the API does not.
    private static var durationSamples: [String] {
        var samples = [
            "", "h", "1", "0s", "00h", "01h", "024h", "1h30m", "1.5h", "90m ", " 90m", "90m\n", "60000ms", "1H", "1e2m", "+5m", "-5m",
            "١h", "99999999999d", "9999999999d",
        ]
        for (unit, size) in [("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)] {
            for bound in [60, 3600, 7 * 86_400, 14 * 86_400] {
                let value = bound / size
                for candidate in [value - 1, value, value + 1] where candidate >= 0 {
                    samples.append("\(candidate)\(unit)")
                }
            }
            samples += (1...30).map { "\($0)\(unit)" }
        }
        return samples
    }

    @Test func windowAcceptsExactlyItsPattern() throws {
        let regex = try Self.windowPattern(OpenAPIDocument())
        for text in Self.durationSamples {
            let accepted = StatusAPI.apiDuration(text, range: StatusAPI.windowRange) != nil
            #expect(accepted == Self.matches(regex, text), "window '\(text)': accepted \(accepted)")
        }
    }

    @Test func overrideDurationAcceptsExactlyItsPattern() throws {
        let regex = try Self.overrideDurationPattern(OpenAPIDocument())
        for text in Self.durationSamples {
            let accepted = StatusAPI.apiDuration(text, range: StatusAPI.overrideDurationRange) != nil
            #expect(accepted == Self.matches(regex, text), "duration '\(text)': accepted \(accepted)")
        }
        #expect(StatusAPI.apiDuration("90m", range: StatusAPI.overrideDurationRange) == 5400)
        #expect(StatusAPI.apiDuration("7d", range: StatusAPI.overrideDurationRange) == 604_800)
    }

    /// Every cursor of the document's shape reaches the log (which reads it as a position); the
    /// log's own cursors have that shape.
    @Test func cursorAcceptsExactlyItsPattern() throws {
        let regex = try Self.cursorPattern(OpenAPIDocument())
        let samples = [
            "1795773600.25:42", "1795773600.0:0", "0.0:1", "1e-05:3", "5e-324:1", "1.5e+15:2", "12:1", "9999999999999999:999999999999999999",
            "c1", "", ":", "1:", ":1", "1.:2", ".5:2", "12e-05:1", "1e5:1", "1e+308:1", "1:-2", "-1:2", "1:99999999999999999999",
            "1795773600.25:42 ", "1795773600.25:42\n", "inf:1", "nan:1", "0x10:1", "1:2:3",
        ]
        for text in samples {
            #expect(StatusAPI.isCursor(text) == Self.matches(regex, text), "cursor '\(text)'")
            if StatusAPI.isCursor(text) {
                #expect(DecisionLog.parseCursor(text) != nil, "cursor '\(text)' matches the pattern but the log refuses it")
            }
        }
        for time in [0.0, 1e-5, 1_795_773_600.25, 1_795_773_600, 123.456789012345] {
            let cursor = DecisionLog.cursor(time: time, id: 42)
            #expect(Self.matches(regex, cursor), "the log's own cursor '\(cursor)' breaks the pattern")
        }
    }

    /// `since` and `until` are bounded by 99999999999 in the document; 99999999999.5 was accepted.
    @Test func timeBounds() {
        #expect(APITime.parseTime("99999999999") == 99_999_999_999)
        #expect(APITime.parseTime("99999999999.5") == nil)
        #expect(APITime.parseTime("0") == 0)
    }

    /// `until` not after `since` is an empty range, not a 400: the document cannot relate the two,
    /// so a request valid against it must succeed.
    @Test func untilBeforeSinceIsAnEmptyRangeNotAnError() async throws {
        let backend = FakeStatusBackend(full: true)
        let api = StatusAPI(
            backend: backend, auth: APIAuth(token: "t"), metrics: ControllerMetrics(), logger: Logger(label: "test.fuzz"), port: 0)
        try await api.makeApplication().test(.router) { client in
            try await client.execute(uri: "/v1/decisions?since=1800000000&until=1700000000", method: .get) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
            }
        }
        #expect(await backend.calls == [.decisions(DecisionQuery(sinceSeconds: 1_800_000_000, untilSeconds: 1_700_000_000))])
    }

    /// A pin above the target's replicas.max is a 409 (documented), not a 400 for a body the
    /// document allows.
    @Test func conflictMapsTo409() {
        let response = APIError(ControlError(.conflict, parameter: "replicas", "must be 0–20 (replicas.max), got 99")).response()
        #expect(response.status == .conflict)
    }
}
