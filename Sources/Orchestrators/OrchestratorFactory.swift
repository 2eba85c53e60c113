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
///
/// What must run in the background while the controller runs — the supervision of each process
/// pool and the watch of each Kubernetes collection — is yielded once to `backgroundWork` as it is
/// created (including on a config reload); the controller runs each in its task group.
public actor OrchestratorFactory {
    private let environment: [String: String]
    private let clock: any ControlClock
    private var kubernetesClients: [String: KubernetesClient] = [:]
    /// Orchestrators whose kubeconfig was read since start-up or the start of the reload: each is
    /// read once per (re)load, not once per target.
    private var resolved: Set<String> = []
    /// During a reload: the clients in use before it, restored if the reload is rejected.
    private var beforeReload: [String: KubernetesClient]?
    private var webhooks: [WebhookOrchestrator] = []
    public private(set) var processPools: [ProcessPool] = []
    /// The pool of each target that has one, with the settings it was made from, so that a reload
    /// keeps a target's running workers instead of starting a second set.
    private var poolsByTarget: [String: (settings: ProcessPoolSettings, pool: ProcessPool)] = [:]
    /// Every piece of background work, once, as it is created; finished by `shutdown()`.
    public nonisolated let backgroundWork: AsyncStream<any OrchestratorBackgroundWork>
    private let backgroundContinuation: AsyncStream<any OrchestratorBackgroundWork>.Continuation

    /// Orchestrators used instead of the adapter the config names, by orchestrator name.
    private let substitutes: [String: Substitute]

    /// Makes the orchestrator of one target (its name, when known) in place of the configured adapter.
    public typealias Substitute = @Sendable (_ target: String?) -> any Orchestrator

    /// - Parameter substitutes: for tests and embedders, orchestrators to use instead of the
    ///   adapters the config names (`orchestrators.NAME`), e.g. `ForescaleTestKit.RecordingOrchestrator`.
    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment, clock: any ControlClock = SystemControlClock(),
        substitutes: [String: Substitute] = [:]
    ) {
        self.environment = environment
        self.clock = clock
        self.substitutes = substitutes
        (backgroundWork, backgroundContinuation) = AsyncStream.makeStream()
    }

    /// The Kubernetes client of a named orchestrator, e.g. for leader election.
    ///
    /// Made on first use. At start-up and once in each reload the kubeconfig (or in-cluster
    /// files) is read again, as start-up reads it, so a missing or broken file fails the reload;
    /// when the settings, server, credentials or CA differ from the client's, a new client is made
    /// and the old one is stopped when the reload is committed (`commitReload`).
    public func kubernetesClient(named name: String, settings: KubernetesSettings) throws -> KubernetesClient {
        if let client = kubernetesClients[name], resolved.contains(name) || beforeReload == nil, client.settings == settings {
            return client
        }
        let connection = try KubernetesConnection.resolve(settings, environment: environment)
        resolved.insert(name)
        if let client = kubernetesClients[name], client.settings == settings, client.connection == connection { return client }
        let client = try KubernetesClient(connection: connection, settings: settings, clock: clock)
        kubernetesClients[name] = client
        return client
    }

    /// Starts a reload: every kubeconfig is read again on its orchestrator's next use.
    public func beginReload() {
        beforeReload = kubernetesClients
        resolved = []
    }

    /// The orchestrators whose client the reload in progress replaced (before `commitReload`).
    public func replacedInReload() -> [String] {
        guard let before = beforeReload else { return [] }
        return before.filter { kubernetesClients[$0.key] !== $0.value }.map(\.key).sorted()
    }

    /// The reload was accepted: the clients it replaced (`replacedInReload()`) stop — their
    /// watches end; a request in flight on one fails as cancelled and the next tick uses the new client.
    public func commitReload() async {
        guard let before = beforeReload else { return }
        let replaced = replacedInReload()
        beforeReload = nil
        for name in replaced { await before[name]?.stop() }
    }

    /// The reload was rejected: the clients made during it stop and the old ones stay in use.
    public func abortReload() async {
        guard let before = beforeReload else { return }
        beforeReload = nil
        for (name, client) in kubernetesClients where before[name] !== client { await client.stop() }
        kubernetesClients = before
    }

    /// The orchestrator for one target (a Kubernetes one reads through the watch of its collection
    /// once that runs; until then, or without it, with a GET). Throws `.config` when the target's `scale` does not fit the orchestrator's type.
    /// - Parameter targetName: for a process pool, the target it belongs to: asked again with the
    ///   same settings (a config reload), the running pool is returned; with other settings, the old
    ///   pool's workers are stopped and a new pool made.
    public func orchestrator(named name: String, settings: OrchestratorSettings, target: TargetScaleSettings, for targetName: String? = nil) async throws
        -> any Orchestrator
    {
        if let substitute = substitutes[name] { return substitute(targetName) }
        switch (settings, target) {
        case (.kubernetes(let kubernetes), .kubernetes(let workload)):
            let client = try kubernetesClient(named: name, settings: kubernetes)
            let (orchestrator, started) = client.watchingOrchestrator(for: workload)
            if let started { backgroundContinuation.yield(started) }
            return orchestrator
        case (.command(let timeout), .command(let get, let set)):
            return try CommandOrchestrator(settings: CommandSettings(get: get, set: set, timeoutSeconds: timeout), clock: clock)
        case (.webhook(let webhook), .webhook(let targetName)):
            let orchestrator = try WebhookOrchestrator(settings: webhook, targetName: targetName, clock: clock)
            webhooks.append(orchestrator)
            return orchestrator
        case (.processPool(let grace), .processPool(let command)):
            let poolSettings = ProcessPoolSettings(command: command, stopGraceSeconds: grace)
            if let targetName, let existing = poolsByTarget[targetName] {
                if existing.settings == poolSettings { return existing.pool }
                await release(targetName)
            }
            let pool = try ProcessPool(settings: poolSettings, clock: clock)
            processPools.append(pool)
            if let targetName { poolsByTarget[targetName] = (poolSettings, pool) }
            backgroundContinuation.yield(pool)
            return pool
        default:
            throw OrchestratorError(
                .config, "orchestrator \"\(name)\" is of type \(settings.typeName) but the target's scale settings are for \(target.typeName)")
        }
    }

    /// A target is gone (or its pool's settings changed): stops its process pool's workers.
    public func release(_ targetName: String) async {
        guard let (_, pool) = poolsByTarget.removeValue(forKey: targetName) else { return }
        processPools.removeAll { $0 === pool }
        await pool.shutdown()
    }

    /// Stops every process pool (no orphans) and closes every HTTP client.
    public func shutdown() async {
        backgroundContinuation.finish()
        for pool in processPools { await pool.shutdown() }
        for webhook in webhooks { try? await webhook.shutdown() }
        for client in kubernetesClients.values { try? await client.shutdown() }
        processPools.removeAll()
        webhooks.removeAll()
        kubernetesClients.removeAll()
    }
}
