import Controller
import DecisionStorage
import ForescaleConfig
import ForescaleTestKit
import Foundation
import Logging
import MetricSources
import Orchestrators
import Planner
import Synchronization
import Testing

/// The reconcile runtime with a scripted metric source, a recording orchestrator, an in-memory
/// store and a manual clock (no server, no SQLite): shadow never writes, live does, failures hold,
/// fallback and overrides apply. RuntimeKubernetesTests runs it with the Kubernetes adapter.
@Suite("Controller runtime")
struct RuntimeTests {
    /// What the metric source reads; `status` other than 200 makes every read fail.
    struct Served: Sendable {
        var lag = 0.0
        var rate = 150.0
        var throughput = 100.0
        var status = 200
    }

    final class ServedBox: Sendable {
        let value = Mutex(Served())
        func withLock<R: Sendable>(_ body: (inout Served) -> R) -> R { value.withLock { body(&$0) } }
    }

    static func configText(
        metricsURL: String, kubeconfig: String, dir: String, extra: String = "", replicas: String = "{ min: 1, max: 20 }"
    ) -> String {
        """
        controller:
          interval: 15s
          backfill: 0s
          decisionLog: { path: \(dir)/log.sqlite }
        sources:
          app: { type: json, url: \(metricsURL) }
        orchestrators:
          k8s: { type: kubernetes, kubeconfig: \(kubeconfig) }
        targets:
          - name: web
            scale: { orchestrator: k8s, kind: Deployment, namespace: default, name: web }
            replicas: \(replicas)
            metrics:
              lag: { source: app, pointer: /lag }
              arrivalRate: { source: app, pointer: /rate }
              throughput: { source: app, pointer: /throughput }
            capacity: { perReplica: 50 }
            # No start-up lead: no backlog is projected, the plan is the arrival rate's alone.
            startup: 0s
            fallback: { after: 3, replicas: 5 }
        \(extra)
        """
    }

    struct Harness {
        let runtime: ControllerRuntime
        let store: InMemoryDecisionStore
        let clock: ManualClock
        /// The workload's side: a recording orchestrator, or (`kubernetes: true`) the fake Kubernetes API.
        let workload: Workload
        let served: ServedBox
        let configPath: String
        let configText: (String) -> String
        let elector: LeaderElector?
        let metrics: RecordingMetrics

        enum Workload {
            case recording(Recorders)
            case kubernetes(FakeKubernetesAPIServer)
        }

        /// The fake Kubernetes API (tests of the runtime with the Kubernetes adapter).
        var kube: FakeKubernetesAPIServer {
            get throws {
                guard case .kubernetes(let kube) = workload else { throw HarnessError.notKubernetes }
                return kube
            }
        }

        /// Writes of the workload's count.
        func patches() async -> Int {
            switch workload {
            case .recording(let recorders): recorders.web.writes.count
            case .kubernetes(let kube): await kube.requests().filter { $0.method == "PATCH" }.count
            }
        }

        func replicas() async -> Int? {
            switch workload {
            case .recording(let recorders): recorders.web.replicas
            case .kubernetes(let kube): await kube.workload(name: "web")?.replicas
            }
        }

        func tick() async -> TickReport? {
            clock.advance(by: 15)
            return await runtime.tick(target: "web")
        }
    }

    enum HarnessError: Error { case notKubernetes }

    /// One recording orchestrator per target, each starting at 2 replicas, the same one again
    /// after a reload (as a real workload outlives a reload).
    final class Recorders: Sendable {
        let clock: ManualClock
        private let byTarget = Mutex<[String: RecordingOrchestrator]>([:])

        init(clock: ManualClock) { self.clock = clock }

        func orchestrator(for target: String?) -> RecordingOrchestrator {
            let name = target ?? ""
            return byTarget.withLock { all in
                if let existing = all[name] { return existing }
                let made = RecordingOrchestrator(replicas: 2, clock: clock, description: "recording \(name)")
                all[name] = made
                return made
            }
        }

        var web: RecordingOrchestrator { orchestrator(for: "web") }
    }

    /// What the scripted metric source answers: the served values, or a failure while `status` is
    /// not 200 (as the JSON endpoint these tests once read answered).
    static func answer(_ served: ServedBox) -> @Sendable (MetricRequest) -> ScriptedMetricSource.Answer {
        { request in
            let s = served.withLock { $0 }
            guard s.status == 200 else { return .failed(.httpStatus, "HTTP \(s.status)") }
            switch request.metric {
            case .lag: return .value(s.lag)
            case .arrivalRate: return .value(s.rate)
            default: return .value(s.throughput)
            }
        }
    }

