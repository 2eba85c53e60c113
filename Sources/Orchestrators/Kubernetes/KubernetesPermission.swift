/// One RBAC permission: (apiGroup, resource[/subresource], verb).
public struct KubernetesPermission: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var group: String
    public var resource: String
    public var verb: String

    public init(group: String, resource: String, verb: String) {
        self.group = group
        self.resource = resource
        self.verb = verb
    }

    public static func < (a: Self, b: Self) -> Bool {
        (a.group, a.resource, a.verb) < (b.group, b.resource, b.verb)
    }

    public var description: String { "\(verb) \(group.isEmpty ? "core" : group)/\(resource)" }

    /// Every call the Kubernetes adapter, leader election and the `ScalingTarget` service make.
    /// `Deploy/kubernetes` RBAC must grant exactly these (checked by a test); custom resources with a
    /// scale subresource need `get`/`patch` on `<resource>/scale` and `get` on `<resource>` added by the operator.
    public static let required: Set<KubernetesPermission> = {
        var all = Set<KubernetesPermission>()
        for resource in ["deployments", "statefulsets", "replicasets"] {
            all.insert(.init(group: "apps", resource: resource, verb: "get"))
            // The watch that serves each tick's read (KubernetesInformer); without these, a GET per read.
            all.insert(.init(group: "apps", resource: resource, verb: "list"))
            all.insert(.init(group: "apps", resource: resource, verb: "watch"))
            all.insert(.init(group: "apps", resource: "\(resource)/scale", verb: "get"))
            all.insert(.init(group: "apps", resource: "\(resource)/scale", verb: "patch"))
        }
        for verb in ["get", "create", "update"] {
            all.insert(.init(group: "coordination.k8s.io", resource: "leases", verb: verb))
        }
        // `controller.scalingTargets`: the objects' LIST+WATCH, their status, and Events.
        all.insert(.init(group: ScalingTargetResource.group, resource: ScalingTargetResource.resource, verb: "list"))
        all.insert(.init(group: ScalingTargetResource.group, resource: ScalingTargetResource.resource, verb: "watch"))
        all.insert(.init(group: ScalingTargetResource.group, resource: ScalingTargetResource.resource + "/status", verb: "patch"))
        all.insert(.init(group: "", resource: "events", verb: "create"))
        all.insert(.init(group: "", resource: "events", verb: "patch"))
        return all
    }()
}
