import Hummingbird

/// Who may call the status API.
///
/// Mutating routes (POST, DELETE) always need `Authorization: Bearer <token>`; without a configured
/// token they are refused (403), never open. Read routes are open unless `requireTokenForReads`;
/// `/healthz` and `/readyz` are always open.
public struct APIAuth: Sendable, Equatable {
    /// The bearer token (from `controller.status.tokenFile`), or `nil` when none is configured.
    public var token: String?
    /// Whether read routes need the token too.
    public var requireTokenForReads: Bool

    /// - Parameters:
    ///   - token: the bearer token, or `nil` when none is configured (mutations are then refused).
    ///   - requireTokenForReads: whether read routes need the token too.
    public init(token: String?, requireTokenForReads: Bool = false) {
        self.token = token
        self.requireTokenForReads = requireTokenForReads
    }

    /// No token: reads open, mutations refused.
    public static let none = APIAuth(token: nil)

    /// What a request's `Authorization` header amounts to for a route that needs the token.
    enum Verdict: Equatable {
        case allowed
        /// 401: no header, or not a bearer credential.
        case missing
        /// 403: a bearer token that is not the configured one.
        case wrongToken
        /// 403: no token is configured, so nothing that needs one is allowed.
        case notConfigured
    }

    /// Checks `headers` for a route of the given access level.
    func verdict(for access: StatusAPI.Access, headers: HTTPFields) -> Verdict {
        switch access {
        case .open: return .allowed
        case .read where !requireTokenForReads: return .allowed
        case .read, .write: break
        }
        guard let token else { return .notConfigured }
        guard let header = headers[.authorization] else { return .missing }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return .missing }
        let presented = parts[1].trimmingSpaces()
        return Self.constantTimeEqual(Array(presented.utf8), Array(token.utf8)) ? .allowed : .wrongToken
    }

    /// Compares every byte up to the longer length, without an early exit, so the time taken does
    /// not tell how much of a guess was right.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt64(truncatingIfNeeded: a.count ^ b.count)
        for index in 0..<max(a.count, b.count) {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= UInt64(x ^ y)
        }
        return difference == 0
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
