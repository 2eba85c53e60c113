import Foundation
import Orchestrators

/// A scalable workload the fake API server keeps.
public struct FakeWorkload: Sendable, Equatable {
    public var group: String
    public var version: String
    public var resource: String
    public var namespace: String
    public var name: String
    public var replicas: Int
    public var readyReplicas: Int
    public var resourceVersion: Int
    /// When false, `status.readyReplicas` is omitted (as a custom resource may do).
    public var reportsReadyReplicas = true
}

actor FakeKubernetesState {
    var acceptedTokens: Set<String>
    var workloads: [String: FakeWorkload] = [:]
    var leases: [String: Lease] = [:]
    var faults: [FakeKubernetesFault] = []
    var requests: [RecordedRequest] = []
    var nextResourceVersion = 100
    /// RBAC: when non-nil, only these (verb, resource) pairs are allowed.
    var allowed: Set<String>?
    /// Workload changes in order, for watches (see FakeKubernetesWatch.swift).
    var history: [FakeWatchEvent] = []
    /// Versions up to this one are compacted away: a watch resuming from one of them gets 410.
    var compactedThrough = 0
    var watchers: [Int: FakeWatcher] = [:]
    var nextWatcherID = 0

    init(acceptedTokens: Set<String>) {
        self.acceptedTokens = acceptedTokens
    }

    static func key(_ group: String, _ resource: String, _ namespace: String, _ name: String) -> String {
        "\(group)|\(resource)|\(namespace)|\(name)"
    }

    func bump() -> Int {
        nextResourceVersion += 1
        return nextResourceVersion
    }

    func put(_ workload: FakeWorkload) {
        var workload = workload
        workload.resourceVersion = bump()
        let key = Self.key(workload.group, workload.resource, workload.namespace, workload.name)
        let existed = workloads[key] != nil
        workloads[key] = workload
        record(existed ? "MODIFIED" : "ADDED", workload)
    }

    /// Changes a stored workload as a write to the API server does: a new resourceVersion and a
    /// `MODIFIED` event for watches. `nil` when there is no such workload.
    @discardableResult
    func modify(_ key: String, _ change: (inout FakeWorkload) -> Void = { _ in }) -> FakeWorkload? {
        guard var workload = workloads[key] else { return nil }
        change(&workload)
        workload.resourceVersion = bump()
        workloads[key] = workload
        record("MODIFIED", workload)
        return workload
    }

    func handle(_ request: RecordedRequest) async throws -> CannedResponse {
        requests.append(request)
        var delay: Double?
        if let index = faults.firstIndex(where: { $0.remaining > 0 && $0.matches(request) }) {
            faults[index].remaining -= 1
            switch faults[index].action {
            case .status(let code, let retryAfter):
                return FakeStatus.body(code: code, reason: FakeStatus.reason(for: code), message: "injected fault \(code)", retryAfter: retryAfter)
            case .concurrentWrite:
                concurrentWrite(path: request.path)
            case .delay(let seconds):
                delay = seconds
            }
        }
        if let delay { try await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000)) }
        if !acceptedTokens.isEmpty {
            let header = request.header("Authorization") ?? ""
            let token = header.hasPrefix("Bearer ") ? String(header.dropFirst(7)) : ""
            guard acceptedTokens.contains(token) else {
                return FakeStatus.body(code: 401, reason: "Unauthorized", message: "Unauthorized")
            }
        }
        return route(request)
    }

    private func concurrentWrite(path: String) {
        for (key, workload) in workloads where path.contains("/\(workload.resource)/\(workload.name)") {
            modify(key)
        }
        for (key, lease) in leases where path.hasSuffix("/leases/\(lease.metadata.name)") {
            leases[key]?.metadata.resourceVersion = String(bump())
        }
    }

    private func route(_ request: RecordedRequest) -> CannedResponse {
        let parts = request.path.split(separator: "/").map(String.init)
        // /apis/{group}/{version}/namespaces/{ns}/{resource}[/{name}[/scale]]  or  /api/v1/namespaces/...
        let group: String
        let rest: ArraySlice<String>
        if parts.first == "apis", parts.count >= 3 {
            group = parts[1]
            rest = parts[3...]
        } else if parts.first == "api", parts.count >= 2 {
            group = ""
            rest = parts[2...]
        } else {
            return notFound(request, message: "the server could not find the requested resource")
        }
        let segments = Array(rest)
        guard segments.count >= 3, segments[0] == "namespaces" else {
            return notFound(request, message: "the server could not find the requested resource")
        }
        let namespace = segments[1]
        let resource = segments[2]
        if segments.count == 3, request.method == "GET", resource != "leases" {
            return collectionRoute(request, group: group, version: parts.first == "apis" ? parts[2] : parts[1], resource: resource, namespace: namespace)
        }
        let name = segments.count > 3 ? segments[3] : nil
        let subresource = segments.count > 4 ? segments[4] : nil
        if group == "coordination.k8s.io", resource == "leases" {
            return leaseRoute(request, namespace: namespace, name: name)
        }
        guard let name, subresource == nil || subresource == "scale", segments.count <= 5 else {
            return notFound(request, message: "the server could not find the requested resource")
        }
        let rbacResource = subresource.map { "\(resource)/\($0)" } ?? resource
        let verb = request.method == "GET" ? "get" : request.method == "PATCH" ? "patch" : request.method.lowercased()
        if let denied = forbidden(verb: verb, resource: rbacResource, group: group, namespace: namespace, name: name) { return denied }
        let key = Self.key(group, resource, namespace, name)
        guard let workload = workloads[key] else {
            return FakeStatus.body(
                code: 404, reason: "NotFound", message: "\(resource).\(group) \"\(name)\" not found", name: name, group: group, kind: resource)
        }
        switch (request.method, subresource) {
        case ("GET", "scale"):
            return .json(200, scaleJSON(workload))
        case ("GET", nil):
            return .json(200, workloadJSON(workload))
        case ("PATCH", "scale"):
            return patchScale(request, key: key, workload: workload)
        default:
            return FakeStatus.body(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource")
        }
    }

    private func notFound(_ request: RecordedRequest, message: String) -> CannedResponse {
        FakeStatus.body(code: 404, reason: "NotFound", message: message)
    }

    func forbidden(verb: String, resource: String, group: String, namespace: String, name: String?) -> CannedResponse? {
        guard let allowed, !allowed.contains("\(verb) \(resource)") else { return nil }
        let base = resource.split(separator: "/").first.map(String.init) ?? resource
        return FakeStatus.body(
            code: 403, reason: "Forbidden",
            message:
                "\(base).\(group) \"\(name ?? "")\" is forbidden: User \"system:serviceaccount:forescale:forescale\" cannot \(verb) resource \"\(resource)\" in API group \"\(group)\" in the namespace \"\(namespace)\"",
            name: name, group: group, kind: base
        )
    }

    private func scaleJSON(_ w: FakeWorkload) -> String {
        #"{"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":"\#(w.name)","namespace":"\#(w.namespace)","resourceVersion":"\#(w.resourceVersion)"},"spec":{"replicas":\#(w.replicas)},"status":{"replicas":\#(w.replicas),"selector":"app=\#(w.name)"}}"#
    }

    func workloadJSON(_ w: FakeWorkload) -> String {
        let ready = w.reportsReadyReplicas ? #","readyReplicas":\#(w.readyReplicas)"# : ""
        return
            #"{"kind":"Workload","metadata":{"name":"\#(w.name)","namespace":"\#(w.namespace)","resourceVersion":"\#(w.resourceVersion)"},"spec":{"replicas":\#(w.replicas)},"status":{"replicas":\#(w.replicas)\#(ready)}}"#
    }

    private func patchScale(_ request: RecordedRequest, key: String, workload: FakeWorkload) -> CannedResponse {
        guard request.header("Content-Type")?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces) == "application/merge-patch+json" else {
            return FakeStatus.body(
                code: 415, reason: "UnsupportedMediaType",
                message:
                    "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
            )
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
              let spec = object["spec"] as? [String: Any], let replicas = spec["replicas"] as? Int, replicas >= 0
        else {
            return FakeStatus.body(code: 422, reason: "Invalid", message: "Scale.autoscaling \"\(workload.name)\" is invalid: spec.replicas: Required value")
        }
        if let metadata = object["metadata"] as? [String: Any], let version = metadata["resourceVersion"] as? String,
           version != String(workload.resourceVersion) {
            return FakeStatus.body(
                code: 409, reason: "Conflict",
                message:
                    "Operation cannot be fulfilled on \(workload.resource).\(workload.group) \"\(workload.name)\": the object has been modified; please apply your changes to the latest version and try again",
                name: workload.name, group: workload.group, kind: workload.resource)
        }
        let updated = modify(key) { $0.replicas = replicas } ?? workload
        return .json(200, scaleJSON(updated))
    }
}
