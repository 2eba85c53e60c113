import Controller
import ForescaleConfig
import ForescaleTestKit
import Foundation
import Logging
import MetricSources
@testable import Orchestrators
import Synchronization
import Testing

/// What probes of a live controller against a real API server found (issue #22), each reproduced
/// here against the real kube-apiserver: a reload that switched credentials but kept writing with
/// the old ones, a lease the controller could not touch and said nothing of, and two replicas of
/// one host name that both led.
@Suite("Hardening (real kube-apiserver)")
struct HardeningRealServerTests {
    let admin = AdminAPI()

    /// What the metric endpoint serves: an arrival rate; no lag.
    final class Rate: Sendable {
        let value = Mutex(400.0)
    }

    /// RBAC rules on Deployments and their scale subresource with `verbs`.
    static func workloadRules(_ verbs: [String]) -> [[String: Any]] {
        [["apiGroups": ["apps"], "resources": ["deployments", "deployments/scale"], "verbs": verbs]]
    }

    static func configText(namespace: String, kubeconfig: String, metricsURL: String, dir: String, leaderElection: Bool = false) -> String {
        """
        controller:
          interval: 15s
          backfill: 0s
          mode: live
          decisionLog: { path: \(dir)/decisions.sqlite }
        \(leaderElection ? "  leaderElection: { orchestrator: k8s, namespace: \(namespace), name: forescale-leader }" : "")
        sources:
          app: { type: json, url: \(metricsURL) }
        orchestrators:
          k8s: { type: kubernetes, kubeconfig: \(kubeconfig) }
        targets:
          - name: web
            scale: { orchestrator: k8s, kind: Deployment, namespace: \(namespace), name: web }
            replicas: { min: 1, max: 30 }
            metrics:
              lag: { source: app, pointer: /lag }
              arrivalRate: { source: app, pointer: /rate }
            capacity: { perReplica: 50 }
            startup: 0s
        """
    }

