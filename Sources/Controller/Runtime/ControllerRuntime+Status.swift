import DecisionStorage
import ForescaleConfig
import Pipeline

/// The runtime as the status API's backend: readiness, the status, target summaries and the
/// reads of the decision log (`StatusReads`).
extension ControllerRuntime {
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
            version: ForescaleVersion.current, mode: control.effectiveGlobalMode, leader: leader,
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
        let (mode, source) = control.mode(of: name)
        let last = view.last
        let memory = view.memory
        let failure = view.lastFailure
        let safety: SafetyState = memory.fallbackActive ? .fallback : (last?.safety ?? (memory.circuitOpen ? .reactiveOnly : .normal))
        return TargetSummary(
            name: name, mode: mode, modeSource: source, workload: view.workload,
            currentReplicas: last?.decision.currentReplicas, desiredReplicas: last?.finalReplicas,
            reactiveReplicas: last?.decision.reactiveReplicas, safety: safety, lastDecisionSeconds: last?.timeSeconds,
            lastExplanation: last.map { $0.safetyNote.isEmpty ? $0.decision.explanation : "\($0.decision.explanation) — \($0.safetyNote)" },
            override: control.activeOverride(name, now: now),
            consecutiveFailures: memory.consecutiveFailures, lastFailure: failure,
            consecutiveWriteFailures: view.consecutiveWriteFailures, lastWriteFailure: view.lastWriteFailure,
            sleep: last?.decision.inputs.scaleToZero)
    }

    // The reads of the decision log go through `StatusReads`, off the runtime actor.

    public nonisolated func targetDetail(name: String, scorecardWindowSeconds: Double) async throws(ControlError) -> TargetDetail {
        let (worker, summary, now, interval) = try await detailState(name)
        return try await StatusReads(store: deps.store).detail(
            name, summary: summary, inMemory: await worker.last, forecast: await worker.forecastView(now: now), now: now,
            intervalSeconds: interval, windowSeconds: scorecardWindowSeconds)
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
        return try await StatusReads(store: deps.store).series(name, now: deps.clock.now().timeIntervalSince1970, windowSeconds: windowSeconds)
    }

    public nonisolated func decisions(_ query: DecisionQuery) async throws(ControlError) -> DecisionPage {
        let configured = if let target = query.target { await knownTarget(target) } else { true }
        guard let page = try await StatusReads(store: deps.store).decisions(query, configured: configured) else {
            throw await unknownTarget(query.target ?? "", parameter: "target")
        }
        return page
    }
}
