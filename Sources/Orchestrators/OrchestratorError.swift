/// An orchestrator failure with a bounded kind (usable as a Prometheus label) and a message
/// that tells an operator what to fix.
public struct OrchestratorError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case unauthorized
        case forbidden
        case notFound = "not_found"
        case conflict
        case throttled
        case unavailable
        case timeout
        case connection
        case decode
        case config
        case commandFailed = "command_failed"
        case serverError = "server_error"
    }

    public var kind: Kind
    public var message: String
    /// HTTP status when the error came from an HTTP answer.
    public var httpStatus: Int?
    /// Seconds the server asked to wait (`Retry-After`), when it did.
    public var retryAfterSeconds: Double?

    public init(_ kind: Kind, _ message: String, httpStatus: Int? = nil, retryAfterSeconds: Double? = nil) {
        self.kind = kind
        self.message = message
        self.httpStatus = httpStatus
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// The label value for metrics: `kind.rawValue`.
    public var label: String { kind.rawValue }

    /// Whether retrying the same call later may succeed.
    public var isTransient: Bool {
        switch kind {
        case .conflict, .throttled, .unavailable, .timeout, .connection, .serverError: true
        case .unauthorized, .forbidden, .notFound, .decode, .config, .commandFailed: false
        }
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}
