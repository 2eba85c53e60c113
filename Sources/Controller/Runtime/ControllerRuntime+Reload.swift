import DecisionStorage
import ForescaleConfig
import MetricSources
import Orchestrators

extension ControllerRuntime {
    // MARK: Reload

    /// Takes a new config: rejected (the old one keeps running, the error shows in the status)
    /// when it does not validate or cannot be wired, or when it changes the status listener, the
    /// decision log, leader election or `controller.scalingTargets` (those need a restart).
    /// The cluster's targets stay; one whose name the file now uses is dropped (a name conflict).
    @discardableResult
    public func reload(_ result: Result<Config, ConfigErrors>) async -> Bool {
        await beginChange()
        defer { endChange() }
        let now = now()
        let file: Config
        switch result {
        case .failure(let errors):
            return rejectReload("\(errors.problems.count) problem(s): " + errors.problems.map(\.description).joined(separator: "; "), now: now)
        case .success(let config): file = config
        }
        if file.controller.status != config.controller.status || file.controller.decisionLog.path != config.controller.decisionLog.path
            || file.controller.leaderElection != config.controller.leaderElection
            || file.controller.scalingTargets != config.controller.scalingTargets
        {
            return rejectReload(
                "controller.status, controller.decisionLog.path, controller.leaderElection and controller.scalingTargets cannot change without a restart",
                now: now)
        }
        var new = file
        let fileNames = Set(file.targets.map(\.name))
        new.targets = file.targets + clusterTargets.filter { !fileNames.contains($0.name) }
        // Every orchestrator's settings are compared and its kubeconfig read again, as at start-up:
        // a changed kubeconfig, context or credential gets a new client, a missing one rejects the
        // reload, and nothing changes until the whole new config is wired.
        await deps.factory.beginReload()
        let wired: [(TargetConfig, [BoundRequest], any Orchestrator)]
        let leaseStore: (any LeaseStore)?
        do {
            var refused: [String: String] = [:]
            // A cluster target that cannot be wired is left out (its status says why); a file target rejects the reload.
            wired = try Self.keepWired(
                try await Self.wire(
                    new, factory: deps.factory, context: deps.sourceContext, elector: deps.elector, failFast: { fileNames.contains($0.name) }),
                fileNames: fileNames, refused: &refused)
            leaseStore = try await Self.leaseStore(new, factory: deps.factory, elector: deps.elector)
        } catch {
            await deps.factory.abortReload()
            return rejectReload(error.description, now: now)
        }
        // The election moves to the new client before the old one stops, so no attempt meets a
        // closed client.
        let replacedClients = await deps.factory.replacedInReload()
        if let leaseStore, let election = new.controller.leaderElection, replacedClients.contains(election.orchestrator) {
            await deps.elector?.use(store: leaseStore)
        }
        await deps.factory.commitReload()
        fileTargets = file.targets
        new.targets = wired.map(\.0)
        let (removed, needBackfill) = await install(new, wired: wired)
        generation += 1
        configError = nil
        let detail =
            "config generation \(generation) loaded from \(configPath)" + (removed.isEmpty ? "" : "; removed targets: \(removed.joined(separator: ", "))")
            + (replacedClients.isEmpty
                ? "" : "; new API client (kubeconfig, context or credentials changed) for orchestrators: \(replacedClients.joined(separator: ", "))")
        audit(AuditEvent(timeSeconds: now, target: nil, kind: .config, detail: detail, actor: "config"))
        deps.logger.notice("config reloaded", metadata: ["generation": "\(generation)", "path": "\(configPath)", "detail": "\(detail)"])
        observer?.configReloaded()
        if !needBackfill.isEmpty { _ = await backfill(targets: needBackfill) }
        return true
    }

    /// Makes `new` the config in force with the wired targets: existing workers are reconfigured,
    /// new ones made, removed ones released. Returns the removed targets and those to backfill.
    /// - Parameter freshOnNewWorkload: a target that now scales another workload gets a new worker
    ///   (its planner state, learned capacity and safety memory were the other workload's).
    func install(_ new: Config, wired: [(TargetConfig, [BoundRequest], any Orchestrator)], freshOnNewWorkload: Bool = false) async
        -> (removed: [String], backfill: [String])
    {
        var newWorkers: [String: TargetWorker] = [:]
        var needBackfill: [String] = []
        for (target, requests, orchestrator) in wired {
            var existing = workers[target.name]
            if freshOnNewWorkload, let worker = existing, await worker.config.scale != target.scale {
                await deps.factory.release(target.name)
                existing = nil
            }
            if let worker = existing {
                if await worker.reconfigure(config: target, requests: requests, orchestrator: orchestrator, interval: new.controller.intervalSeconds) {
                    needBackfill.append(target.name)
                }
                newWorkers[target.name] = worker
            } else {
                newWorkers[target.name] = TargetWorker(
                    config: target, requests: requests, orchestrator: orchestrator, interval: new.controller.intervalSeconds,
                    planner: restoredPlanners.removeValue(forKey: target.name))
                needBackfill.append(target.name)
            }
        }
        let removed = order.filter { newWorkers[$0] == nil }
        for name in removed { await deps.factory.release(name) }  // a removed target's process pool stops
        var newViews: [String: TargetWorker.View] = [:]
        for (name, worker) in newWorkers { newViews[name] = await worker.view }
        workers = newWorkers
        views = newViews
        order = new.targets.map(\.name)
        ticked = ticked.filter { newWorkers[$0] != nil }
        config = new
        return (removed, needBackfill)
    }

    func rejectReload(_ message: String, now: Double) -> Bool {
        configError = message
        audit(
            AuditEvent(
                timeSeconds: now, target: nil, kind: .config, detail: "reload rejected, generation \(generation) keeps running: \(message)", actor: "config"))
        deps.logger.error("config reload rejected; the running generation keeps running", metadata: ["generation": "\(generation)", "error": "\(message)"])
        return false
    }
}
