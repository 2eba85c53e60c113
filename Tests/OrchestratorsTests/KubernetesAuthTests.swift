import ForescaleTestKit
import Foundation
@testable import Orchestrators
import Testing

@Suite("Kubernetes credentials")
struct KubernetesAuthTests {
    /// A service-account mount: token, ca.crt, namespace.
    func serviceAccount(token: String, namespace: String = "workers") throws -> URL {
        let folder = try makeTemporaryDirectory()
        try write(token + "\n", to: folder.appendingPathComponent("token"))
        try write(TestPKI.caCertificate, to: folder.appendingPathComponent("ca.crt"))
        try write(namespace, to: folder.appendingPathComponent("namespace"))
        return folder
    }

    @Test func inClusterReadsEnvironmentAndMount() throws {
        let folder = try serviceAccount(token: "t1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let connection = try KubernetesConnection.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"],
            serviceAccountDirectory: folder.path
        )
        #expect(connection.server == "https://10.96.0.1:443")
        #expect(connection.credential == .tokenFile(folder.path + "/token"))
        #expect(connection.certificateAuthorityPEM == Array(TestPKI.caCertificate.utf8))
        #expect(connection.defaultNamespace == "workers")
        #expect(connection.source == "in-cluster")

        let ipv6 = try KubernetesConnection.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "6443"], serviceAccountDirectory: folder.path)
        #expect(ipv6.server == "https://[fd00::1]:6443")
    }

    @Test func inClusterWithoutEnvironmentIsAConfigError() throws {
        let error = try #require(throws: OrchestratorError.self) { try KubernetesConnection.inCluster(environment: [:]) }
        #expect(error.kind == .config)
        #expect(error.message.contains("KUBERNETES_SERVICE_HOST"))
        #expect(error.message.contains("kubeconfig"))
    }

    @Test func rotatedTokenFileIsPickedUpWithinAMinute() async throws {
        let folder = try serviceAccount(token: "first")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clock = ManualClock()
        try await FakeKubernetesAPIServer.withRunning(acceptedTokens: ["first", "second"]) { server in
            await server.addWorkload(namespace: "workers", name: "web", replicas: 1)
            var connection = try KubernetesConnection.inCluster(
                environment: ["KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": "1"],
                serviceAccountDirectory: folder.path
            )
            connection.server = server.baseURL  // plain HTTP to the fake; the CA is still loaded
            let client = try KubernetesClient(connection: connection, clock: clock)
            let orchestrator = client.orchestrator(for: KubernetesTarget(kind: .deployment, namespace: nil, name: "web"))
            _ = try await orchestrator.currentScale()

            try write("second\n", to: folder.appendingPathComponent("token"))
            clock.advance(by: 30)
            _ = try await orchestrator.currentScale()  // still cached
            clock.advance(by: 31)
            _ = try await orchestrator.currentScale()  // > 60 s since the read: re-read

            let tokens = await server.requests().map { $0.header("Authorization") ?? "" }
            #expect(tokens == ["Bearer first", "Bearer first", "Bearer second"], "one GET of the workload per read")
            try await client.shutdown()
        }
    }

    @Test func inClusterVerifiesTheServerWithTheMountedCA() async throws {
        let folder = try serviceAccount(token: "sa-token")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await FakeKubernetesAPIServer.withRunning(acceptedTokens: ["sa-token"], tls: try TestPKI.serverTLS(mutual: false)) { server in
            await server.addWorkload(namespace: "workers", name: "web", replicas: 2)
            let port = try #require(URL(string: server.baseURL)?.port)
            let connection = try KubernetesConnection.inCluster(
                environment: ["KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": String(port)],
                serviceAccountDirectory: folder.path
            )
            #expect(connection.server == server.baseURL)
            let client = try KubernetesClient(connection: connection)
            #expect(try await client.orchestrator(for: KubernetesTarget(kind: .deployment, namespace: nil, name: "web")).currentScale().desiredReplicas == 2)
            try await client.shutdown()
        }
    }

    @Test func unauthorizedForcesATokenReRead() async throws {
        let folder = try serviceAccount(token: "old")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clock = ManualClock()
        try await FakeKubernetesAPIServer.withRunning(acceptedTokens: ["old"]) { server in
            await server.addWorkload(namespace: "workers", name: "web", replicas: 1)
            var connection = try KubernetesConnection.inCluster(
                environment: ["KUBERNETES_SERVICE_HOST": "h", "KUBERNETES_SERVICE_PORT": "1"], serviceAccountDirectory: folder.path)
            connection.server = server.baseURL
            let client = try KubernetesClient(connection: connection, clock: clock)
            let orchestrator = client.orchestrator(for: KubernetesTarget(kind: .deployment, namespace: nil, name: "web"))
            _ = try await orchestrator.currentScale()
            // The old token is revoked and the kubelet has written a new one; no time has passed.
            await server.setAcceptedTokens(["new"])
            try write("new", to: folder.appendingPathComponent("token"))
            #expect(try await orchestrator.currentScale().desiredReplicas == 1)
            try await client.shutdown()
        }
    }
}