    /// The runtime with a scripted metric source (no HTTP server), an in-memory store (no SQLite)
    /// and a recording orchestrator; with `kubernetes: true` the orchestrator is the Kubernetes
    /// adapter against the fake Kubernetes API (the tests of that adapter inside the runtime).
    /// - Parameter controllerExtra: lines added to `controller:` (two-space indented).
    static func withHarness(
        store: InMemoryDecisionStore = InMemoryDecisionStore(), kubernetes: Bool = false, leaderElection: Bool = false,
        replicas: String = "{ min: 1, max: 20 }", controllerExtra: String = "",
        _ body: @Sendable (Harness) async throws -> Void
    ) async throws {
        let clock = ManualClock()
        if kubernetes {
            try await FakeKubernetesAPIServer.withRunning { kube in
                await kube.addWorkload(name: "web", replicas: 2)
                try await withHarness(
                    store: store, clock: clock, workload: .kubernetes(kube), server: kube.baseURL, leaderElection: leaderElection,
                    replicas: replicas, controllerExtra: controllerExtra, body)
            }
        } else {
            precondition(!leaderElection, "leader election needs the Kubernetes API")
            // Never contacted: recording orchestrators stand in for the adapter.
            try await withHarness(
                store: store, clock: clock, workload: .recording(Recorders(clock: clock)), server: "https://127.0.0.1:9",
                leaderElection: false, replicas: replicas, controllerExtra: controllerExtra, body)
        }
    }

