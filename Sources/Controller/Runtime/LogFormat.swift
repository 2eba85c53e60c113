import Foundation
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

    public func log(event: LogEvent) {
        var object: [String: Any] = [
            "time": ISO8601DateFormatter.string(from: Date(), timeZone: .gmt, formatOptions: [.withInternetDateTime, .withFractionalSeconds]),
            "level": event.level.rawValue,
            "label": label,
            "message": event.message.description,
        ]
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        if !merged.isEmpty { object["metadata"] = merged.mapValues { Self.plain($0) } }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]),
              let line = String(data: data, encoding: .utf8) else { return }
        sink(line)
    }

    static func plain(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let value): value.description
        case .array(let values): values.map(plain)
        case .dictionary(let values): values.mapValues(plain)
        }
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
