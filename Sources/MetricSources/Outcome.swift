import Planner

/// Why a fetch produced no value. The set is closed on purpose: `rawValue` is used as a
/// Prometheus label (`forescale_source_errors_total{kind="timeout"}`), so it must stay bounded.
public enum FetchErrorKind: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    /// The deadline (the tick's, or the endpoint's `timeout`) passed before a full answer.
    case timeout
    /// No connection: refused, reset, DNS, TLS handshake.
    case connection
    /// The server answered with a status outside 2xx (and no more specific reading of it).
    case httpStatus
    /// The body was not what the API documents (HTML, truncated JSON, wrong shape).
    case decode
    /// The upstream said it failed (Prometheus `status: error`, Burrow `error: true`).
    case upstream
    /// A value came back but cannot be used: `NaN`, `±Inf`, negative for a count or rate.
    case invalidValue
    /// The body was larger than the endpoint's limit.
    case tooLarge
    /// The request itself is wrong: unknown group/queue/stream, several series, wrong metric for the source.
    case config
}

/// A failed fetch: a bounded kind plus a message meant for a person.
public struct FetchError: Error, Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    public var kind: FetchErrorKind
    public var message: String
    /// The HTTP status when there was one.
    public var httpStatus: Int?

    public init(_ kind: FetchErrorKind, _ message: String, httpStatus: Int? = nil) {
        self.kind = kind
        self.message = message
        self.httpStatus = httpStatus
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}

/// The outcome of reading one value. There is no default number anywhere: a value that could
/// not be read is `empty` or `failed`, and the decision core sees it as missing. Whether a value
/// that was read is usable (its age, NaN, negative) is judged once, by the step, for every path.
public enum MetricOutcome: Sendable, Equatable {
    /// A usable value with the Unix time (seconds) it describes.
    case value(Double, timestamp: Double)
    /// The source answered, and there is nothing to read (empty vector, no rate on a first poll).
    case empty(String)
    /// The fetch failed.
    case failed(FetchError)

    /// A short, bounded name of the outcome (`value`, `empty`, `failed`), usable as a label.
    public var kindName: String {
        switch self {
        case .value: "value"
        case .empty: "empty"
        case .failed: "failed"
        }
    }

    /// The number, only when the outcome is a fresh value.
    public var number: Double? {
        if case .value(let v, _) = self { return v }
        return nil
    }

    /// The error, when the outcome is `failed`.
    public var error: FetchError? {
        if case .failed(let e) = self { return e }
        return nil
    }

    /// The error's kind, when the outcome is `failed`.
    public var errorKind: FetchErrorKind? { error?.kind }

    /// The explanation of an `empty` or `failed` outcome (or a short text for the others).
    public var message: String {
        switch self {
        case .value(let v, _): "value \(v)"
        case .empty(let why): why
        case .failed(let e): e.message
        }
    }

    /// The value with its age at `now`, or `nil` (missing). A value whose timestamp lies in the
    /// future (clock skew) gets age 0; the decision core judges whether it is too old.
    public func sample(now: Double) -> Sample<Double>? {
        switch self {
        case .value(let v, let timestamp):
            return Sample(v, ageSeconds: max(0, now - timestamp))
        case .empty, .failed:
            return nil
        }
    }

    /// A one-line text for logs and `probe`.
    public var summary: String {
        switch self {
        case .value(let v, _): "value \(v)"
        case .empty(let why): "empty: \(why)"
        case .failed(let e): "failed (\(e.kind.rawValue)): \(e.message)"
        }
    }
}
