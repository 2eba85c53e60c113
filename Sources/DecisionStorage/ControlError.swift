/// Why a read of the decision log or a control call cannot be served. The status API maps
/// `kind` to the HTTP status.
public struct ControlError: Error, Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// 404: no such target.
        case notFound
        /// 400: a bad parameter or body field, named in `parameter`.
        case badRequest
        /// 503: the decision log cannot be read, or the controller is stopping.
        case unavailable
        /// 409: a well-formed request that the target's configuration refuses (a pin outside its
        /// `replicas.min`–`replicas.max`).
        case conflict
    }

    public var kind: Kind
    public var parameter: String?
    public var message: String

    public init(_ kind: Kind, parameter: String? = nil, _ message: String) {
        self.kind = kind
        self.parameter = parameter
        self.message = message
    }
}
