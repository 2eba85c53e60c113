import Endpoints
import Pipeline
import Planner

/// One scaled workload: what to scale, where its metrics come from, and its policy.
public struct TargetConfig: Sendable, Equatable {
    public var name: String
    public var scale: ScaleConfig
    public var metrics: MetricsConfig
    /// The target's own mode; `nil` follows `controller.mode`.
    public var mode: RunMode?
    /// Everything the planner needs.
    public var policy: ScalingPolicy
    /// What the controller does around the planner: fallback and the forecast circuit breaker.
    public var safety: SafetyPolicy

    public init(name: String, scale: ScaleConfig, metrics: MetricsConfig, mode: RunMode?, policy: ScalingPolicy, safety: SafetyPolicy = SafetyPolicy()) {
        self.name = name
        self.scale = scale
        self.metrics = metrics
        self.mode = mode
        self.policy = policy
        self.safety = safety
    }
}

/// Which orchestrator scales the target, and what it scales.
public struct ScaleConfig: Sendable, Equatable {
    public var orchestrator: String
    public var workload: Workload

    public init(orchestrator: String, workload: Workload) {
        self.orchestrator = orchestrator
        self.workload = workload
    }
}

public enum KubernetesKind: String, Sendable, Equatable, CaseIterable {
    case deployment = "Deployment"
    case statefulSet = "StatefulSet"
    case replicaSet = "ReplicaSet"
    case custom = "Custom"
}

/// The scaled thing, in the terms of its orchestrator's type.
public enum Workload: Sendable, Equatable {
    /// `apiVersion` and `resource` are set exactly when `kind` is `.custom`.
    case kubernetes(kind: KubernetesKind, namespace: String, name: String, apiVersion: String?, resource: String?)
    /// `set` may contain the element `{replicas}`, replaced by the count.
    case command(get: [String], set: [String])
    case webhook(name: String)
    case processPool(command: [String])
}

public struct MetricsConfig: Sendable, Equatable {
    public var lag: MetricConfig
    public var arrivalRate: MetricConfig
    /// Present whenever capacity is learned.
    public var throughput: MetricConfig?

    public init(lag: MetricConfig, arrivalRate: MetricConfig, throughput: MetricConfig?) {
        self.lag = lag
        self.arrivalRate = arrivalRate
        self.throughput = throughput
    }
}

/// One metric: the source it is read from and the source-specific query.
public struct MetricConfig: Sendable, Equatable {
    public var source: String
    public var query: MetricQuery

    public init(source: String, query: MetricQuery) {
        self.source = source
        self.query = query
    }
}
