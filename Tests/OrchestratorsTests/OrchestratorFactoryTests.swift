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
            let web = try await factory.orchestrator(named: "k8s", settings: settings, target: .kubernetes(KubernetesTarget(kind: .deployment, namespace: nil, name: "web")))
            #expect(try await web.currentScale().desiredReplicas == 2)
            let first = try await factory.kubernetesClient(named: "k8s", settings: KubernetesSettings(kubeconfigPath: kubeconfig.path))
            let again = try await factory.kubernetesClient(named: "k8s", settings: KubernetesSettings(kubeconfigPath: kubeconfig.path))
            #expect(first === again)

            let pool = try await factory.orchestrator(named: "pool", settings: .processPool(stopGraceSeconds: 2), target: .processPool(command: ["sleep", "300"]))
            _ = try await pool.apply(replicas: 2, decision: nil)
            let pids = try #require(await factory.processPools.first?.activePIDs)
            #expect(pids.count == 2)

            _ = try await factory.orchestrator(named: "cmd", settings: .command(timeoutSeconds: 5), target: .command(get: ["/bin/echo", "1"], set: ["/bin/true", "{replicas}"]))
            _ = try await factory.orchestrator(named: "hook", settings: .webhook(WebhookSettings(url: "http://127.0.0.1:1/x")), target: .webhook(name: "t"))

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
            try await factory.orchestrator(named: "k8s", settings: .kubernetes(KubernetesSettings()), target: .kubernetes(KubernetesTarget(kind: .deployment, namespace: nil, name: "w")))
        }
        #expect(error?.kind == .config)
        await factory.shutdown()
    }
}
