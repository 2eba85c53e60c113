import Foundation


/// A collection of objects of one kind in one namespace (`deployments.apps` in `shop`), or in
/// every namespace when `namespace` is empty.
public struct KubernetesCollection: Hashable, Sendable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var resource: String
    /// Empty: every namespace.
    public var namespace: String

    public init(group: String, version: String, resource: String, namespace: String) {
        self.group = group
        self.version = version
        self.resource = resource
        self.namespace = namespace
    }

    var path: String {
        let prefix = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        return namespace.isEmpty ? "\(prefix)/\(resource)" : "\(prefix)/namespaces/\(namespace)/\(resource)"
    }

    public var description: String {
        "\(resource).\(group.isEmpty ? "core" : group) in " + (namespace.isEmpty ? "every namespace" : "namespace \(namespace)")
    }
}

/// The metadata of an object as a LIST or watch carries it.
public struct KubernetesObjectMeta: Decodable, Sendable, Equatable {
    public var name: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var generation: Int?
    /// RFC 3339, whole seconds: sorts as text.
    public var creationTimestamp: String?

    public init(
        name: String?, namespace: String? = nil, uid: String? = nil, resourceVersion: String? = nil, generation: Int? = nil,
        creationTimestamp: String? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.generation = generation
        self.creationTimestamp = creationTimestamp
    }
}

/// An object an informer keeps: decoded from a LIST item or a watch event's object.
public protocol KubernetesListItem: Decodable, Sendable, Equatable {
    var metadata: KubernetesObjectMeta? { get }
}

/// A workload as a watch keeps it.
public struct WorkloadItem: KubernetesListItem {
    public var metadata: KubernetesObjectMeta?
    var spec: WorkloadObject.Spec?
    var status: WorkloadObject.Status?

    /// Built-in kinds omit `readyReplicas` when it is 0.
    var informed: InformedWorkload {
        InformedWorkload(
            replicas: spec?.replicas, readyReplicas: status?.readyReplicas ?? 0, resourceVersion: metadata?.resourceVersion,
            uid: metadata?.uid)
    }
}

/// What a watch says of one workload.
struct InformedWorkload: Sendable, Equatable {
    var replicas: Int?
    /// 0 when the object omits it (built-in kinds do, at 0).
    var readyReplicas: Int
    var resourceVersion: String?
    var uid: String?
}

/// The informer of workloads of a built-in kind, whose reads serve each tick.
public typealias KubernetesInformer = KubernetesObjectInformer<WorkloadItem>

/// Something to say about background work, for the controller's log.
public struct BackgroundNote: Sendable, Equatable {
    public enum Level: Sendable, Equatable { case info, warning }
    public var level: Level
    public var message: String

    public init(_ level: Level, _ message: String) {
        self.level = level
        self.message = message
    }
}

/// Work an orchestrator needs done while the controller runs (a Kubernetes watch, the supervision
/// of a process pool). The controller runs each in its task group until shutdown.
public protocol OrchestratorBackgroundWork: Sendable {
    var workDescription: String { get }
    /// Runs until the task is cancelled.
    func run(report: @escaping @Sendable (BackgroundNote) -> Void) async
}

