import DecisionStorage
import ForescaleConfig
import Foundation
import Logging
import MetricSources
import Orchestrators
import Pipeline
import Planner

/// Why the controller could not start or reload.
public struct StartupError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The controller's shared state: the targets' workers, modes, overrides and the config in force.
///
/// The reconcile service drives `runRound`; the status API reads and changes it through
/// `StatusBackend`. Every mode switch and override is audited and persisted before it answers.
public actor ControllerRuntime: StatusBackend {
    /// The edges the runtime talks to.
    public struct Dependencies: Sendable {
        public var store: any DecisionStore
        public var metrics: any MetricsRecorder
        public var clock: any ControlClock
        public var sourceContext: SourceContext
        public var factory: OrchestratorFactory
        public var logger: Logger
        /// The time a tick may take, as a share of the interval.
        public var deadlineShare: Double
        /// With leader election, only the leader applies counts (every target's orchestrator is gated).
        public var elector: LeaderElector?
        /// Counts changes of what `GET /v1/status` shows; shared with whoever else changes it (the
        /// leader election's notes).
        public var statusVersion: StatusVersion

        public init(
            store: any DecisionStore, metrics: any MetricsRecorder, clock: any ControlClock, sourceContext: SourceContext,
            factory: OrchestratorFactory, logger: Logger, deadlineShare: Double = 0.8, elector: LeaderElector? = nil,
            statusVersion: StatusVersion = StatusVersion()
        ) {
            self.statusVersion = statusVersion
            self.elector = elector
            self.store = store
            self.metrics = metrics
            self.clock = clock
            self.sourceContext = sourceContext
            self.factory = factory
            self.logger = logger
            self.deadlineShare = deadlineShare
        }
    }

    let deps: Dependencies
    public internal(set) var config: Config {
        didSet { control.configure(config) }
    }
    /// Modes and overrides (`ControllerRuntime+Control.swift`).
    var control: ControlPlane
    public let configPath: String
    /// The targets the config file declares (`config.targets` adds the cluster's).
    var fileTargets: [TargetConfig]
    /// The `ScalingTarget` objects' targets in force (`setClusterTargets`).
    var clusterTargets: [TargetConfig] = []
    /// Told of every tick and audited change (the ScalingTarget status and Events writer).
    var observer: (any RuntimeObserver)?
    /// Planner states from the store of targets that do not run yet (a `ScalingTarget`'s target
    /// joins after the first LIST): each is handed to its target when it starts, once.
    var restoredPlanners: [String: PlannerState] = [:]
    /// Config changes (a reload, the cluster's targets) one at a time: each reads the config in
    /// force, wires across awaits and installs; a second waits for the first to finish.
    var changing = false
    var changeWaiters: [CheckedContinuation<Void, Never>] = []
    /// Set once every target has ticked: readiness is about start-up, and a target added later
    /// does not make a running controller unready.
    var readyOnce = false
    public internal(set) var generation = 1
    var configError: String?
    var workers: [String: TargetWorker] = [:]
    /// What each worker showed after its last tick: status reads take it from here rather than
    /// awaiting a thousand workers.
    var views: [String: TargetWorker.View] = [:]
    /// Counts changes of what `GET /v1/status` shows, for its response cache.
    public nonisolated let statusVersion: StatusVersion?
    var order: [String] = []
    let startedAt: Double
    var rounds = 0
    var ticked: Set<String> = []
    private var lastPrune: Double?

    /// Wires every target (sources, orchestrator), restores modes, overrides and planner state
    /// from the store. Fails with a message naming the key when a target cannot be wired.
    public init(config: Config, configPath: String, dependencies: Dependencies) async throws(StartupError) {
        self.deps = dependencies
        self.statusVersion = dependencies.statusVersion
        self.config = config
        self.fileTargets = config.targets
        self.configPath = configPath
        self.startedAt = dependencies.clock.now().timeIntervalSince1970
        let persisted: PersistedControllerState
        do { persisted = try dependencies.store.loadState() } catch { throw StartupError("decision log: \(error)") }
        self.control = ControlPlane(persisted: persisted, config: config)
        var refused: [String: String] = [:]
        let wired = try Self.keepWired(
            try await Self.wire(config, factory: dependencies.factory, context: dependencies.sourceContext, elector: dependencies.elector),
            fileNames: Set(config.targets.map(\.name)), refused: &refused)
        for (target, requests, orchestrator) in wired {
            workers[target.name] = TargetWorker(
                config: target, requests: requests, orchestrator: orchestrator, interval: config.controller.intervalSeconds,
                planner: persisted.plannerStates[target.name])
            order.append(target.name)
        }
        restoredPlanners = persisted.plannerStates.filter { workers[$0.key] == nil }
        for (name, worker) in workers { views[name] = await worker.view }
    }

    /// Each target's metric requests and orchestrator, or why it cannot be wired; throws when the
    /// sources cannot be made at all.
    /// - Parameter failFast: targets whose failure ends the wiring at once (the file's: the whole
    ///   config is then refused, and no later target's process pool is touched).
    static func wire(
        _ config: Config, factory: OrchestratorFactory, context: SourceContext, elector: LeaderElector?,
        failFast: (TargetConfig) -> Bool = { _ in true }
    ) async throws(StartupError)
        -> [(TargetConfig, Result<([BoundRequest], any Orchestrator), StartupError>)]
    {
        let probes: [ProbeTarget]
        do { probes = try ConfigWiring.probeTargets(config, context: context) } catch { throw StartupError(error.description) }
        var result: [(TargetConfig, Result<([BoundRequest], any Orchestrator), StartupError>)] = []
        for (target, probe) in zip(config.targets, probes) {
            do {
                let orchestrator = try await ConfigWiring.orchestrator(for: target, in: config, factory: factory)
                let gated: any Orchestrator = elector.map { LeaderGatedOrchestrator(base: orchestrator, elector: $0) } ?? orchestrator
                result.append((target, .success((probe.values, gated))))
            } catch {
                result.append((target, .failure(StartupError(error.description))))
                if failFast(target) { break }
            }
        }
        return result
    }

    /// The wired targets: one of the cluster's that cannot be wired is left out and named in
    /// `refused`; one of the file's throws.
    static func keepWired(
        _ results: [(TargetConfig, Result<([BoundRequest], any Orchestrator), StartupError>)], fileNames: Set<String>,
        refused: inout [String: String]
    ) throws(StartupError) -> [(TargetConfig, [BoundRequest], any Orchestrator)] {
        var wired: [(TargetConfig, [BoundRequest], any Orchestrator)] = []
        for (target, result) in results {
            switch result {
            case .success(let (requests, orchestrator)): wired.append((target, requests, orchestrator))
            case .failure(let error) where !fileNames.contains(target.name): refused[target.name] = error.description
            case .failure(let error): throw error
            }
        }
        return wired
    }

    /// The lease store of `controller.leaderElection` through its orchestrator's current client
    /// (reading its kubeconfig again in a reload), when an elector runs.
    static func leaseStore(_ config: Config, factory: OrchestratorFactory, elector: LeaderElector?) async throws(StartupError)
        -> (any LeaseStore)?
    {
        guard elector != nil, let election = config.controller.leaderElection,
              let settings = ConfigWiring.kubernetesSettings(election.orchestrator, in: config) else { return nil }
        do {
            return try await factory.kubernetesClient(named: election.orchestrator, settings: settings)
                .leaseStore(namespace: election.namespace, name: election.name)
        } catch {
            throw StartupError("orchestrators.\(election.orchestrator): \(error)")
        }
    }

    /// Releases the orchestrators' clients and stops process pools. Call once, after the last tick.
    public func shutdown() async {
        await deps.factory.shutdown()
    }

    func now() -> Double { deps.clock.now().timeIntervalSince1970 }

    // MARK: Ticks

    /// The targets in config order, for the scheduler.
    public var targetNames: [String] { order }

    /// One tick of one target: decides, acts as its mode says, logs, audits and reports metrics.
    public func tick(target name: String) async -> TickReport? {
        guard let worker = workers[name] else { return nil }
        let started = deps.clock.now()
        let now = started.timeIntervalSince1970
        if let override = control.takeExpiredOverride(name, now: now) {
            persistOverride(nil, target: name)
            audit(AuditEvent(timeSeconds: now, target: name, kind: .override, detail: "override \(override.kind.rawValue) expired", actor: "controller"))
        }
        let mode = control.mode(of: name).mode
        let orchestrator = await worker.orchestrator
        let actuator: any Actuator = mode == .live ? LiveActuator(orchestrator: orchestrator) : ShadowActuator()
        let budget = config.controller.intervalSeconds * deps.deadlineShare
        // A share of the interval on the controller's clock (real time, or the demo's accelerated time).
        let deadline = deps.clock.deadline(afterSeconds: budget)
        let report = await worker.tick(now: now, deadline: deadline, actuator: actuator, override: control.overrides[name])
        if workers[name] === worker { views[name] = await worker.view }
        statusVersion?.noteTick()
        for event in TickRecorder(store: deps.store, metrics: deps.metrics, logger: deps.logger).record(report, now: now) { audit(event) }
        // The status shows the count of failed writes at once, not a cache age later.
        if report.writeFailure != nil, report.consecutiveWriteFailures == 1 { statusVersion?.noteChange() }
        observer?.ticked(report, mode: mode)
        deps.metrics.recordTick(seconds: max(0, deps.clock.now().timeIntervalSince(started)))
        ticked.insert(name)
        return report
    }

    /// After a round: persist every planner state in one transaction and prune old rows hourly.
    public func endRound() async {
        rounds += 1
        var states: [String: PlannerState] = [:]
        for (name, worker) in workers { states[name] = await worker.plannerState }
        do { try deps.store.savePlannerStates(states) } catch {
            deps.logger.error("could not save the planner states", metadata: ["error": "\(error)"])
        }
        let now = now()
        if lastPrune.map({ now - $0 >= 3600 }) ?? true {
            lastPrune = now
            do {
                let removed = try deps.store.prune(olderThan: now - config.controller.decisionLog.retentionSeconds)
                if removed > 0 { deps.logger.info("decision log: removed decisions older than the retention", metadata: ["removed": "\(removed)"]) }
            } catch {
                deps.logger.error("decision log: pruning failed", metadata: ["error": "\(error)"])
            }
        }
    }

    // MARK: Backfill

    /// Seeds each target's forecaster from its arrival rate's history (Prometheus range queries),
    /// `controller.backfill` back from now. Targets whose source keeps no history start cold.
    /// Returns the number of buckets each target holds afterwards.
    public func backfill(targets names: [String]? = nil) async -> [String: Int] {
        let seconds = config.controller.backfillSeconds
        guard seconds > 0 else { return [:] }
        let end = now()
        let limit = config.controller.concurrency
        let logger = deps.logger
        let chosen = (names ?? order).compactMap { name in workers[name].map { (name, $0) } }
        let counts = await boundedConcurrentMap(chosen, limit: limit) { name, worker in
            await Backfill.seed(name, worker: worker, start: end - seconds, end: end, logger: logger)
        }
        var result: [String: Int] = [:]
        for ((name, _), count) in zip(chosen, counts) { result[name] = count }
        return result
    }

    // MARK: Persistence helpers

    /// Records a change in the audit log; every change a status reader must see at once (mode,
    /// override, config, safety state) goes through here.
    func audit(_ event: AuditEvent) {
        statusVersion?.noteChange()
        observer?.audited(event)
        do { try deps.store.appendAudit(event) } catch {
            deps.logger.error("audit log write failed", metadata: ["error": "\(error)", "event": "\(event.detail)"])
        }
    }

    func persistOverride(_ override: TargetOverride?, target: String) {
        do { try deps.store.saveOverride(override, target: target) } catch {
            deps.logger.error("could not persist the override", metadata: ["target": "\(target)", "error": "\(error)"])
        }
    }
}
