import Controller
import ForescaleConfig
import ForescaleTestKit
import Foundation
import Testing

/// The reconcile runtime with the Kubernetes adapter against the fake Kubernetes API: what the
/// adapter brings into the loop (credentials read again on reload, a refused write, the Lease).
@Suite("Controller runtime with the Kubernetes adapter")
struct RuntimeKubernetesTests {
    @Test("a reload that changes the kubeconfig, or the credentials in it, writes with the new ones; a missing kubeconfig is rejected")
    func reloadRebuildsTheKubernetesClient() async throws {
        try await RuntimeTests.withHarness(kubernetes: true) { h in
            func lastToken() async throws -> String? {
                await (try h.kube).requests().last { $0.method == "PATCH" }?.header("Authorization")
            }
            func reload(kubeconfig path: String) async throws -> Bool {
                try h.configText("").replacingOccurrences(of: "kubeconfig: \(kubeconfig)", with: "kubeconfig: \(path)")
                    .write(toFile: h.configPath, atomically: true, encoding: .utf8)
                return await h.runtime.reload(ConfigLoader.loadResult(path: h.configPath))
            }
            let dir = URL(fileURLWithPath: h.configPath).deletingLastPathComponent().path
            let kubeconfig = "\(dir)/kubeconfig"
            _ = try await h.runtime.setMode(.live, target: "web", actor: "test")
            await RuntimeTests.scaleOnce(h, rate: 200)
            #expect(try await lastToken() == "Bearer t")

            // Another kubeconfig (a less privileged user): the next write carries its token.
            let scaler = "\(dir)/kubeconfig-scaler"
            let original = try String(contentsOfFile: kubeconfig, encoding: .utf8)
            try original.replacingOccurrences(of: "token: t }", with: "token: scaler-token }").write(toFile: scaler, atomically: true, encoding: .utf8)
            #expect(try await reload(kubeconfig: scaler))
            var status = await h.runtime.status()
            #expect(status.configGeneration == 2 && status.configError == nil)
            #expect(h.store.auditEvents.last?.detail.contains("new API client (kubeconfig, context or credentials changed) for orchestrators: k8s") == true)
            await RuntimeTests.scaleOnce(h, rate: 400)
            #expect(try await lastToken() == "Bearer scaler-token")

            // The same path with a rotated credential in it: read again on reload, used at once.
            try original.replacingOccurrences(of: "token: t }", with: "token: rotated }").write(toFile: scaler, atomically: true, encoding: .utf8)
            #expect(try await reload(kubeconfig: scaler))
            await RuntimeTests.scaleOnce(h, rate: 800)
            #expect(try await lastToken() == "Bearer rotated")

            // A kubeconfig that does not exist fails the reload as it fails start-up; nothing changes.
            #expect(try await !reload(kubeconfig: "\(dir)/missing-kubeconfig"))
            status = await h.runtime.status()
            #expect(status.configGeneration == 3)
            #expect(status.configError?.contains("orchestrators.k8s") == true, "\(status.configError ?? "nil")")
            #expect(status.configError?.contains("missing-kubeconfig") == true)
            await RuntimeTests.scaleOnce(h, rate: 1000)
            #expect(try await lastToken() == "Bearer rotated")
        }
    }

    @Test("a live write refused with 403 is counted by kind and shown in the status until a write succeeds; shadow writes nothing and fails nothing")
    func failedWritesAreVisible() async throws {
        try await RuntimeTests.withHarness(kubernetes: true) { h in
            _ = try await h.runtime.setMode(.live, target: "web", actor: "test")
            // RBAC that lets the controller read the workload but not scale it.
            await (try h.kube).setAllowed(["get deployments/scale", "get deployments", "list deployments", "watch deployments"])
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
            await (try h.kube).setAllowed(nil)
            #expect(try #require(await h.tick()?.record).applied)
            summary = try #require(await h.runtime.status().targets.first)
            #expect(summary.consecutiveWriteFailures == 0)
            #expect(summary.lastWriteFailure == nil)

            // Shadow mode never writes, so it never fails a write.
            _ = try await h.runtime.setMode(.shadow, target: "web", actor: "test")
            await (try h.kube).setAllowed(["get deployments/scale", "get deployments", "list deployments", "watch deployments"])
            h.served.withLock { $0.rate = 900 }
            let shadow = try #require(await h.tick())
            #expect(shadow.writeFailure == nil && shadow.consecutiveWriteFailures == 0)
            #expect(h.metrics.calls.withLock { $0.filter { $0.hasPrefix("write-failure") }.count } == 2)
        }
    }

    @Test("with leader election a live follower writes nothing; once it holds the lease it scales")
    func leaderGating() async throws {
        try await RuntimeTests.withHarness(kubernetes: true, leaderElection: true) { h in
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
}
