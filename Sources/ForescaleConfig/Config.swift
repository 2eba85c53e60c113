import Endpoints
import Pipeline
import Planner

/// A validated config file.
public struct Config: Sendable, Equatable {
    public var controller: ControllerConfig
    /// By name.
    public var sources: [String: SourceConfig]
    /// By name.
    public var orchestrators: [String: OrchestratorConfig]
    /// In file order; names are unique.
    public var targets: [TargetConfig]

    public init(controller: ControllerConfig, sources: [String: SourceConfig], orchestrators: [String: OrchestratorConfig], targets: [TargetConfig]) {
        self.controller = controller
        self.sources = sources
        self.orchestrators = orchestrators
        self.targets = targets
    }

    /// The mode a target runs in: its own override, else the controller's.
    public func effectiveMode(of target: TargetConfig) -> RunMode {
        target.mode ?? controller.mode
    }
}

public struct ControllerConfig: Sendable, Equatable {
    public var intervalSeconds: Double = 15
    public var mode: RunMode = .shadow
    /// How many targets tick at the same time (each tick under a deadline shorter than the interval).
    public var concurrency = 32
    /// Each target's ticks are offset by a random share of the interval up to this fraction, so
    /// that many targets do not hit the metric sources at the same instant.
    public var jitter = 0.1
    /// How much history each target's forecaster is seeded with at start-up (Prometheus range
    /// queries); 0 disables backfill.
    public var backfillSeconds: Double = 7 * 86_400
    public var status = StatusConfig()
    public var decisionLog = DecisionLogConfig()
    /// When set, only the replica holding the Lease applies counts (the others observe and forecast).
    public var leaderElection: LeaderElectionConfig?
    /// When set, `ScalingTarget` objects in the cluster are targets too (beside the file's).
    public var scalingTargets: ScalingTargetsConfig?

    public init() {}
}

/// `controller.scalingTargets`: targets declared as `ScalingTarget` objects (group `forescale.io`),
/// listed and watched through a kubernetes orchestrator's API server and credentials.
public struct ScalingTargetsConfig: Sendable, Equatable {
    /// The kubernetes orchestrator that watches the objects and scales their workloads.
    public var orchestrator: String
    /// `nil`: every namespace (RBAC: a ClusterRole); else only this one (a Role is enough).
    public var namespace: String?

    public init(orchestrator: String, namespace: String? = nil) {
        self.orchestrator = orchestrator
        self.namespace = namespace
    }
}

public struct StatusConfig: Sendable, Equatable {
    public var listenHost = "127.0.0.1"
    public var listenPort = 8080
    /// File holding the bearer token mutations need.
    public var tokenFile: String?
    public var requireTokenForReads = false

    public init() {}
}

/// `controller.leaderElection`: a Kubernetes Lease taken through a kubernetes orchestrator's credentials.
public struct LeaderElectionConfig: Sendable, Equatable {
    /// The kubernetes orchestrator whose API server and credentials hold the Lease.
    public var orchestrator: String
    /// `nil`: the orchestrator's namespace (the pod's own in a cluster, the kubeconfig context's otherwise).
    public var namespace: String?
    public var name = "forescale-leader"

    public init(orchestrator: String, namespace: String? = nil, name: String = "forescale-leader") {
        self.orchestrator = orchestrator
        self.namespace = namespace
        self.name = name
    }
}

public struct DecisionLogConfig: Sendable, Equatable {
    public var path = "forescale-decisions.sqlite"
    public var retentionSeconds: Double = 14 * 86_400

    public init() {}
}

public enum SourceType: String, Sendable, Equatable, CaseIterable {
    case prometheus, burrow, rabbitmq, nats, json
}

public enum OrchestratorType: String, Sendable, Equatable, CaseIterable {
    case kubernetes, command, webhook
    case processPool = "process-pool"
}

public struct SourceConfig: Sendable, Equatable {
    public var name: String
    public var type: SourceType
    public var endpoint: HTTPEndpoint
    /// Burrow's cluster name (burrow only).
    public var cluster: String?

    public init(name: String, type: SourceType, endpoint: HTTPEndpoint, cluster: String? = nil) {
        self.name = name
        self.type = type
        self.endpoint = endpoint
        self.cluster = cluster
    }
}

public struct OrchestratorConfig: Sendable, Equatable {
    public var name: String
    public var type: OrchestratorType
    /// kubernetes: `nil` means the in-cluster service account.
    public var kubeconfig: String?
    public var context: String?
    /// webhook only.
    public var endpoint: HTTPEndpoint?
    /// webhook [10s], command and process-pool [30s]; `nil` for kubernetes.
    public var timeoutSeconds: Double?

    public init(
        name: String, type: OrchestratorType, kubeconfig: String? = nil, context: String? = nil, endpoint: HTTPEndpoint? = nil, timeoutSeconds: Double? = nil
    ) {
        self.name = name
        self.type = type
        self.kubeconfig = kubeconfig
        self.context = context
        self.endpoint = endpoint
        self.timeoutSeconds = timeoutSeconds
    }
}
