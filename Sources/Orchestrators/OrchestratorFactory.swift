import Foundation

/// `orchestrators.<name>` as the config module maps it.
public enum OrchestratorSettings: Sendable, Equatable {
    case kubernetes(KubernetesSettings)
    /// `timeout` of each `get`/`set` run.
    case command(timeoutSeconds: Double)
    case webhook(WebhookSettings)
    /// `timeout`: grace between SIGTERM and SIGKILL when stopping workers.
    case processPool(stopGraceSeconds: Double)

    public var typeName: String {
        switch self {
        case .kubernetes: "kubernetes"
        case .command: "command"
        case .webhook: "webhook"
        case .processPool: "process-pool"
        }
    }
}

/// `targets[].scale` as the config module maps it.
public enum TargetScaleSettings: Sendable, Equatable {
    case kubernetes(KubernetesTarget)
    case command(get: [String], set: [String])
    case webhook(name: String)
    case processPool(command: [String])

    var typeName: String {
        switch self {
        case .kubernetes: "kubernetes"
        case .command: "command"
        case .webhook: "webhook"
        case .processPool: "process-pool"
        }
    }
}

/// Builds one orchestrator per target from settings, sharing one Kubernetes client per named
/// orchestrator, and owns what must be stopped: HTTP clients and process pools (`shutdown()`).
/// Process pools must also be supervised: run `pool.run()` for each of `processPools` in the controller's task group.
public actor OrchestratorFactory {
    private let environment: [String: String]
    private let clock: any ControlClock
    private var kubernetesClients: [String: KubernetesClient] = [:]
    private var webhooks: [WebhookOrchestrator] = []
    public private(set) var processPools: [ProcessPool] = []

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, clock: any ControlClock = SystemControlClock()) {
        self.environment = environment
        self.clock = clock
    }

    /// The Kubernetes client of a named orchestrator (created on first use), e.g. for leader election.
    public func kubernetesClient(named name: String, settings: KubernetesSettings) throws -> KubernetesClient {
        if let client = kubernetesClients[name] { return client }
        let client = try KubernetesClient(connection: try KubernetesConnection.resolve(settings, environment: environment), settings: settings, clock: clock)
        kubernetesClients[name] = client
        return client
    }

    /// The orchestrator for one target. Throws `.config` when the target's `scale` does not fit the orchestrator's type.
    public func orchestrator(named name: String, settings: OrchestratorSettings, target: TargetScaleSettings) throws -> any Orchestrator {
        switch (settings, target) {
        case (.kubernetes(let kubernetes), .kubernetes(let workload)):
            return try kubernetesClient(named: name, settings: kubernetes).orchestrator(for: workload)
        case (.command(let timeout), .command(let get, let set)):
            return try CommandOrchestrator(settings: CommandSettings(get: get, set: set, timeoutSeconds: timeout), clock: clock)
        case (.webhook(let webhook), .webhook(let targetName)):
            let orchestrator = try WebhookOrchestrator(settings: webhook, targetName: targetName, clock: clock)
            webhooks.append(orchestrator)
            return orchestrator
        case (.processPool(let grace), .processPool(let command)):
            let pool = try ProcessPool(settings: ProcessPoolSettings(command: command, stopGraceSeconds: grace), clock: clock)
            processPools.append(pool)
            return pool
        default:
            throw OrchestratorError(.config, "orchestrator \"\(name)\" is of type \(settings.typeName) but the target's scale settings are for \(target.typeName)")
        }
    }

    /// Stops every process pool (no orphans) and closes every HTTP client.
    public func shutdown() async {
        for pool in processPools { await pool.shutdown() }
        for webhook in webhooks { try? await webhook.shutdown() }
        for client in kubernetesClients.values { try? await client.shutdown() }
        processPools.removeAll()
        webhooks.removeAll()
        kubernetesClients.removeAll()
    }
}
