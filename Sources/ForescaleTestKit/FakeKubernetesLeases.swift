import Foundation
import Orchestrators

extension FakeKubernetesState {
    func leaseRoute(_ request: RecordedRequest, namespace: String, name: String?) -> CannedResponse {
        let verb: String
        switch (request.method, name) {
        case ("GET", .some): verb = "get"
        case ("POST", nil): verb = "create"
        case ("PUT", .some): verb = "update"
        default:
            return FakeStatus.body(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource")
        }
        let leaseName = name ?? (try? JSONDecoder().decode(Lease.self, from: Data(request.body)))?.metadata.name ?? ""
        if let denied = forbiddenLease(verb: verb, namespace: namespace, name: leaseName) { return denied }
        let key = "\(namespace)/\(leaseName)"
        switch verb {
        case "get":
            guard let lease = leases[key] else { return leaseNotFound(leaseName) }
            return .json(200, encode(lease))
        case "create":
            guard var lease = try? JSONDecoder().decode(Lease.self, from: Data(request.body)) else {
                return FakeStatus.body(code: 400, reason: "BadRequest", message: "invalid Lease body")
            }
            if leases[key] != nil {
                return FakeStatus.body(
                    code: 409, reason: "AlreadyExists", message: "leases.coordination.k8s.io \"\(leaseName)\" already exists", name: leaseName,
                    group: "coordination.k8s.io", kind: "leases")
            }
            lease.metadata.namespace = namespace
            lease.metadata.resourceVersion = String(bump())
            leases[key] = lease
            return .json(201, encode(lease))
        default:
            guard var lease = try? JSONDecoder().decode(Lease.self, from: Data(request.body)) else {
                return FakeStatus.body(code: 400, reason: "BadRequest", message: "invalid Lease body")
            }
            guard let stored = leases[key] else { return leaseNotFound(leaseName) }
            guard lease.metadata.resourceVersion == stored.metadata.resourceVersion else {
                return FakeStatus.body(
                    code: 409, reason: "Conflict",
                    message:
                        "Operation cannot be fulfilled on leases.coordination.k8s.io \"\(leaseName)\": the object has been modified; please apply your changes to the latest version and try again",
                    name: leaseName, group: "coordination.k8s.io", kind: "leases")
            }
            lease.metadata.namespace = namespace
            lease.metadata.resourceVersion = String(bump())
            leases[key] = lease
            return .json(200, encode(lease))
        }
    }

    private func leaseNotFound(_ name: String) -> CannedResponse {
        FakeStatus.body(
            code: 404, reason: "NotFound", message: "leases.coordination.k8s.io \"\(name)\" not found", name: name, group: "coordination.k8s.io", kind: "leases"
        )
    }

    private func forbiddenLease(verb: String, namespace: String, name: String) -> CannedResponse? {
        guard let allowed, !allowed.contains("\(verb) leases") else { return nil }
        return FakeStatus.body(
            code: 403, reason: "Forbidden",
            message:
                "leases.coordination.k8s.io \"\(name)\" is forbidden: User \"system:serviceaccount:forescale:forescale\" cannot \(verb) resource \"leases\" in API group \"coordination.k8s.io\" in the namespace \"\(namespace)\"",
            name: name, group: "coordination.k8s.io", kind: "leases"
        )
    }

    private func encode(_ lease: Lease) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(lease)) ?? Data(), as: UTF8.self)
    }
}
