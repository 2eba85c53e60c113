import Foundation
import ForescaleConfig
import Logging
import MetricSources
import NIOCore
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
        didSet { configuredModes = Self.modes(of: config) }
    }
    /// Each target's `mode` from the config, when it sets one.
    private var configuredModes: [String: RunMode]
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
    private var globalMode: RunMode?
    private var targetModes: [String: RunMode]
    private var overrides: [String: TargetOverride]
    private let startedAt: Double
    private var rounds = 0
    var ticked: Set<String> = []
    private var lastPrune: Double?

    /// Wires every target (sources, orchestrator), restores modes, overrides and planner state
    /// from the store. Fails with a message naming the key when a target cannot be wired.
    public init(config: Config, configPath: String, dependencies: Dependencies) async throws(StartupError) {
        self.deps = dependencies
        self.statusVersion = dependencies.statusVersion
        self.config = config
        self.fileTargets = config.targets
        self.configuredModes = Self.modes(of: config)
        self.configPath = configPath
        self.startedAt = dependencies.clock.now().timeIntervalSince1970
        let persisted: PersistedControllerState
        do { persisted = try dependencies.store.loadState() } catch { throw StartupError("decision log: \(error)") }
        self.globalMode = persisted.globalMode
        self.targetModes = persisted.targetModes
        self.overrides = persisted.overrides
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

    // MARK: Modes

    /// The mode a target runs in: a per-target switch from the API, else the target's `mode` in
    /// the config, else the global mode (the API's switch, else `controller.mode`).
    func mode(of target: String) -> (mode: RunMode, source: String) {
        if let mode = targetModes[target] { return (mode, "target") }
        if let configured = configuredModes[target] { return (configured, "config") }
        return (effectiveGlobalMode, "global")
    }

    private static func modes(of config: Config) -> [String: RunMode] {
        var modes: [String: RunMode] = [:]
        for target in config.targets {
            if let mode = target.mode { modes[target.name] = mode }
        }
        return modes
    }

    var effectiveGlobalMode: RunMode { globalMode ?? config.controller.mode }

    func now() -> Double { deps.clock.now().timeIntervalSince1970 }

    // MARK: Ticks

    /// The targets in config order, for the scheduler.
    public var targetNames: [String] { order }

    /// One tick of one target: decides, acts as its mode says, logs, audits and reports metrics.
    public func tick(target name: String) async -> TickReport? {
        guard let worker = workers[name] else { return nil }
        let started = deps.clock.now()
        let now = started.timeIntervalSince1970
        if let override = overrides[name], !override.isActive(now: now) {
            overrides[name] = nil
            persistOverride(nil, target: name)
            audit(AuditEvent(timeSeconds: now, target: name, kind: .override, detail: "override \(override.kind.rawValue) expired", actor: "controller"))
        }
        let mode = mode(of: name).mode
        let orchestrator = await worker.orchestrator
        let actuator: any Actuator = mode == .live ? LiveActuator(orchestrator: orchestrator) : ShadowActuator()
        let budget = config.controller.intervalSeconds * deps.deadlineShare
        // A share of the interval on the controller's clock (real time, or the demo's accelerated time).
        let deadline = deps.clock.deadline(afterSeconds: budget)
        let report = await worker.tick(now: now, deadline: deadline, actuator: actuator, override: overrides[name])
        if workers[name] === worker { views[name] = await worker.view }
        statusVersion?.noteTick()
        record(report, now: now)
        observer?.ticked(report, mode: mode)
        deps.metrics.recordTick(seconds: max(0, deps.clock.now().timeIntervalSince(started)))
        ticked.insert(name)
        return report
    }

    private func record(_ report: TickReport, now: Double) {
        for fetch in report.fetches {
            deps.metrics.recordFetch(source: fetch.source, metric: fetch.metric, seconds: fetch.seconds, errorKind: fetch.errorKind)
        }
        for transition in report.transitions {
            audit(AuditEvent(timeSeconds: now, target: report.target, kind: .safety, detail: transition.detail, actor: "controller"))
            deps.metrics.recordSafety(target: report.target, state: transition.state.rawValue)
            deps.logger.notice(
                "safety state changed", metadata: ["target": "\(report.target)", "state": "\(transition.state.rawValue)", "detail": "\(transition.detail)"])
        }
        if let error = report.forecastError { deps.metrics.recordForecastError(target: report.target, absoluteError: error) }
        if let failure = report.writeFailure {
            deps.metrics.recordWriteFailure(target: report.target, kind: failure.kind)
            deps.logger.warning(
                "live target: writing the replica count failed",
                metadata: [
                    "target": "\(report.target)", "kind": "\(failure.kind)", "error": "\(failure.message)",
                    "consecutiveFailures": "\(report.consecutiveWriteFailures)",
                ])
            // The status shows the count of failed writes at once, not a cache age later.
            if report.consecutiveWriteFailures == 1 { statusVersion?.noteChange() }
        }
        guard let record = report.record else {
            if let failure = report.failure {
                deps.logger.warning(
                    "no decision: the workload's scale could not be read",
                    metadata: ["target": "\(report.target)", "stage": "\(failure.stage)", "kind": "\(failure.kind)", "error": "\(failure.message)"])
            }
            return
        }
        if !deps.store.enqueue(record) {
            deps.logger.error("decision log queue full: a decision row was dropped", metadata: ["target": "\(report.target)"])
        }
        deps.metrics.recordDroppedDecisions(total: deps.store.droppedCount)
        let decision = record.decision
        deps.metrics.recordDecision(
            target: record.target, reasons: decision.reasons.map(\.rawValue), mode: record.mode, desired: record.finalReplicas,
            reactive: decision.reactiveReplicas, current: decision.currentReplicas)
        deps.metrics.recordForecast(
            target: record.target, p50: record.forecast?.p50, upper: record.forecast?.upper,
            observed: decision.inputs.observation.arrivalRate?.value)
        if let startup = decision.inputs.observedStartupSeconds { deps.metrics.recordStartup(target: record.target, seconds: startup) }
        if record.finalReplicas != decision.currentReplicas || record.applied {
            deps.logger.info(
                "decision",
                metadata: [
                    "target": "\(record.target)", "mode": "\(record.mode.rawValue)", "from": "\(decision.currentReplicas)",
                    "to": "\(record.finalReplicas)", "answer": "\(record.orchestratorAnswer)", "explanation": "\(decision.explanation)",
                ])
        }
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
            await Self.backfill(name, worker: worker, start: end - seconds, end: end, logger: logger)
        }
        var result: [String: Int] = [:]
        for ((name, _), count) in zip(chosen, counts) { result[name] = count }
        return result
    }

    /// One target's backfill; `nil` when its source keeps no history or the read failed.
    private static func backfill(_ name: String, worker: TargetWorker, start: Double, end: Double, logger: Logger) async -> Int? {
        guard let (source, query) = await worker.backfillRequest else { return nil }
        let deadline = NIODeadline.now() + .seconds(60)
        let reading = await source.readRange(query, start: start, end: end, stepSeconds: 60, deadline: deadline)
        switch reading.result {
        case .failure(let error):
            logger.warning("backfill failed; the forecaster starts cold", metadata: ["target": "\(name)", "error": "\(error)"])
            return nil
        case .success(let points):
            do {
                let buckets = try await worker.seed(history: points.map { (time: $0.timestamp, rate: $0.value) })
                logger.info("forecaster seeded from history", metadata: ["target": "\(name)", "points": "\(points.count)"])
                return buckets
            } catch {
                logger.warning("backfill rejected; the forecaster starts cold", metadata: ["target": "\(name)", "error": "\(error)"])
                return nil
            }
        }
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

    private func persistOverride(_ override: TargetOverride?, target: String) {
        do { try deps.store.saveOverride(override, target: target) } catch {
            deps.logger.error("could not persist the override", metadata: ["target": "\(target)", "error": "\(error)"])
        }
    }

    // MARK: StatusBackend

    /// Every target has ticked once (with `controller.scalingTargets`, no target at all is ready too:
    /// the cluster may declare none yet); once ready, a target added later does not undo it.
    public func isReady() async -> Bool {
        if readyOnce { return true }
        readyOnce = (!order.isEmpty || config.controller.scalingTargets != nil) && order.allSatisfy { ticked.contains($0) }
        return readyOnce
    }

    public func status() async -> StatusSnapshot {
        let leader = await deps.elector?.isLeader ?? true
        return StatusSnapshot(
            version: ForescaleVersion.current, mode: effectiveGlobalMode, leader: leader,
            configGeneration: generation,
            configPath: configPath, configError: configError, ready: await isReady(), startedAtSeconds: startedAt, ticks: rounds,
            droppedDecisions: deps.store.droppedCount, targets: summaries(), leaderIdentity: await deps.elector?.leaderIdentity,
            leaseError: await deps.elector?.failure.map { "\($0)" })
    }

    public func targetSummaries() async -> [TargetSummary] { summaries() }

    /// A running target's summary and last decision (what a `ScalingTarget`'s status shows).
    public func targetState(_ name: String) -> (summary: TargetSummary, last: DecisionRecord?)? {
        guard let summary = summary(name, now: now()) else { return nil }
        return (summary, views[name]?.last)
    }

    private func summaries() -> [TargetSummary] {
        let now = now()
        return order.compactMap { summary($0, now: now) }
    }

    func summary(_ name: String, now: Double) -> TargetSummary? {
        guard let view = views[name] else { return nil }
        let (mode, source) = mode(of: name)
        let last = view.last
        let memory = view.memory
        let failure = view.lastFailure
        let safety: SafetyState = memory.fallbackActive ? .fallback : (last?.safety ?? (memory.circuitOpen ? .reactiveOnly : .normal))
        return TargetSummary(
            name: name, mode: mode, modeSource: source, workload: view.workload,
            currentReplicas: last?.decision.currentReplicas, desiredReplicas: last?.finalReplicas,
            reactiveReplicas: last?.decision.reactiveReplicas, safety: safety, lastDecisionSeconds: last?.timeSeconds,
            lastExplanation: last.map { $0.safetyNote.isEmpty ? $0.decision.explanation : "\($0.decision.explanation) — \($0.safetyNote)" },
            override: overrides[name].flatMap { $0.isActive(now: now) ? $0 : nil },
            consecutiveFailures: memory.consecutiveFailures, lastFailure: failure,
            consecutiveWriteFailures: view.consecutiveWriteFailures, lastWriteFailure: view.lastWriteFailure,
            sleep: last?.decision.inputs.scaleToZero)
    }

    // The reads below query SQLite off the runtime actor, so that a reader of the decision log never
    // holds up ticks (or the status of a thousand targets), and on a thread pool (`offload`), so that
    // they block no thread that runs tasks or network I/O.

    public nonisolated func targetDetail(name: String, scorecardWindowSeconds: Double) async throws(ControlError) -> TargetDetail {
        let (worker, summary, now, interval) = try await detailState(name)
        let inMemory = await worker.last
        let forecast = await worker.forecastView(now: now)
        let store = deps.store
        let (last, scorecard, audit) = try await offload { () throws(ControlError) in
            let last = try store.lastDecision(target: name) ?? inMemory
            let maxGap = max(interval * 4, 60)
            // From one gap before the window, so that the decision in force at its start counts.
            let inputs = try store.scoreInputs(target: name, from: now - scorecardWindowSeconds - maxGap, to: now)
            let scorecard = Scorecard.compute(
                target: name, inputs: inputs, from: now - scorecardWindowSeconds, to: now, maxGapSeconds: maxGap)
            return (last, scorecard, try store.audit(target: name, limit: 20))
        }
        return TargetDetail(summary: summary, lastDecision: last, forecast: forecast, scorecard: scorecard, audit: audit)
    }

    private func detailState(_ name: String) throws(ControlError) -> (TargetWorker, TargetSummary, Double, Double) {
        let now = now()
        guard let worker = workers[name], let summary = summary(name, now: now) else { throw unknownTarget(name, parameter: "name") }
        return (worker, summary, now, config.controller.intervalSeconds)
    }

    private func unknownTarget(_ name: String, parameter: String) -> ControlError {
        ControlError(.notFound, parameter: parameter, "no target named '\(name)' (targets: \(order.joined(separator: ", ")))")
    }

    private func knownTarget(_ name: String) -> Bool { workers[name] != nil }

    public nonisolated func series(name: String, windowSeconds: Double) async throws(ControlError) -> TargetSeries {
        guard await knownTarget(name) else { throw await unknownTarget(name, parameter: "name") }
        let now = deps.clock.now().timeIntervalSince1970
        // `to` is exclusive: include a decision made at this very instant.
        let store = deps.store
        return try await offload { () throws(ControlError) in
            let inputs = try store.scoreInputs(target: name, from: now - windowSeconds, to: now.nextUp)
            return TargetSeries.downsample(target: name, inputs: inputs, from: now - windowSeconds, to: now)
        }
    }

    public nonisolated func decisions(_ query: DecisionQuery) async throws(ControlError) -> DecisionPage {
        let store = deps.store
        // A target no longer configured is still known by its decisions in the log.
        let configured = if let target = query.target { await knownTarget(target) } else { true }
        let page = try await offload { () throws(ControlError) -> DecisionPage? in
            if !configured, let target = query.target, try store.lastDecision(target: target) == nil { return nil }
            return try store.decisions(query)
        }
        guard let page else { throw await unknownTarget(query.target ?? "", parameter: "target") }
        return page
    }

    public func setMode(_ mode: RunMode, target: String?, actor: String) async throws(ControlError) -> RunMode {
        let now = now()
        if let target {
            guard workers[target] != nil else { throw ControlError(.notFound, parameter: "name", "no target named '\(target)'") }
            let before = self.mode(of: target).mode
            do { try deps.store.saveTargetMode(mode, target: target) } catch {
                throw ControlError(.unavailable, "could not persist the mode: \(error)")
            }
            targetModes[target] = mode
            audit(AuditEvent(timeSeconds: now, target: target, kind: .mode, detail: "mode \(before.rawValue) → \(mode.rawValue)", actor: actor))
            deps.logger.notice(
                "target mode switched", metadata: ["target": "\(target)", "from": "\(before.rawValue)", "to": "\(mode.rawValue)", "actor": "\(actor)"])
            return mode
        }
        let before = effectiveGlobalMode
        do { try deps.store.saveGlobalMode(mode) } catch {
            throw ControlError(.unavailable, "could not persist the mode: \(error)")
        }
        globalMode = mode
        audit(AuditEvent(timeSeconds: now, target: nil, kind: .mode, detail: "global mode \(before.rawValue) → \(mode.rawValue)", actor: actor))
        deps.logger.notice("global mode switched", metadata: ["from": "\(before.rawValue)", "to": "\(mode.rawValue)", "actor": "\(actor)"])
        return mode
    }

    public func setOverride(_ request: OverrideRequest, target: String, actor: String) async throws(ControlError) -> TargetOverride {
        guard let targetConfig = config.targets.first(where: { $0.name == target }) else {
            throw ControlError(.notFound, parameter: "name", "no target named '\(target)'")
        }
        let seconds: Double
        switch ConfigValues.duration(request.duration) {
        case .failure(let error): throw ControlError(.badRequest, parameter: "duration", error.message)
        case .success(let value): seconds = value
        }
        guard seconds >= 60, seconds <= 7 * 86_400 else {
            throw ControlError(.badRequest, parameter: "duration", "must be 1m to 7d, got \(request.duration)")
        }
        if request.kind == .pin {
            guard let replicas = request.replicas else {
                throw ControlError(.badRequest, parameter: "replicas", "a pin needs replicas")
            }
            let bounds = targetConfig.policy.minReplicas...targetConfig.policy.maxReplicas
            guard bounds.contains(replicas) else {
                throw ControlError(
                    .conflict, parameter: "replicas",
                    "must be \(bounds.lowerBound)–\(bounds.upperBound) (replicas.min–replicas.max of \(target)), got \(replicas)")
            }
        } else if request.replicas != nil {
            throw ControlError(.badRequest, parameter: "replicas", "only a pin takes replicas")
        }
        let now = now()
        let override = TargetOverride(
            kind: request.kind, replicas: request.replicas, untilSeconds: now + seconds, reason: request.reason, createdAtSeconds: now)
        do { try deps.store.saveOverride(override, target: target) } catch {
            throw ControlError(.unavailable, "could not persist the override: \(error)")
        }
        overrides[target] = override
        let what = request.kind == .pin ? "pin \(request.replicas ?? 0)" : request.kind.rawValue
        let why = request.reason.map { ": \($0)" } ?? ""
        audit(AuditEvent(timeSeconds: now, target: target, kind: .override, detail: "override \(what) for \(request.duration)\(why)", actor: actor))
        deps.logger.notice("override set", metadata: ["target": "\(target)", "override": "\(what)", "duration": "\(request.duration)", "actor": "\(actor)"])
        return override
    }

    public func clearOverride(target: String, actor: String) async throws(ControlError) {
        guard workers[target] != nil else { throw ControlError(.notFound, parameter: "name", "no target named '\(target)'") }
        // Clearing is idempotent: no override, nothing to do (204, as the OpenAPI document says).
        guard let existing = overrides[target] else { return }
        do { try deps.store.saveOverride(nil, target: target) } catch {
            throw ControlError(.unavailable, "could not persist the override: \(error)")
        }
        overrides[target] = nil
        audit(AuditEvent(timeSeconds: now(), target: target, kind: .override, detail: "override \(existing.kind.rawValue) removed", actor: actor))
    }
}
