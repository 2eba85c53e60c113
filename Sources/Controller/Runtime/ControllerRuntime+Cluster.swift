import DecisionStorage
import ForescaleConfig
import MetricSources
import Orchestrators

/// Why a target from the cluster does not run.
public struct ClusterTargetRefusal: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// A target of the config file has its name (the file wins).
        case nameTaken
        /// Its sources or orchestrator cannot be made (the message names the key).
        case wiring
    }

    public var kind: Kind
    public var message: String
    public var description: String { message }

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}

extension ControllerRuntime {
    // MARK: Cluster targets

    /// The names the config file's targets use (a `ScalingTarget` of the same name is refused).
    public var fileTargetNames: [String] { fileTargets.map(\.name) }

    /// Runs `targets` (from `ScalingTarget` objects) beside the file's: new ones start, changed ones
    /// are wired again, missing ones stop. Only new and changed targets are wired (the file's and
    /// the unchanged ones keep theirs), with the orchestrators' current clients. A target that now
    /// scales another workload starts afresh. A changed target that cannot be wired keeps running
    /// as it was. Returns why each target that does not run as given is refused.
    @discardableResult
    public func setClusterTargets(_ targets: [TargetConfig], backfill: Bool = true) async -> [String: ClusterTargetRefusal] {
        await beginChange()
        defer { endChange() }
        let now = now()
        let fileNames = Set(fileTargets.map(\.name))
        var refused: [String: ClusterTargetRefusal] = [:]
        var wired: [String: (TargetConfig, [BoundRequest], any Orchestrator)] = [:]
        for name in order where fileNames.contains(name) {
            if let worker = workers[name] { wired[name] = await worker.wiring }
        }
        var changed: [TargetConfig] = []
        var given: [TargetConfig] = []
        for target in targets {
            if fileNames.contains(target.name) {
                refused[target.name] = ClusterTargetRefusal(.nameTaken, "the config file (\(configPath)) already has a target named '\(target.name)'")
                continue
            }
            given.append(target)
            if let worker = workers[target.name], await worker.config == target {
                wired[target.name] = await worker.wiring
            } else {
                changed.append(target)
            }
        }
        if !changed.isEmpty {
            var subset = config
            subset.targets = changed
            var failed: [String: String] = [:]
            do {
                let results = try await Self.wire(
                    subset, factory: deps.factory, context: deps.sourceContext, elector: deps.elector, failFast: { _ in false })
                for (target, result) in results {
                    switch result {
                    case .success(let (requests, orchestrator)): wired[target.name] = (target, requests, orchestrator)
                    case .failure(let error): failed[target.name] = error.description
                    }
                }
            } catch {
                for target in changed { failed[target.name] = error.description }
            }
            for (name, message) in failed {
                refused[name] = ClusterTargetRefusal(.wiring, message)
                // No surprise stop: a running target that cannot take its new settings keeps its old ones.
                if let worker = workers[name], !fileNames.contains(name) { wired[name] = await worker.wiring }
            }
            if !failed.isEmpty {
                deps.logger.error("cluster targets: some cannot be wired", metadata: ["errors": "\(failed.sorted { $0.key < $1.key })"])
            }
        }
        var new = config
        let fileOrder = fileTargets.map(\.name)
        let clusterOrder = given.map(\.name).filter { wired[$0] != nil }
        let installing = (fileOrder + clusterOrder).compactMap { wired[$0] }
        new.targets = installing.map(\.0)
        clusterTargets = installing.map(\.0).filter { !fileNames.contains($0.name) }
        let before = Set(order)
        let (removed, needBackfill) = await install(new, wired: installing, freshOnNewWorkload: true)
        let added = order.filter { !before.contains($0) }
        if !added.isEmpty || !removed.isEmpty || !needBackfill.isEmpty {
            var parts: [String] = []
            if !added.isEmpty { parts.append("added \(added.joined(separator: ", "))") }
            if !removed.isEmpty { parts.append("removed \(removed.joined(separator: ", "))") }
            let changedNames = needBackfill.filter { before.contains($0) }
            if !changedNames.isEmpty { parts.append("changed \(changedNames.joined(separator: ", "))") }
            let detail = "ScalingTarget objects: " + parts.joined(separator: "; ")
            audit(AuditEvent(timeSeconds: now, target: nil, kind: .config, detail: detail, actor: "cluster"))
            deps.logger.notice("cluster targets changed", metadata: ["detail": "\(detail)"])
        }
        if backfill, !needBackfill.isEmpty { _ = await self.backfill(targets: needBackfill) }
        return refused
    }

    /// Starts telling `observer` of every tick, audited change and reload.
    public func observe(with observer: any RuntimeObserver) { self.observer = observer }

    /// Waits for the config change in progress, if any, then holds the right to change until
    /// `endChange`.
    func beginChange() async {
        guard changing else {
            changing = true
            return
        }
        await withCheckedContinuation { changeWaiters.append($0) }  // `endChange` hands over, still changing
    }

    func endChange() {
        if changeWaiters.isEmpty {
            changing = false
        } else {
            changeWaiters.removeFirst().resume()
        }
    }
}
