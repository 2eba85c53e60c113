import Foundation
import JSON
import Logging
import Synchronization

/// How `forescale run` writes its logs.
public enum LogFormat: String, Sendable, CaseIterable {
    /// `2026-11-27T10:00:00Z info forescale: message key=value`, for a terminal.
    case text
    /// One JSON object per line: `{"time":…,"level":…,"label":…,"message":…,"metadata":{…}}`.
    case json
}

/// A swift-log handler writing one JSON object per line to stderr (or any sink).
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String
    let sink: @Sendable (String) -> Void

    public init(label: String, sink: @escaping @Sendable (String) -> Void = JSONLogHandler.standardError) {
        self.label = label
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Keys in sorted order (`label`, `level`, `message`, `metadata`, `time`), written by hand: a
    /// formatter or `JSONSerialization` per line cost more than the decision it reports.
    public func log(event: LogEvent) {
        var line = #"{"label":"#
        JSONText.appendString(label, to: &line)
        line += #","level":"#
        JSONText.appendString(event.level.rawValue, to: &line)
        line += #","message":"#
        JSONText.appendString(event.message.description, to: &line)
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        if !merged.isEmpty {
            line += #","metadata":"#
            JSONText.append(.dictionary(merged), to: &line)
        }
        line += #","time":""#
        line += Self.timestamp(Date().timeIntervalSince1970)
        line += #""}"#
        sink(line)
    }

    /// `2026-11-27T23:12:01.219Z`: UTC, rounded to the millisecond.
    public static func timestamp(_ seconds: Double) -> String { JSONText.timestamp(seconds) }
}

/// Minimal JSON text writing for log lines.
enum JSONText {
    static func append(_ value: Logger.MetadataValue, to out: inout String) {
        switch value {
        case .string(let text): appendString(text, to: &out)
        case .stringConvertible(let value): appendString(value.description, to: &out)
        case .array(let values):
            out += "["
            for (index, element) in values.enumerated() {
                if index > 0 { out += "," }
                append(element, to: &out)
            }
            out += "]"
        case .dictionary(let values):
            out += "{"
            for (index, key) in values.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                appendString(key, to: &out)
                out += ":"
                append(values[key]!, to: &out)
            }
            out += "}"
        }
    }

    /// A JSON string literal (RFC 8259 escapes).
    static func appendString(_ text: String, to out: inout String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 2)
        JSONEscaping.appendQuoted(text, to: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// `2026-11-27T23:12:01.219Z`: UTC, rounded to the millisecond.
    static func timestamp(_ seconds: Double) -> String {
        let totalMillis = Int64((seconds * 1000).rounded())
        var whole = time_t(totalMillis.quotientAndRemainder(dividingBy: 1000).quotient)
        var millis = Int(totalMillis - Int64(whole) * 1000)
        if millis < 0 { whole -= 1; millis += 1000 }
        var parts = tm()
        gmtime_r(&whole, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis), 3))Z"
    }
}

/// Bootstraps swift-log once per process for the chosen format.
public enum LoggingSetup {
    private static let done = Mutex(false)

    public static func bootstrap(_ format: LogFormat, level: Logger.Level = .info) {
        let first = done.withLock { value in
            defer { value = true }
            return !value
        }
        guard first else { return }
        LoggingSystem.bootstrap { label in
            switch format {
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            case .json:
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}
