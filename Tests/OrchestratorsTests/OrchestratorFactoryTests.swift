import ForescaleTestKit
import Foundation
@testable import Orchestrators
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Orchestrator factory")
struct OrchestratorFactoryTests {
    @Test func buildsEachTypeAndSharesKubernetesClients() async throws {
        try await FakeKubernetesAPIServer.withRunning(acceptedTokens: ["t"]) { server in
            await server.addWorkload(namespace: "shop", name: "web", replicas: 2)
            let folder = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: folder) }
            let kubeconfig = folder.appendingPathComponent("config")
            try write("""
            current-context: c
            clusters: [{name: k, cluster: {server: "\(server.baseURL)"}}]
            users: [{name: u, user: {token: t}}]
            contexts: [{name: c, context: {cluster: k, user: u, namespace: shop}}]
            """, to: kubeconfig)

            let factory = OrchestratorFactory(environment: [:])
            let settings = OrchestratorSettings.kubernetes(KubernetesSettings(kubeconfigPath: kubeconfig.path))
            let web = try await factory.orchestrator(
                named: "k8s", settings: settings, target: .kubernetes(KubernetesTarget(kind: .deployment, namespace: nil, name: "web")))
            #expect(try await web.currentScale().desiredReplicas == 2)
            let first = try await factory.kubernetesClient(named: "k8s", settings: KubernetesSettings(kubeconfigPath: kubeconfig.path))
            let again = try await factory.kubernetesClient(named: "k8s", settings: KubernetesSettings(kubeconfigPath: kubeconfig.path))
            #expect(first === again)

            let pool = try await factory.orchestrator(
                named: "pool", settings: .processPool(stopGraceSeconds: 2), target: .processPool(command: ["sleep", "300"]))
            _ = try await pool.apply(replicas: 2, decision: nil)
            let pids = try #require(await factory.processPools.first?.activePIDs)
            #expect(pids.count == 2)

            _ = try await factory.orchestrator(
                named: "cmd", settings: .command(timeoutSeconds: 5), target: .command(get: ["/bin/echo", "1"], set: ["/bin/true", "{replicas}"]))
            _ = try await factory.orchestrator(
                named: "hook", settings: .webhook(WebhookSettings(endpoint: HTTPEndpoint(url: "http://127.0.0.1:1/x"))), target: .webhook(name: "t"))

            let mismatch = await #expect(throws: OrchestratorError.self) {
                try await factory.orchestrator(named: "k8s", settings: settings, target: .webhook(name: "t"))
            }
            #expect(mismatch?.message.contains("type kubernetes but the target's scale settings are for webhook") == true)

            await factory.shutdown()
            #expect(pids.allSatisfy { kill($0, 0) != 0 })
        }
    }

    @Test func inClusterWithoutEnvironmentFailsClearly() async throws {
        let factory = OrchestratorFactory(environment: [:])
        let error = await #expect(throws: OrchestratorError.self) {
            try await factory.orchestrator(
                named: "k8s", settings: .kubernetes(KubernetesSettings()), target: .kubernetes(KubernetesTarget(kind: .deployment, namespace: nil, name: "w")))
        }
        #expect(error?.kind == .config)
        await factory.shutdown()
    }

    @Test("a reload keeps a target's running pool; new settings or a removed target stop its workers")
    func poolsSurviveReloads() async throws {
        let factory = OrchestratorFactory(environment: [:])
        let settings = OrchestratorSettings.processPool(stopGraceSeconds: 2)
        let first = try await factory.orchestrator(named: "pool", settings: settings, target: .processPool(command: ["sleep", "300"]), for: "a")
        _ = try await first.apply(replicas: 2, decision: nil)
        let pids = try #require(await factory.processPools.first?.activePIDs)
        let again = try await factory.orchestrator(named: "pool", settings: settings, target: .processPool(command: ["sleep", "300"]), for: "a")
        #expect((again as? ProcessPool) === (first as? ProcessPool))
        #expect(try await again.currentScale().desiredReplicas == 2)
        #expect(await factory.processPools.count == 1)

        let changed = try await factory.orchestrator(named: "pool", settings: settings, target: .processPool(command: ["sleep", "301"]), for: "a")
        #expect((changed as? ProcessPool) !== (first as? ProcessPool))
        #expect(pids.allSatisfy { kill($0, 0) != 0 }, "the old pool's workers stopped")
        _ = try await changed.apply(replicas: 1, decision: nil)
        let newPIDs = try #require(await factory.processPools.first?.activePIDs)
        #expect(newPIDs.count == 1)
        #expect(await factory.processPools.count == 1)

        await factory.release("a")
        #expect(newPIDs.allSatisfy { kill($0, 0) != 0 })
        #expect(await factory.processPools.isEmpty)
        await factory.shutdown()
    }

    @Test("background work (a watch per collection, a pool's supervision) is handed out once each, and the stream ends at shutdown")
    func backgroundWorkIsYieldedOnce() async throws {
        try await FakeKubernetesAPIServer.withRunning(acceptedTokens: ["t"]) { server in
            let folder = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: folder) }
            let kubeconfig = folder.appendingPathComponent("config")
            try write(FakeKubernetesAPIServer.kubeconfig(server: server.baseURL, token: "t", namespace: "shop"), to: kubeconfig)
            let factory = OrchestratorFactory(environment: [:])
            let settings = OrchestratorSettings.kubernetes(KubernetesSettings(kubeconfigPath: kubeconfig.path))
            for name in ["web", "api"] {
                _ = try await factory.orchestrator(
                    named: "k8s", settings: settings, target: .kubernetes(KubernetesTarget(kind: .deployment, namespace: nil, name: name)))
            }
            _ = try await factory.orchestrator(
                named: "k8s", settings: settings, target: .kubernetes(KubernetesTarget(kind: .statefulSet, namespace: nil, name: "db")))
            _ = try await factory.orchestrator(
                named: "pool", settings: .processPool(stopGraceSeconds: 1), target: .processPool(command: ["sleep", "300"]), for: "p")
            await factory.shutdown()
            var described: [String] = []
            for await work in factory.backgroundWork { described.append(work.workDescription) }
            #expect(described == [
                "kubernetes watch of deployments.apps in namespace shop",
                "kubernetes watch of statefulsets.apps in namespace shop",
                "supervision of process-pool sleep 300",
            ])
        }
    }
}
