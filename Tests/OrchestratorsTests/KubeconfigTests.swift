import ForescaleTestKit
import Foundation
@testable import Orchestrators
import Testing

@Suite("kubeconfig")
struct KubeconfigTests {
    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    static func kubeconfig(server: String, cluster: String, user: String, currentContext: String = "dev", extraContext: String = "") -> String {
        """
        apiVersion: v1
        kind: Config
        current-context: \(currentContext)
        clusters:
        - name: dev-cluster
          cluster:
            server: \(server)
        \(cluster)
        users:
        - name: dev-user
          user:
        \(user)
        - name: other-user
          user:
            token: other-token
        contexts:
        - name: dev
          context:
            cluster: dev-cluster
            user: dev-user
            namespace: shop
        - name: other
          context:
            cluster: dev-cluster
            user: other-user
        \(extraContext)
        """
    }

    func withFile<R>(_ text: String, extraFiles: [String: String] = [:], _ body: (String) async throws -> R) async throws -> R {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, content) in extraFiles { try write(content, to: folder.appendingPathComponent(name)) }
        let path = folder.appendingPathComponent("config").path
        try write(text, to: URL(fileURLWithPath: path))
        return try await body(path)
    }

    @Test func currentContextWithTokenAndNamespace() async throws {
        try await FakeKubernetesAPIServer.withRunning(acceptedTokens: ["dev-token"]) { server in
            await server.addWorkload(namespace: "shop", name: "web", replicas: 3, readyReplicas: 2)
            let text = Self.kubeconfig(server: server.baseURL, cluster: "", user: "      token: dev-token")
            try await withFile(text) { path in
                let connection = try KubernetesConnection.resolve(KubernetesSettings(kubeconfigPath: path))
                #expect(connection.credential == .token("dev-token"))
                #expect(connection.defaultNamespace == "shop")
                #expect(connection.source.contains("context dev"))
                let client = try KubernetesClient(connection: connection)
                let scale = try await client.orchestrator(for: KubernetesTarget(kind: .deployment, namespace: nil, name: "web")).currentScale()
                #expect(scale.desiredReplicas == 3 && scale.readyReplicas == 2)
                try await client.shutdown()
            }
        }
    }

    @Test func namedContextOverridesCurrentAndNamespaceDefaults() async throws {
        let text = Self.kubeconfig(server: "https://example.invalid:6443", cluster: "", user: "      token: dev-token")
        try await withFile(text) { path in
            let connection = try KubernetesConnection.kubeconfig(path: path, context: "other")
            #expect(connection.credential == .token("other-token"))
            #expect(connection.defaultNamespace == "default")
            #expect(connection.server == "https://example.invalid:6443")
        }
    }

    @Test func tokenFileIsRelativeToTheKubeconfig() async throws {
        let text = Self.kubeconfig(server: "https://k:6443", cluster: "", user: "      tokenFile: secrets/token")
        try await withFile(text) { path in
            let connection = try KubernetesConnection.kubeconfig(path: path)
            let folder = (path as NSString).deletingLastPathComponent
            #expect(connection.credential == .tokenFile(folder + "/secrets/token"))
        }
    }

    @Test func inlineDataClientCertificateOverTLS() async throws {
        let tls = try TestPKI.serverTLS(mutual: true)
        try await FakeKubernetesAPIServer.withRunning(tls: tls) { server in
            await server.addWorkload(namespace: "shop", name: "web", replicas: 4)
            let text = Self.kubeconfig(
                server: server.baseURL,
                cluster: "    certificate-authority-data: \(Self.base64(TestPKI.caCertificate))",
                user: "      client-certificate-data: \(Self.base64(TestPKI.clientCertificate))\n      client-key-data: \(Self.base64(TestPKI.clientKey))"
            )
            try await withFile(text) { path in
                let connection = try KubernetesConnection.kubeconfig(path: path)
                #expect(connection.clientCertificatePEM == Array(TestPKI.clientCertificate.utf8))
                #expect(connection.credential == .none)
                let client = try KubernetesClient(connection: connection)
                #expect(
                    try await client.orchestrator(for: KubernetesTarget(kind: .deployment, namespace: nil, name: "web")).currentScale().desiredReplicas == 4)
                try await client.shutdown()
            }
        }
    }

    @Test func fileCertificatesOverTLS() async throws {
        let tls = try TestPKI.serverTLS(mutual: true)
        try await FakeKubernetesAPIServer.withRunning(tls: tls) { server in
            await server.addWorkload(namespace: "shop", name: "web", replicas: 4)
            let text = Self.kubeconfig(
                server: server.baseURL,
                cluster: "    certificate-authority: pki/ca.crt",
                user: "      client-certificate: pki/client.crt\n      client-key: pki/client.key"
            )
            let folder = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: folder) }
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("pki"), withIntermediateDirectories: true)
            try write(TestPKI.caCertificate, to: folder.appendingPathComponent("pki/ca.crt"))
            try write(TestPKI.clientCertificate, to: folder.appendingPathComponent("pki/client.crt"))
            try write(TestPKI.clientKey, to: folder.appendingPathComponent("pki/client.key"))
            let path = folder.appendingPathComponent("config")
            try write(text, to: path)
            let client = try KubernetesClient(connection: try KubernetesConnection.kubeconfig(path: path.path))
            #expect(try await client.orchestrator(for: KubernetesTarget(kind: .deployment, namespace: nil, name: "web")).currentScale().desiredReplicas == 4)
            try await client.shutdown()
        }
    }

    @Test func untrustedServerIsAConnectionErrorUnlessInsecure() async throws {
        let tls = try TestPKI.serverTLS(mutual: false)
        try await FakeKubernetesAPIServer.withRunning(acceptedTokens: ["t"], tls: tls) { server in
            await server.addWorkload(namespace: "shop", name: "web", replicas: 1)
            let target = KubernetesTarget(kind: .deployment, namespace: "shop", name: "web")
            let strict = try KubernetesClient(
                connection: KubernetesConnection(server: server.baseURL, credential: .token("t")), settings: KubernetesSettings(requestTimeoutSeconds: 5))
            let error = await #expect(throws: OrchestratorError.self) { try await strict.orchestrator(for: target).currentScale() }
            #expect(error?.kind == .connection)
            try await strict.shutdown()

            let text = Self.kubeconfig(server: server.baseURL, cluster: "    insecure-skip-tls-verify: true", user: "      token: t")
            try await withFile(text) { path in
                let insecure = try KubernetesClient(connection: try KubernetesConnection.kubeconfig(path: path))
                #expect(try await insecure.orchestrator(for: target).currentScale().desiredReplicas == 1)
                try await insecure.shutdown()
            }
        }
    }

    struct Broken: Sendable, CustomTestStringConvertible {
        var name: String
        var yaml: String
        var context: String?
        var mentions: String
        var testDescription: String { name }
    }

    static let broken: [Broken] = [
        Broken(
            name: "unknown context", yaml: kubeconfig(server: "https://k", cluster: "", user: "      token: x"), context: "prod",
            mentions: "no context \"prod\" (contexts: dev, other)"),
        Broken(
            name: "no current context", yaml: kubeconfig(server: "https://k", cluster: "", user: "      token: x", currentContext: "\"\""), context: nil,
            mentions: "no current-context"),
        Broken(
            name: "exec plugin", yaml: kubeconfig(server: "https://k", cluster: "", user: "      exec:\n        command: aws"), context: nil,
            mentions: "exec or auth-provider"),
        Broken(
            name: "missing cluster",
            yaml: kubeconfig(server: "https://k", cluster: "", user: "      token: x", extraContext: "- name: lost\n  context:\n    cluster: nowhere"),
            context: "lost", mentions: "cluster \"nowhere\""),
        Broken(
            name: "bad base64", yaml: kubeconfig(server: "https://k", cluster: "    certificate-authority-data: '!!!'", user: "      token: x"), context: nil,
            mentions: "not valid base64"),
        Broken(
            name: "missing CA file", yaml: kubeconfig(server: "https://k", cluster: "    certificate-authority: nope.crt", user: "      token: x"),
            context: nil, mentions: "nope.crt"),
        Broken(
            name: "cert without key", yaml: kubeconfig(server: "https://k", cluster: "", user: "      client-certificate-data: \(base64("x"))"), context: nil,
            mentions: "without a key"),
        Broken(name: "not yaml", yaml: "clusters: [", context: nil, mentions: "not valid"),
    ]

    @Test(arguments: broken)
    func brokenKubeconfigsAreConfigErrors(_ broken: Broken) throws {
        let error = try #require(throws: OrchestratorError.self) {
            try KubernetesConnection.kubeconfig(yaml: broken.yaml, baseDirectory: "/nonexistent", context: broken.context)
        }
        #expect(error.kind == .config)
        #expect(error.message.contains(broken.mentions), "\(error.message)")
    }
}