    private static func withHarness(
        store: InMemoryDecisionStore, clock: ManualClock, workload: Harness.Workload, server: String, leaderElection: Bool,
        replicas: String, controllerExtra: String, _ body: @Sendable (Harness) async throws -> Void
    ) async throws {
        let served = ServedBox()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("forescale-runtime-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let kubeconfig = "\(dir)/kubeconfig"
        try FakeKubernetesAPIServer.kubeconfig(server: server, token: "t").write(toFile: kubeconfig, atomically: true, encoding: .utf8)
        let configPath = "\(dir)/forescale.yaml"
        let text = { (extra: String) in
            Self.configText(metricsURL: "http://metrics.invalid/", kubeconfig: kubeconfig, dir: dir, extra: extra, replicas: replicas)
                .replacingOccurrences(of: "  backfill: 0s\n", with: "  backfill: 0s\n" + controllerExtra)
        }
        try text("").write(toFile: configPath, atomically: true, encoding: .utf8)
        let config = try ConfigLoader.load(path: configPath)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let context = SourceContext(clock: clock, registry: ScriptedMetricSource.registry(clock: clock, answer: Self.answer(served)))
        let factory: OrchestratorFactory
        switch workload {
        case .recording(let recorders): factory = OrchestratorFactory(clock: clock, substitutes: ["k8s": recorders.orchestrator(for:)])
        case .kubernetes: factory = OrchestratorFactory(clock: clock)
        }
        var elector: LeaderElector?
        if leaderElection {
            let client = try await factory.kubernetesClient(named: "k8s", settings: KubernetesSettings(kubeconfigPath: kubeconfig))
            let lease = client.leaseStore(namespace: "default", name: "forescale-leader")
            elector = try LeaderElector(
                settings: LeaderElectionSettings(identity: "me"), store: lease, namespace: "default", name: "forescale-leader", clock: clock)
            // Someone else holds the lease first.
            let other = try LeaderElector(
                settings: LeaderElectionSettings(identity: "other"), store: lease, namespace: "default", name: "forescale-leader", clock: clock)
            await other.attempt()
        }
        let metrics = RecordingMetrics()
        let runtime = try await ControllerRuntime(
            config: config, configPath: configPath,
            dependencies: .init(
                store: store, metrics: metrics, clock: clock, sourceContext: context,
                factory: factory, logger: logger, elector: elector))
        do {
            try await body(Harness(
                runtime: runtime, store: store, clock: clock, workload: workload, served: served, configPath: configPath,
                configText: text, elector: elector, metrics: metrics))
        } catch {
            await runtime.shutdown()
            throw error
        }
        await runtime.shutdown()
    }

    @Test("shadow mode records the decision and never PATCHes; switching to live makes the next tick scale")
    func shadowThenLive() async throws {
        try await Self.withHarness { h in
            let first = try #require(await h.tick()?.record)
            #expect(first.mode == .shadow)
            #expect(first.finalReplicas == 3, "150/s at 50/s per replica and the default 100 % utilisation needs 3")
            #expect(first.orchestratorAnswer == "shadow: would scale 2→3")
            #expect(!first.applied)
            _ = await h.tick()
            #expect(await h.patches() == 0)
            #expect(await h.replicas() == 2)

            #expect(try await h.runtime.setMode(.live, target: "web", actor: "test") == .live)
            let live = try #require(await h.tick()?.record)
            #expect(live.mode == .live)
            #expect(live.applied)
            #expect(live.orchestratorAnswer == "scaled 2→3")
            #expect(await h.patches() == 1)
            #expect(await h.replicas() == 3)
            #expect(h.store.auditEvents.contains { $0.kind == .mode && $0.detail == "mode shadow → live" && $0.actor == "test" })
            #expect(h.store.all.count == 3)
        }
    }

    @Test(
        "a target that scales to zero: live, it sleeps after the rules and the idle period, the summary says since when and what wakes it, and activity wakes it"
    )
    func sleepingTargetInTheSummary() async throws {
        try await Self.withHarness(replicas: "{ min: 0, max: 20 }") { h in
            _ = try await h.runtime.setMode(.live, target: nil, actor: "test")
            h.served.withLock { $0.rate = 0; $0.lag = 0; $0.throughput = 0 }
            var sleptAt: Double?
            for _ in 0..<80 where sleptAt == nil {
                let record = try #require(await h.tick()?.record)
                if record.decision.reasons.contains(.idleSleep) {
                    sleptAt = record.timeSeconds
                    #expect(record.decision.explanation.hasPrefix("sleep 1 → 0: "), "\(record.decision.explanation)")
                }
            }
            #expect(sleptAt != nil, "never slept")
            #expect(await h.replicas() == 0)
            for _ in 0..<4 { _ = await h.tick() }
            let asleep = try #require(await h.runtime.targetSummaries().first)
            #expect(asleep.currentReplicas == 0)
            let sleep = try #require(asleep.sleep)
            #expect(sleep.asleepSince != nil && sleep.asleepSince! > sleptAt!)
            #expect(sleep.wakesWhen.hasPrefix("lag > 0, arrival rate > 0/s"), "\(sleep.wakesWhen)")
            #expect(asleep.lastExplanation?.hasPrefix("asleep at 0: ") == true, "\(asleep.lastExplanation ?? "")")

            h.served.withLock { $0.rate = 100; $0.lag = 500 }
            let woken = try #require(await h.tick()?.record)
            #expect(woken.decision.reasons.contains(.wakeOnActivity), "\(woken.decision.explanation)")
            #expect(woken.finalReplicas >= 2, "100/s at 50/s per replica and 500 waiting: straight past 1")
            #expect(await h.replicas() == woken.finalReplicas)
            // Awake: nothing is asleep any more.
            _ = await h.tick()
            #expect(try #require(await h.runtime.targetSummaries().first).sleep?.asleepSince == nil)
        }
    }

    @Test("a failing source holds the count (no scale-down), shows the failure kind, and the fallback applies after 3 ticks")
    func failureHoldsThenFallback() async throws {
        try await Self.withHarness { h in
            _ = try await h.runtime.setMode(.live, target: nil, actor: "test")
            _ = await h.tick()
            #expect(await h.replicas() == 3)
            h.served.withLock { $0.status = 503 }
            let held = try #require(await h.tick())
            #expect(held.record?.finalReplicas == 3)
            #expect(held.record?.safety == .holding)
            #expect(held.failure?.kind == "httpStatus")
            let summary = try #require(await h.runtime.targetSummaries().first)
            #expect(summary.lastFailure?.stage == "source")
            #expect(summary.consecutiveFailures == 1)
            _ = await h.tick()
            let fallback = try #require(await h.tick()?.record)
            #expect(fallback.safety == .fallback)
            #expect(fallback.finalReplicas == 5, "the configured fallback count, above current")
            #expect(await h.replicas() == 5)
            #expect(h.store.auditEvents.contains { $0.kind == .safety && $0.detail.hasPrefix("fallback after 3 consecutive failed ticks") })
            // The source returns: the fallback ends and decisions resume (no sudden drop: stabilisation holds 5).
            h.served.withLock { $0.status = 200 }
            let back = try #require(await h.tick()?.record)
            #expect(back.safety == .normal)
            #expect(back.finalReplicas == 5)
            #expect(h.store.auditEvents.contains { $0.detail.hasPrefix("fallback ended") })
        }
    }

    @Test("a value the source read but the step refuses (negative) holds the count, says why with the value, and counts as an invalidValue read")
    func anInvalidValueIsJudgedByTheStep() async throws {
        try await Self.withHarness { h in
            _ = try await h.runtime.setMode(.live, target: nil, actor: "test")
            _ = await h.tick()
            #expect(await h.replicas() == 3)
            h.served.withLock { $0.lag = -5 }
            let held = try #require(await h.tick())
            #expect(held.record?.finalReplicas == 3)
            #expect(held.record?.safety == .holding)
            #expect(held.record?.decision.reasons.contains(.invalidMetric) == true)
            #expect(held.failure?.kind == "invalid")
            #expect(held.failure?.message == "lag is invalid (negative; a count or rate cannot be negative)", "\(held.failure?.message ?? "")")
            #expect(held.fetches.first { $0.metric == "lag" }?.errorKind == "invalidValue")
            #expect(held.fetches.first { $0.metric == "arrivalRate" }?.errorKind == nil)
            #expect(h.metrics.calls.withLock { $0.contains("fetch app lag invalidValue") })
        }
    }

    @Test("a pin override applies in live mode, is audited and persisted, and can be removed")
    func pinOverride() async throws {
        try await Self.withHarness { h in
            _ = try await h.runtime.setMode(.live, target: "web", actor: "test")
            let override = try await h.runtime.setOverride(
                OverrideRequest(kind: .pin, replicas: 7, duration: "30m", reason: "load test"), target: "web", actor: "api")
            #expect(override.replicas == 7)
            #expect(h.store.persisted.overrides["web"] == override)
            let record = try #require(await h.tick()?.record)
            #expect(record.finalReplicas == 7)
            #expect(record.safety == .overridden)
            #expect(await h.replicas() == 7)
            try await h.runtime.clearOverride(target: "web", actor: "api")
            #expect(h.store.persisted.overrides["web"] == nil)
            // Clearing again is not an error (the API answers 204, as its document says); nothing is audited.
            let auditedBefore = h.store.auditEvents.count
            try await h.runtime.clearOverride(target: "web", actor: "api")
            #expect(h.store.auditEvents.count == auditedBefore)
            await #expect(throws: ControlError(.notFound, parameter: "name", "no target named 'nope'")) {
                try await h.runtime.clearOverride(target: "nope", actor: "api")
            }
            // A pin above replicas.max is well formed but refused by the target's config: 409, not 400.
            let above = await #expect(throws: ControlError.self) {
                _ = try await h.runtime.setOverride(OverrideRequest(kind: .pin, replicas: 99, duration: "30m"), target: "web", actor: "api")
            }
            #expect(above?.kind == .conflict)
            #expect(above?.parameter == "replicas")
            // So is a pin below replicas.min (min 1 here): it would scale the workload to 0.
            let below = await #expect(throws: ControlError.self) {
                _ = try await h.runtime.setOverride(OverrideRequest(kind: .pin, replicas: 0, duration: "5m"), target: "web", actor: "api")
            }
            #expect(below?.kind == .conflict)
            #expect(below?.parameter == "replicas")
            #expect(below?.message.contains("1–20 (replicas.min–replicas.max of web), got 0") == true)
            #expect(h.store.persisted.overrides["web"] == nil)
            await #expect(throws: ControlError.self) {
                _ = try await h.runtime.setOverride(OverrideRequest(kind: .pause, duration: "forever"), target: "web", actor: "api")
            }
        }
    }

    @Test("modes and overrides survive a restart on the same store")
    func restart() async throws {
        let store = InMemoryDecisionStore()
        try await Self.withHarness(store: store) { h in
            _ = try await h.runtime.setMode(.live, target: "web", actor: "test")
            _ = try await h.runtime.setOverride(OverrideRequest(kind: .pauseScaleDown, duration: "1h"), target: "web", actor: "api")
            _ = await h.tick()
            await h.runtime.endRound()
            #expect(store.persisted.plannerStates["web"] != nil)
        }
        try await Self.withHarness(store: store) { h in
            let summary = try #require(await h.runtime.targetSummaries().first)
            #expect(summary.mode == .live)
            #expect(summary.modeSource == "target")
            #expect(summary.override?.kind == .pauseScaleDown)
        }
    }

    @Test("an invalid config on reload is rejected, the old one keeps running and the error shows in the status")
    func rejectedReload() async throws {
        try await Self.withHarness { h in
            try "controller: { interval: soon }\n".write(toFile: h.configPath, atomically: true, encoding: .utf8)
            let accepted = await h.runtime.reload(ConfigLoader.loadResult(path: h.configPath))
            #expect(!accepted)
            let status = await h.runtime.status()
            #expect(status.configGeneration == 1)
            #expect(status.configError?.contains("controller.interval") == true)
            #expect(await h.tick()?.record != nil, "the old config still ticks")

            try h.configText("").replacingOccurrences(of: "min: 1", with: "min: 4").write(toFile: h.configPath, atomically: true, encoding: .utf8)
            #expect(await h.runtime.reload(ConfigLoader.loadResult(path: h.configPath)))
            let after = await h.runtime.status()
            #expect(after.configGeneration == 2)
            #expect(after.configError == nil)
            #expect(await h.tick()?.record?.finalReplicas == 4, "the new min applies")
        }
    }

    @Test("cluster targets run beside the file's: a file name is refused, a file reload keeps them or (taking a name) drops them, and an empty set stops them")
    func clusterTargets() async throws {
        try await Self.withHarness { h in
            var extra = try #require(await h.runtime.config.targets.first)
            extra.name = "extra"
            var clash = extra
            clash.name = "web"
            let refused = await h.runtime.setClusterTargets([extra, clash])
            #expect(refused.keys.sorted() == ["web"])
            #expect(refused["web"]?.kind == .nameTaken && refused["web"]?.message.contains("already has a target named 'web'") == true, "\(refused)")
            #expect(await h.runtime.targetNames == ["web", "extra"])
            h.clock.advance(by: 15)
            #expect(await h.runtime.tick(target: "extra")?.record != nil)
            #expect(await h.runtime.status().configGeneration == 1, "cluster targets are not a config generation")

            // A file reload keeps the cluster's targets.
            #expect(await h.runtime.reload(ConfigLoader.loadResult(path: h.configPath)))
            #expect(await h.runtime.targetNames == ["web", "extra"])
            // A file that now declares `extra` wins: the cluster's `extra` is dropped.
            try h.configText("").replacingOccurrences(of: "- name: web", with: "- name: extra")
                .write(toFile: h.configPath, atomically: true, encoding: .utf8)
            #expect(await h.runtime.reload(ConfigLoader.loadResult(path: h.configPath)))
            #expect(await h.runtime.targetNames == ["extra"])
            #expect(await h.runtime.fileTargetNames == ["extra"])
            // The next set from the cluster says why `extra` does not run; none stops them all.
            #expect(await h.runtime.setClusterTargets([extra])["extra"]?.message.contains("already has a target named 'extra'") == true)
            #expect(await h.runtime.setClusterTargets([]).isEmpty)
            #expect(await h.runtime.targetNames == ["extra"])
        }
    }

    @Test("a cluster target's planner state survives a restart although it joins after start-up")
    func clusterTargetPlannerStateSurvivesRestart() async throws {
        let store = InMemoryDecisionStore()
        let saved = Mutex<PlannerState?>(nil)
        try await Self.withHarness(store: store) { h in
            var extra = try #require(await h.runtime.config.targets.first)
            extra.name = "extra"
            #expect(await h.runtime.setClusterTargets([extra]).isEmpty)
            h.clock.advance(by: 15)
            #expect(await h.runtime.tick(target: "extra")?.record != nil)
            await h.runtime.endRound()
            saved.withLock { $0 = store.persisted.plannerStates["extra"] }
        }
        let before = try #require(saved.withLock { $0 })
        #expect(before != PlannerState(), "one tick leaves something to keep")
        try await Self.withHarness(store: store) { h in
            var extra = try #require(await h.runtime.config.targets.first)
            extra.name = "extra"
            #expect(await h.runtime.setClusterTargets([extra]).isEmpty)
            await h.runtime.endRound()
            #expect(store.persisted.plannerStates["extra"] == before)
        }
    }

    /// One tick at `rate` that must write.
    static func scaleOnce(_ h: Harness, rate: Double) async {
        h.served.withLock { $0.rate = rate }
        let record = await h.tick()?.record
        #expect(record?.applied == true, "\(record?.orchestratorAnswer ?? "no decision")")
    }

    @Test("ready only after every target has ticked once")
    func readiness() async throws {
        try await Self.withHarness { h in
            #expect(!(await h.runtime.isReady()))
            _ = await h.tick()
            #expect(await h.runtime.isReady())
        }
    }
}

extension RuntimeTests {
    @Test("the series holds one point per decision with capacity = per-replica capacity × running replicas; unknown targets are 404")
    func seriesFromTheDecisionLog() async throws {
        try await Self.withHarness { h in
            for _ in 0..<4 { _ = await h.tick() }
            let series = try await h.runtime.series(name: "web", windowSeconds: 3600)
            #expect(series.target == "web")
            #expect(series.points.count == 4)
            let last = try #require(series.points.last)
            #expect(last.arrivalRate == 150)
            #expect(last.replicas == 2 && last.planned == 3)
            #expect(last.capacity == 100)
            await #expect(throws: ControlError.self) { try await h.runtime.series(name: "nope", windowSeconds: 3600) }
        }
    }
}
