import Foundation

/// A fault the fake API server injects into matching requests.
public struct FakeKubernetesFault: Sendable {
    public enum Action: Sendable {
        /// Answer with a `Status` of this code (and `Retry-After` for 429/503 when given).
        case status(Int, retryAfter: Int? = nil)
        /// Another writer changes the object just before this request is handled (a real stale-version 409).
        case concurrentWrite
        /// Wait this many real seconds before answering (for client timeouts).
        case delay(Double)
    }

    public var method: String?
    public var pathContains: String?
    /// Matches only requests whose query string contains this (e.g. `watch=`).
    public var queryContains: String?
    public var action: Action
    /// How many matching requests it hits.
    public var remaining: Int

    public init(method: String? = nil, pathContains: String? = nil, queryContains: String? = nil, action: Action, times: Int = 1) {
        self.method = method
        self.pathContains = pathContains
        self.queryContains = queryContains
        self.action = action
        self.remaining = times
    }

    func matches(_ request: RecordedRequest) -> Bool {
        (method == nil || method == request.method) && (pathContains.map { request.path.contains($0) } ?? true)
            && (queryContains.map { (request.query ?? "").contains($0) } ?? true)
    }
}

/// `Status` bodies shaped like the real API server's.
enum FakeStatus {
    static func body(
        code: Int, reason: String, message: String, name: String? = nil, group: String? = nil, kind: String? = nil, retryAfter: Int? = nil
    ) -> CannedResponse {
        var details: [String: Any] = [:]
        if let name { details["name"] = name }
        if let group { details["group"] = group }
        if let kind { details["kind"] = kind }
        if let retryAfter { details["retryAfterSeconds"] = retryAfter }
        let object: [String: Any] = [
            "kind": "Status", "apiVersion": "v1", "metadata": [String: Any](),
            "status": "Failure", "message": message, "reason": reason, "details": details, "code": code,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        var headers: [String: String] = [:]
        if let retryAfter { headers["Retry-After"] = String(retryAfter) }
        return .json(code, String(decoding: data, as: UTF8.self), headers: headers)
    }

    static func reason(for code: Int) -> String {
        switch code {
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "NotFound"
        case 405: "MethodNotAllowed"
        case 409: "Conflict"
        case 410: "Expired"
        case 415: "UnsupportedMediaType"
        case 422: "Invalid"
        case 429: "TooManyRequests"
        case 500: "InternalError"
        case 503: "ServiceUnavailable"
        case 504: "Timeout"
        default: "Unknown"
        }
    }
}
