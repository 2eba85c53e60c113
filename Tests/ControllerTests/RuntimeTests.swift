import Controller
import ForescaleConfig
import ForescaleTestKit
import Foundation
import Logging
import MetricSources
import Orchestrators
import Planner
import Synchronization
import Testing

/// The reconcile runtime against an in-process JSON metrics endpoint and the fake Kubernetes API,
/// with a manual clock: shadow never writes, live does, failures hold, fallback and overrides apply.
@Suite("Controller runtime")
struct RuntimeTests {
    /// What the JSON endpoint serves; `status` other than 200 makes every read fail.
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
        let store: MemoryStore
        let clock: ManualClock
        let kube: FakeKubernetesAPIServer
        let served: ServedBox
        let configPath: String
        let configText: (String) -> String
        let elector: LeaderElector?
        let metrics: RecordingMetrics

        func patches() async -> Int { await kube.requests().filter { $0.method == "PATCH" }.count }
        func replicas() async -> Int? { await kube.workload(name: "web")?.replicas }

        func tick() async -> TickReport? {
            clock.advance(by: 15)
            return await runtime.tick(target: "web")
        }
    }

    /// - Parameter controllerExtra: lines added to `controller:` (two-space indented).
    static func withHarness(
        store: MemoryStore = MemoryStore(), leaderElection: Bool = false, replicas: String = "{ min: 1, max: 20 }",
        controllerExtra: String = "",
        _ body: @Sendable (Harness) async throws -> Void
    ) async throws {
        let served = ServedBox()
        try await FakeKubernetesAPIServer.withRunning { kube in
            await kube.addWorkload(name: "web", replicas: 2)
            try await InProcessHTTPServer.withRunning(handler: { _ in
                let s = served.withLock { $0 }
                return .json(s.status, #"{"lag": \#(s.lag), "rate": \#(s.rate), "throughput": \#(s.throughput)}"#)
            }) { metricsURL in
                let dir = FileManager.default.temporaryDirectory.appendingPathComponent("forescale-runtime-\(UUID().uuidString)").path
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(atPath: dir) }
                let kubeconfig = "\(dir)/kubeconfig"
                try FakeKubernetesAPIServer.kubeconfig(server: kube.baseURL, token: "t")
                    .write(toFile: kubeconfig, atomically: true, encoding: .utf8)
                let configPath = "\(dir)/forescale.yaml"
                let text = { (extra: String) in
                    Self.configText(metricsURL: metricsURL, kubeconfig: kubeconfig, dir: dir, extra: extra, replicas: replicas)
                        .replacingOccurrences(of: "  backfill: 0s\n", with: "  backfill: 0s\n" + controllerExtra)
                }
                try text("").write(toFile: configPath, atomically: true, encoding: .utf8)
                let config = try ConfigLoader.load(path: configPath)
                let clock = ManualClock()
                var logger = Logger(label: "test")
                logger.logLevel = .critical
                let context = SourceContext(clock: clock)
                let factory = OrchestratorFactory(clock: clock)
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
                        runtime: runtime, store: store, clock: clock, kube: kube, served: served, configPath: configPath, configText: text,
                        elector: elector, metrics: metrics))
                } catch {
                    await runtime.shutdown()
                    throw error
                }
                await runtime.shutdown()
            }
        }
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
            #expect(h.store.state.withLock { $0.persisted.overrides["web"] } == override)
            let record = try #require(await h.tick()?.record)
            #expect(record.finalReplicas == 7)
            #expect(record.safety == .overridden)
            #expect(await h.replicas() == 7)
            try await h.runtime.clearOverride(target: "web", actor: "api")
            #expect(h.store.state.withLock { $0.persisted.overrides["web"] } == nil)
            // Clearing again is not an error (the API answers 204, as its document says); nothing is audited.
            let auditedBefore = h.store.state.withLock { $0.audit.count }
            try await h.runtime.clearOverride(target: "web", actor: "api")
            #expect(h.store.state.withLock { $0.audit.count } == auditedBefore)
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
            #expect(h.store.state.withLock { $0.persisted.overrides["web"] } == nil)
            await #expect(throws: ControlError.self) {
                _ = try await h.runtime.setOverride(OverrideRequest(kind: .pause, duration: "forever"), target: "web", actor: "api")
            }
        }
    }

    @Test("modes and overrides survive a restart on the same store")
    func restart() async throws {
        let store = MemoryStore()
        try await Self.withHarness(store: store) { h in
            _ = try await h.runtime.setMode(.live, target: "web", actor: "test")
            _ = try await h.runtime.setOverride(OverrideRequest(kind: .pauseScaleDown, duration: "1h"), target: "web", actor: "api")
            _ = await h.tick()
            await h.runtime.endRound()
            #expect(store.state.withLock { $0.persisted.plannerStates["web"] } != nil)
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
        let store = MemoryStore()
        let saved = Mutex<PlannerState?>(nil)
        try await Self.withHarness(store: store) { h in
            var extra = try #require(await h.runtime.config.targets.first)
            extra.name = "extra"
            #expect(await h.runtime.setClusterTargets([extra]).isEmpty)
            h.clock.advance(by: 15)
            #expect(await h.runtime.tick(target: "extra")?.record != nil)
            await h.runtime.endRound()
            saved.withLock { $0 = store.state.withLock { $0.persisted.plannerStates["extra"] } }
        }
        let before = try #require(saved.withLock { $0 })
        #expect(before != PlannerState(), "one tick leaves something to keep")
        try await Self.withHarness(store: store) { h in
            var extra = try #require(await h.runtime.config.targets.first)
            extra.name = "extra"
            #expect(await h.runtime.setClusterTargets([extra]).isEmpty)
            await h.runtime.endRound()
            #expect(store.state.withLock { $0.persisted.plannerStates["extra"] } == before)
        }
    }

    /// One tick at `rate` that must write.
    static func scaleOnce(_ h: Harness, rate: Double) async {
        h.served.withLock { $0.rate = rate }
        let record = await h.tick()?.record
        #expect(record?.applied == true, "\(record?.orchestratorAnswer ?? "no decision")")
    }

    @Test("a reload that changes the kubeconfig, or the credentials in it, writes with the new ones; a missing kubeconfig is rejected")
    func reloadRebuildsTheKubernetesClient() async throws {
        try await Self.withHarness { h in
            func lastToken() async -> String? {
                await h.kube.requests().last { $0.method == "PATCH" }?.header("Authorization")
            }
            func reload(kubeconfig path: String) async throws -> Bool {
                try h.configText("").replacingOccurrences(of: "kubeconfig: \(kubeconfig)", with: "kubeconfig: \(path)")
                    .write(toFile: h.configPath, atomically: true, encoding: .utf8)
                return await h.runtime.reload(ConfigLoader.loadResult(path: h.configPath))
            }
            let dir = URL(fileURLWithPath: h.configPath).deletingLastPathComponent().path
            let kubeconfig = "\(dir)/kubeconfig"
            _ = try await h.runtime.setMode(.live, target: "web", actor: "test")
            await Self.scaleOnce(h, rate: 200)
            #expect(await lastToken() == "Bearer t")

            // Another kubeconfig (a less privileged user): the next write carries its token.
            let scaler = "\(dir)/kubeconfig-scaler"
            let original = try String(contentsOfFile: kubeconfig, encoding: .utf8)
            try original.replacingOccurrences(of: "token: t }", with: "token: scaler-token }").write(toFile: scaler, atomically: true, encoding: .utf8)
            #expect(try await reload(kubeconfig: scaler))
            var status = await h.runtime.status()
            #expect(status.configGeneration == 2 && status.configError == nil)
            #expect(h.store.auditEvents.last?.detail.contains("new API client (kubeconfig, context or credentials changed) for orchestrators: k8s") == true)
            await Self.scaleOnce(h, rate: 400)
            #expect(await lastToken() == "Bearer scaler-token")

            // The same path with a rotated credential in it: read again on reload, used at once.
            try original.replacingOccurrences(of: "token: t }", with: "token: rotated }").write(toFile: scaler, atomically: true, encoding: .utf8)
            #expect(try await reload(kubeconfig: scaler))
            await Self.scaleOnce(h, rate: 800)
            #expect(await lastToken() == "Bearer rotated")

            // A kubeconfig that does not exist fails the reload as it fails start-up; nothing changes.
            #expect(try await !reload(kubeconfig: "\(dir)/missing-kubeconfig"))
            status = await h.runtime.status()
            #expect(status.configGeneration == 3)
            #expect(status.configError?.contains("orchestrators.k8s") == true, "\(status.configError ?? "nil")")
            #expect(status.configError?.contains("missing-kubeconfig") == true)
            await Self.scaleOnce(h, rate: 1000)
            #expect(await lastToken() == "Bearer rotated")
        }
    }

    @Test("a live write refused with 403 is counted by kind and shown in the status until a write succeeds; shadow writes nothing and fails nothing")
    func failedWritesAreVisible() async throws {
        try await Self.withHarness { h in
            _ = try await h.runtime.setMode(.live, target: "web", actor: "test")
            // RBAC that lets the controller read the workload but not scale it.
            await h.kube.setAllowed(["get deployments/scale", "get deployments", "list deployments", "watch deployments"])
            h.served.withLock { $0.rate = 400 }
            let first = try #require(await h.tick())
            #expect(first.writeFailure?.kind == "forbidden")
            #expect(first.consecutiveWriteFailures == 1)
            #expect(first.record?.applied == false)
            let second = try #require(await h.tick())
            #expect(second.consecutiveWriteFailures == 2)
            var summary = try #require(await h.runtime.status().targets.first)
            #expect(summary.consecutiveWriteFailures == 2)
            #expect(summary.lastWriteFailure?.kind == "forbidden")
            #expect(summary.lastWriteFailure?.stage == "orchestrator")
            #expect(h.metrics.calls.withLock { $0.filter { $0 == "write-failure web forbidden" }.count } == 2)
            #expect(await h.replicas() == 2, "nothing was written")

            // The permission comes back: the next write succeeds and the count resets.
            await h.kube.setAllowed(nil)
            #expect(try #require(await h.tick()?.record).applied)
            summary = try #require(await h.runtime.status().targets.first)
            #expect(summary.consecutiveWriteFailures == 0)
            #expect(summary.lastWriteFailure == nil)

            // Shadow mode never writes, so it never fails a write.
            _ = try await h.runtime.setMode(.shadow, target: "web", actor: "test")
            await h.kube.setAllowed(["get deployments/scale", "get deployments", "list deployments", "watch deployments"])
            h.served.withLock { $0.rate = 900 }
            let shadow = try #require(await h.tick())
            #expect(shadow.writeFailure == nil && shadow.consecutiveWriteFailures == 0)
            #expect(h.metrics.calls.withLock { $0.filter { $0.hasPrefix("write-failure") }.count } == 2)
        }
    }

    @Test("with leader election a live follower writes nothing; once it holds the lease it scales")
    func leaderGating() async throws {
        try await Self.withHarness(leaderElection: true) { h in
            let elector = try #require(h.elector)
            _ = try await h.runtime.setMode(.live, target: nil, actor: "test")
            await elector.attempt()
            #expect(!(await elector.isLeader))
            #expect(await h.runtime.status().leader == false)
            let follower = try #require(await h.tick()?.record)
            #expect(follower.orchestratorAnswer == "not leader: nothing written")
            #expect(!follower.applied)
            #expect(await h.patches() == 0)
            // The other holder stops renewing: after the lease duration this replica takes over.
            h.clock.advance(by: 20)
            await elector.attempt()
            #expect(await elector.isLeader)
            #expect(await h.runtime.status().leader)
            let leader = try #require(await h.runtime.tick(target: "web")?.record)
            #expect(leader.applied)
            #expect(await h.patches() == 1)
        }
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
