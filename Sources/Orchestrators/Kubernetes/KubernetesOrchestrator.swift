import Foundation
import NIOHTTP1
import Planner

struct ScaleObject: Decodable {
    struct Metadata: Decodable { var resourceVersion: String? }
    struct Spec: Decodable { var replicas: Int? }
    var metadata: Metadata?
    var spec: Spec?
}

struct WorkloadObject: Decodable {
    struct Metadata: Decodable { var resourceVersion: String? }
    struct Spec: Decodable, Sendable, Equatable { var replicas: Int? }
    struct Status: Decodable, Sendable, Equatable { var readyReplicas: Int? }
    var metadata: Metadata?
    var spec: Spec?
    var status: Status?
}

/// Scales one workload through its `/scale` subresource; ready replicas come from the workload's status.
public struct KubernetesOrchestrator: Orchestrator {
    public let client: KubernetesClient
    public let target: KubernetesTarget
    public let namespace: String
    /// The watch of the target's collection, when one is kept: `currentScale` then reads from it
    /// without a request while it is live (see `KubernetesInformer`).
    public var informer: KubernetesInformer?

    public init(client: KubernetesClient, target: KubernetesTarget, informer: KubernetesInformer? = nil) {
        self.client = client
        self.target = target
        self.namespace = target.namespace ?? client.connection.defaultNamespace
        self.informer = informer
    }

    /// The collection a watch can serve this target from: built-in kinds, whose `spec.replicas`
    /// and `status.readyReplicas` are on the object. A custom resource keeps its count where its
    /// CRD says, read through `/scale`, so it is not watched.
    public var watchableCollection: KubernetesCollection? {
        switch target.kind {
        case .deployment, .statefulSet, .replicaSet: collection
        case .custom: nil
        }
    }

    /// The target's kind in its namespace.
    var collection: KubernetesCollection {
        KubernetesCollection(group: target.group, version: target.version, resource: target.resource, namespace: namespace)
    }

    public var targetDescription: String {
        let gv = target.group.isEmpty ? target.version : "\(target.group)/\(target.version)"
        return "kubernetes \(gv) \(target.resource) \(namespace)/\(target.name)"
    }

    var workloadPath: String { collection.path + "/" + target.name }

    func call(_ method: HTTPMethod, verb: String, scale: Bool) -> KubernetesAPICall {
        KubernetesAPICall(
            method: method,
            path: scale ? workloadPath + "/scale" : workloadPath,
            verb: verb,
            group: target.group,
            resource: scale ? target.resource + "/scale" : target.resource,
            namespace: namespace,
            name: target.name
        )
    }

    func readScale() async throws -> (replicas: Int, resourceVersion: String?) {
        let get = call(.GET, verb: "get", scale: true)
        let scale = try client.decode(ScaleObject.self, from: try await client.send(get), call: get)
        return (scale.spec?.replicas ?? 0, scale.metadata?.resourceVersion)
    }

    /// From the live watch when there is one; otherwise:
    /// Built-in kinds: one GET of the workload, whose `spec.replicas` is what its scale subresource
    /// reports, read in the same snapshot as `status.readyReplicas`. A custom resource keeps its
    /// replica count wherever its CRD says, so it is read through the scale subresource as well.
    public func currentScale() async throws -> WorkloadScale {
        if let cached = informer?.workload(named: target.name), let replicas = cached.replicas {
            return WorkloadScale(
                desiredReplicas: replicas, readyReplicas: cached.readyReplicas, observedAt: client.clock.now(),
                version: cached.resourceVersion)
        }
        let get = call(.GET, verb: "get", scale: false)
        let workload = try client.decode(WorkloadObject.self, from: try await client.send(get), call: get)
        var replicas: Int
        var version: String?
        let ready: Int?
        switch target.kind {
        case .deployment, .statefulSet, .replicaSet:
            // The scale subresource of a built-in kind shares its object's resourceVersion.
            (replicas, version) = (workload.spec?.replicas ?? 0, workload.metadata?.resourceVersion)
            // The API server defaults `spec.replicas`; an object without it is read through /scale.
            if workload.spec?.replicas == nil { (replicas, version) = try await readScale() }
            // Built-in kinds omit `readyReplicas` when it is 0.
            ready = workload.status?.readyReplicas ?? 0
        case .custom:
            (replicas, version) = try await readScale()
            ready = workload.status?.readyReplicas
        }
        return WorkloadScale(desiredReplicas: replicas, readyReplicas: ready, observedAt: client.clock.now(), version: version)
    }

    public func apply(replicas: Int, decision: Decision?) async throws -> ApplyOutcome {
        try await apply(replicas: replicas, known: nil)
    }

    /// Patches against the tick's own read when it carries a resourceVersion: one request instead of
    /// two, and a conflict (the object changed since) re-reads as before.
    public func apply(replicas: Int, decision: Decision?, observed: WorkloadScale) async throws -> ApplyOutcome {
        try await apply(replicas: replicas, known: observed.version.map { (observed.desiredReplicas, $0) })
    }

    private func apply(replicas: Int, known: (replicas: Int, resourceVersion: String)?) async throws -> ApplyOutcome {
        guard replicas >= 0 else {
            throw OrchestratorError(.config, "refusing to scale \(targetDescription) to \(replicas) replicas")
        }
        var conflicts = 0
        var known = known
        while true {
            let (current, resourceVersion): (Int, String?)
            if let read = known {
                (current, resourceVersion) = (read.replicas, read.resourceVersion)
                known = nil
            } else {
                (current, resourceVersion) = try await readScale()
            }
            if current == replicas { return .unchanged(replicas: replicas) }
            let patch = call(.PATCH, verb: "patch", scale: true)
            var body = #"{"spec":{"replicas":\#(replicas)}}"#
            if let resourceVersion {
                let quoted = String(data: try JSONEncoder().encode(resourceVersion), encoding: .utf8) ?? "\"\""
                body = #"{"metadata":{"resourceVersion":\#(quoted)},"spec":{"replicas":\#(replicas)}}"#
            }
            do {
                _ = try await client.send(patch, body: Array(body.utf8), contentType: "application/merge-patch+json")
                return .scaled(from: current, to: replicas)
            } catch let error as OrchestratorError where error.kind == .conflict {
                conflicts += 1
                guard conflicts <= client.settings.conflictRetries else {
                    throw OrchestratorError(
                        .conflict,
                        "\(error.message) Gave up after \(conflicts) conflicting attempts; another controller (an HPA?) may be scaling the same workload.",
                        httpStatus: 409)
                }
            }
        }
    }
}

extension KubernetesClient {
    /// An orchestrator for one target that shares this client (and reads with a GET each time).
    public func orchestrator(for target: KubernetesTarget) -> KubernetesOrchestrator {
        KubernetesOrchestrator(client: self, target: target)
    }

    /// An orchestrator for one target that reads from the watch of its collection when it can.
    /// `startedInformer` is the informer when this call created it: the caller must run it (see
    /// `OrchestratorBackgroundWork`); until it runs, reads fall back to a GET.
    public func watchingOrchestrator(for target: KubernetesTarget) -> (orchestrator: KubernetesOrchestrator, startedInformer: KubernetesInformer?) {
        var orchestrator = KubernetesOrchestrator(client: self, target: target)
        guard let collection = orchestrator.watchableCollection else { return (orchestrator, nil) }
        let (informer, created) = informer(for: collection)
        orchestrator.informer = informer
        return (orchestrator, created ? informer : nil)
    }
}
