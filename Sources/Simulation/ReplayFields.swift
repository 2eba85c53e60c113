import JSON
import Pipeline

/// A replay line's error: `line 17: lag: must be a number, got "x"`.
public struct ReplayError: Error, CustomStringConvertible, Equatable {
    public var line: Int
    public var field: String?
    public var message: String

    public var description: String {
        if let field { return "line \(line): \(field): \(message)" }
        return "line \(line): \(message)"
    }
}

/// The fields of one JSON object of the replay protocol, read strictly: every field read is
/// checked, and `finish()` rejects any field that was not read.
struct ReplayFields {
    let number: Int
    let prefix: String
    private var object: [String: JSONValue]
    private var read: Set<String> = []

    init(line: String, number: Int) throws(ReplayError) {
        self.number = number
        self.prefix = ""
        let parsed: JSONValue
        do {
            // The metric sources' strict parser: booleans stay apart from numbers; a repeated key keeps the last value.
            parsed = try JSONValue.parse(Array(line.utf8), rejectingDuplicateKeys: false)
        } catch {
            throw ReplayError(line: number, field: nil, message: "not valid JSON")
        }
        guard case .object(let object) = parsed else {
            throw ReplayError(line: number, field: nil, message: "expected a JSON object")
        }
        self.object = object
    }

    init(object: [String: JSONValue], number: Int, prefix: String) {
        self.object = object
        self.number = number
        self.prefix = prefix
    }

    func error(_ field: String, _ message: String) -> ReplayError {
        ReplayError(line: number, field: prefix + field, message: message)
    }

    private mutating func raw(_ key: String) -> JSONValue? {
        read.insert(key)
        return object[key]
    }

    mutating func string(_ key: String) throws(ReplayError) -> String {
        guard let value = raw(key) else { throw error(key, "required") }
        guard case .string(let text) = value else { throw error(key, "must be a string, got \(value.summary)") }
        return text
    }

    mutating func objects(_ key: String) throws(ReplayError) -> [[String: JSONValue]] {
        guard let value = raw(key) else { throw error(key, "required") }
        guard case .array(let list) = value else { throw error(key, "must be a list of objects, got \(value.summary)") }
        var objects: [[String: JSONValue]] = []
        for item in list {
            guard case .object(let object) = item else { throw error(key, "must be a list of objects, got \(item.summary) in it") }
            objects.append(object)
        }
        return objects
    }

    /// A required number: finite, ≥ 0 (and > 0 when `positive`).
    mutating func number(_ key: String, positive: Bool = false) throws(ReplayError) -> Double {
        guard let value = try optionalNumber(key, positive: positive) else { throw error(key, "required") }
        return value
    }

    /// A required key whose value may be `null`: the metric was missing this tick.
    mutating func nullableNumber(_ key: String) throws(ReplayError) -> Double? {
        guard let value = raw(key) else { throw error(key, "required (use null for a value that was missing)") }
        if case .null = value { return nil }
        return try check(key, value, positive: false)
    }

    /// A metric as the live loop sees it: a number (read just now), `null` (the source answered
    /// with no value), `{"value": N, "ageSeconds": A}` (measured A seconds before `t`) or
    /// `{"error": "timeout", "message": "…"}` (the read failed). `nil` when the key is absent
    /// and `required` is false (not configured).
    mutating func metric(_ key: String, required: Bool) throws(ReplayError) -> MetricReport? {
        guard let value = raw(key) else {
            if required { throw error(key, "required (use null for a value that was missing)") }
            return nil
        }
        switch value {
        case .null: return .empty("no value in the replayed observation")
        case .object(let object):
            var inner = ReplayFields(object: object, number: number, prefix: prefix + key + ".")
            if let kind = try inner.optionalString("error") {
                guard !kind.isEmpty, kind.count <= 40, kind.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                    throw inner.error("error", "must be a short error kind such as \"timeout\" (letters, digits, _), got \(quote(kind))")
                }
                let message = try inner.optionalString("message") ?? "replayed failure"
                try inner.finish()
                return .failed(kind: kind, message: message)
            }
            let measured = try inner.number("value")
            let age = try inner.optionalNumber("ageSeconds") ?? 0
            try inner.finish()
            return .value(measured, ageSeconds: age)
        default:
            return .value(try check(key, value, positive: false), ageSeconds: 0)
        }
    }

    mutating func optionalString(_ key: String) throws(ReplayError) -> String? {
        guard let value = raw(key), value != .null else { return nil }
        guard case .string(let text) = value else { throw error(key, "must be a string, got \(value.summary)") }
        return text
    }

    mutating func optionalBool(_ key: String) throws(ReplayError) -> Bool? {
        guard let value = raw(key), value != .null else { return nil }
        guard case .bool(let flag) = value else { throw error(key, "must be true or false, got \(value.summary)") }
        return flag
    }

    mutating func optionalNumber(_ key: String, positive: Bool = false) throws(ReplayError) -> Double? {
        guard let value = raw(key), value != .null else { return nil }
        return try check(key, value, positive: positive)
    }

    mutating func integer(_ key: String) throws(ReplayError) -> Int {
        guard let value = try optionalInteger(key) else { throw error(key, "required") }
        return value
    }

    mutating func optionalInteger(_ key: String) throws(ReplayError) -> Int? {
        guard let value = try optionalNumber(key) else { return nil }
        guard value == value.rounded(), value <= 1_000_000 else {
            throw error(key, "must be a whole number of replicas (0 to 1000000), got \(format(value))")
        }
        return Int(value)
    }

    private func check(_ key: String, _ value: JSONValue, positive: Bool) throws(ReplayError) -> Double {
        guard case .number(let double) = value else { throw error(key, "must be a number, got \(value.summary)") }
        guard double.isFinite, double <= 1e15 else { throw error(key, "must be a finite number ≤ 1e15, got \(format(double))") }
        if positive ? double <= 0 : double < 0 {
            throw error(key, "must be \(positive ? "> 0" : "≥ 0"), got \(format(double))")
        }
        return double
    }

    /// Rejects every field that was not read.
    func finish() throws(ReplayError) {
        let unknown = object.keys.filter { !read.contains($0) }.sorted()
        if let first = unknown.first { throw error(first, "unknown field") }
    }

}

extension JSONValue {
    /// How an error message shows the value.
    var summary: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return String(value)
        case .number(let value): return format(value)
        case .string(let value): return quote(value)
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}