    /// A controller (decision log, runtime, elector) from a config written into a temporary folder,
    /// its JSON metric source served in-process.
    func withController(
        namespace: String, kubeconfig: String, leaderElection: Bool = false,
        _ body: (ControllerApp, Rate, ManualClock, _ writeConfig: (String) throws -> String) async throws -> Void
    ) async throws {
        let rate = Rate()
        try await InProcessHTTPServer.withRunning(handler: { _ in
            .json(200, #"{"lag": 0, "rate": \#(rate.value.withLock { $0 })}"#)
        }) { metricsURL in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fs-hardening-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let configPath = "\(dir)/forescale.yaml"
            let write = { (kubeconfig: String) throws -> String in
                try Self.configText(namespace: namespace, kubeconfig: kubeconfig, metricsURL: metricsURL, dir: dir, leaderElection: leaderElection)
                    .write(toFile: configPath, atomically: true, encoding: .utf8)
                return configPath
            }
            let config = try ConfigLoader.load(path: try write(kubeconfig))
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let clock = ManualClock()
            let app = try await ControllerApp.start(
                config: config, configPath: configPath, clock: clock, logger: logger,
                sourceContext: SourceContext(clock: clock))
            do {
                try await body(app, rate, clock, write)
            } catch {
                await app.runtime.shutdown()
                try? app.log.close()
                throw error
            }
            await app.runtime.shutdown()
            try? app.log.close()
        }
    }

    // MARK: 1. A reload that changes credentials

    @Test(
        "a reload to a less privileged kubeconfig writes with it from the next tick (403), not with the old admin token; a missing kubeconfig is refused",
        .realAPIServer)
    func reloadSwitchesCredentials() async throws {
        try await withNamespace { ns in
            try await admin.createDeployment(ns, "web", replicas: 2)
            // The limited user may read and watch the workload, not scale it.
            try await admin.bindRole("read-only", rules: Self.workloadRules(["get", "list", "watch"]), in: ns)
            let canRead = try await poll(seconds: 15, {
                    (try? await withClient(RealAPIServer.limitedKubeconfig) {
                        try await $0.orchestrator(for: KubernetesTarget(kind: .deployment, namespace: ns, name: "web")).currentScale()
                    }) != nil
            }, until: { $0 })
            try #require(canRead, "the read-only role did not take effect")

            try await withController(namespace: ns, kubeconfig: RealAPIServer.adminKubeconfig) { app, rate, clock, writeConfig in
                clock.advance(by: 15)
                let first = try #require(await app.runtime.tick(target: "web")?.record)
                #expect(first.applied, "\(first.orchestratorAnswer)")
                let scaled = first.finalReplicas
                #expect(scaled > 2)
                #expect(try await admin.deployment(ns, "web").spec.replicas == scaled)

                #expect(await app.runtime.reload(ConfigLoader.loadResult(path: try writeConfig(RealAPIServer.limitedKubeconfig))))
                let status = await app.runtime.status()
                #expect(status.configGeneration == 2)
                #expect(status.configError == nil)

                rate.value.withLock { $0 = 800 }
                clock.advance(by: 15)
                let refused = try #require(await app.runtime.tick(target: "web"))
                #expect(refused.writeFailure?.kind == "forbidden", "\(refused.record?.orchestratorAnswer ?? "no record")")
                #expect(refused.record?.orchestratorAnswer.contains(#"verb "patch" on resource "deployments/scale""#) == true)
                #expect(refused.record?.orchestratorAnswer.contains(ns) == true)
                #expect(try await admin.deployment(ns, "web").spec.replicas == scaled, "the old admin credentials wrote nothing")
                #expect(await app.runtime.status().targets.first?.consecutiveWriteFailures == 1)

                // A kubeconfig that does not exist fails the reload as it fails start-up.
                let missing = RealAPIServer.directory + "/no-such-kubeconfig"
                #expect(await !app.runtime.reload(ConfigLoader.loadResult(path: try writeConfig(missing))))
                let after = await app.runtime.status()
                #expect(after.configGeneration == 2)
                #expect(after.configError?.contains("no-such-kubeconfig") == true, "\(after.configError ?? "nil")")
            }
        }
    }

    // MARK: 2. A lease the controller cannot touch

    @Test("without RBAC on Leases the status says why this replica does not lead and the lease errors are counted; once granted it leads", .realAPIServer)
    func leaseErrorsAreVisible() async throws {
        try await withNamespace { ns in
            try await admin.createDeployment(ns, "web", replicas: 2)
            try await admin.bindRole("scaler", rules: Self.workloadRules(["get", "list", "watch", "patch"]), in: ns)
            try await withController(namespace: ns, kubeconfig: RealAPIServer.limitedKubeconfig, leaderElection: true) { app, _, _, _ in
                let elector = try #require(app.elector)
                await elector.attempt()
                let status = await app.runtime.status()
                #expect(!status.leader)
                #expect(status.leaseError?.contains("forbidden") == true, "\(status.leaseError ?? "nil")")
                #expect(status.leaseError?.contains("leases") == true)
                #expect(status.leaseError?.contains(ns) == true)
                var metrics = app.metrics.exposition()
                #expect(metrics.contains("forescale_leader 0"), "\(metrics)")
                #expect(metrics.contains(#"forescale_lease_errors_total{kind="forbidden"} 1"#), "\(metrics)")
                let record = try #require(await app.runtime.tick(target: "web")?.record)
                #expect(record.orchestratorAnswer == "not leader: nothing written" || !record.applied)

                // The permission the manifests grant: the next attempts lead and the error clears.
                try await admin.bindRole(
                    "leases", rules: [["apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["get", "create", "update"]]],
                    in: ns)
                let leads = try await poll(seconds: 15, {
                    await elector.attempt()
                    return await elector.isLeader
                }, until: { $0 })
                #expect(leads)
                let after = await app.runtime.status()
                #expect(after.leader)
                #expect(after.leaseError == nil)
                let identity = await elector.identity
                #expect(after.leaderIdentity == identity)
                metrics = app.metrics.exposition()
                #expect(metrics.contains("forescale_leader 1"), "\(metrics)")
            }
        }
    }

    @Test("a reload that changes the election orchestrator's kubeconfig moves the Lease to the new credentials", .realAPIServer)
    func reloadMovesTheLease() async throws {
        try await withNamespace { ns in
            try await admin.createDeployment(ns, "web", replicas: 2)
            // The limited user may scale and read, but not touch Leases.
            try await admin.bindRole("scaler", rules: Self.workloadRules(["get", "list", "watch", "patch"]), in: ns)
            try await withController(namespace: ns, kubeconfig: RealAPIServer.adminKubeconfig, leaderElection: true) { app, _, _, writeConfig in
                let elector = try #require(app.elector)
                await elector.attempt()
                #expect(await elector.isLeader)
                #expect(await app.runtime.reload(ConfigLoader.loadResult(path: try writeConfig(RealAPIServer.limitedKubeconfig))))
                await elector.attempt()
                let failure = await elector.failure
                #expect(failure?.kind == .forbidden, "the lease is renewed with the new, limited credentials: \(failure.map { "\($0)" } ?? "no error")")
                #expect(await app.runtime.status().leaseError?.contains("leases") == true)
            }
        }
    }

    // MARK: 3. Two replicas with one host name

    @Test("two electors started with the same environment on one real Lease: exactly one leads and the Lease names it", .realAPIServer)
    func sameHostNameOneLeader() async throws {
        try await withNamespace { ns in
            let clock = ManualClock()
            try await withClient(clock: clock) { first in
                try await withClient(clock: clock) { second in
                    let environment = ["HOSTNAME": "forescale-0"]
                    let electors = try [first, second].map { client in
                        try LeaderElector(
                            settings: LeaderElectionSettings(identity: LeaderElectionSettings.defaultIdentity(environment: environment)),
                            store: client.leaseStore(namespace: ns, name: "forescale-leader"), namespace: ns, name: "forescale-leader",
                            clock: clock)
                    }
                    for _ in 0..<3 {
                        for elector in electors { await elector.attempt() }
                        clock.advance(by: 2)
                    }
                    var leaders: [String] = []
                    for elector in electors where await elector.isLeader { leaders.append(await elector.identity) }
                    #expect(leaders.count == 1, "leaders: \(leaders)")
                    let lease = try await admin.lease(ns, "forescale-leader")
                    #expect(lease.spec.holderIdentity == leaders.first)
                    #expect(lease.spec.holderIdentity?.hasPrefix("forescale-0_") == true)
                }
            }
        }
    }
}
