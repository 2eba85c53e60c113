import Foundation
import NIOHTTP1

/// The `Status` object the API server returns with an error.
struct KubernetesStatus: Decodable {
    struct Details: Decodable {
        var name: String?
        var group: String?
        var kind: String?
        var retryAfterSeconds: Double?
    }
    var message: String?
    var reason: String?
    var code: Int?
    var details: Details?
}

extension KubernetesClient {
    static func error(for call: KubernetesAPICall, status: Int, headers: HTTPHeaders, body: [UInt8], source: String) -> OrchestratorError {
        let parsed = try? JSONDecoder().decode(KubernetesStatus.self, from: Data(body))
        let serverSaid = parsed?.message.map { " API server said: \($0)" } ?? ""
        let groupText = call.group.isEmpty ? "\"\" (core)" : "\"\(call.group)\""
        let object = call.name.map { "\(call.resource.split(separator: "/").first ?? "") \"\($0)\"" } ?? call.resource
        let request = "\(call.method.rawValue) \(call.path)"
        switch status {
        case 401:
            return OrchestratorError(
                .unauthorized,
                "401 Unauthorized on \(request): the API server rejected the credentials from \(source) (token expired, revoked or for another cluster, or client certificate not trusted); refresh the token or certificate.\(serverSaid)",
                httpStatus: status
            )
        case 403:
            return OrchestratorError(
                .forbidden,
                "403 Forbidden on \(request): RBAC must allow verb \"\(call.verb)\" on resource \"\(call.resource)\" in apiGroup \(groupText) \(call.namespace.isEmpty ? "at the cluster scope (every namespace)" : "in namespace \"\(call.namespace)\"") for the identity from \(source); add the rule to the \(call.namespace.isEmpty ? "ClusterRole" : "Role") bound to Forescale's service account (see Deploy/kubernetes/rbac.yaml).\(serverSaid)",
                httpStatus: status
            )
        case 404:
            return OrchestratorError(
                .notFound,
                "404 Not Found on \(request): \(object) does not exist in namespace \"\(call.namespace)\" (or apiGroup \(groupText) does not serve \"\(call.resource)\"); check the target's kind, namespace and name.\(serverSaid)",
                httpStatus: status
            )
        case 409:
            return OrchestratorError(
                .conflict, "409 Conflict on \(request): \(object) in namespace \"\(call.namespace)\" changed concurrently.\(serverSaid)", httpStatus: status)
        case 429:
            let wait = HTTPSupport.retryAfter(headers) ?? parsed?.details?.retryAfterSeconds
            return OrchestratorError(
                .throttled,
                "429 Too Many Requests on \(request): the API server is rate limiting (API priority and fairness); retry after \(wait.map { "\($0) s" } ?? "a while").\(serverSaid)",
                httpStatus: status, retryAfterSeconds: wait)
        case 503:
            let wait = HTTPSupport.retryAfter(headers) ?? parsed?.details?.retryAfterSeconds
            return OrchestratorError(
                .unavailable, "503 Service Unavailable on \(request): the API server is not ready.\(serverSaid)", httpStatus: status, retryAfterSeconds: wait)
        case 504:
            return OrchestratorError(.timeout, "504 Gateway Timeout on \(request).\(serverSaid)", httpStatus: status)
        default:
            return OrchestratorError(.serverError, "HTTP \(status) on \(request).\(serverSaid)", httpStatus: status)
        }
    }
}
