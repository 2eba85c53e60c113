import Foundation

/// Where the API server is and how to authenticate to it: resolved from in-cluster files or a kubeconfig.
public struct KubernetesConnection: Sendable, Equatable {
    public enum Credential: Sendable, Equatable {
        case none
        /// A static bearer token (kubeconfig `token`).
        case token(String)
        /// A token file re-read periodically (in-cluster service account, kubeconfig `tokenFile`).
        case tokenFile(String)
        /// HTTP basic (kubeconfig `username` + `password`).
        case basic(username: String, password: String)
    }

    /// Base URL, e.g. `https://10.0.0.1:443`, without a trailing slash.
    public var server: String
    public var credential: Credential
    /// PEM bytes of the CA bundle that signs the server certificate; `nil` means the system roots.
    public var certificateAuthorityPEM: [UInt8]?
    /// PEM bytes of the client certificate (chain) and its key, for certificate auth.
    public var clientCertificatePEM: [UInt8]?
    public var clientKeyPEM: [UInt8]?
    public var insecureSkipTLSVerify: Bool
    /// The namespace of targets that name none.
    public var defaultNamespace: String
    /// Where the settings came from, for messages (`in-cluster`, `kubeconfig /path (context x)`).
    public var source: String

    public init(
        server: String,
        credential: Credential = .none,
        certificateAuthorityPEM: [UInt8]? = nil,
        clientCertificatePEM: [UInt8]? = nil,
        clientKeyPEM: [UInt8]? = nil,
        insecureSkipTLSVerify: Bool = false,
        defaultNamespace: String = "default",
        source: String = "explicit"
    ) {
        var server = server
        while server.hasSuffix("/") { server.removeLast() }
        self.server = server
        self.credential = credential
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.defaultNamespace = defaultNamespace
        self.source = source
    }

    /// The default service-account mount.
    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// In-cluster: `KUBERNETES_SERVICE_HOST`/`KUBERNETES_SERVICE_PORT` from `environment`, the token file
    /// (re-read by the client), the mounted CA and the pod's namespace.
    public static func inCluster(
        environment: [String: String],
        serviceAccountDirectory: String = serviceAccountDirectory
    ) throws -> KubernetesConnection {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
              let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else {
            throw OrchestratorError(
                .config,
                "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set; set `kubeconfig` on the kubernetes orchestrator to run outside a cluster"
            )
        }
        let tokenPath = serviceAccountDirectory + "/token"
        guard FileManager.default.isReadableFile(atPath: tokenPath) else {
            throw OrchestratorError(
                .config,
                "in-cluster service-account token \(tokenPath) is missing or unreadable; check automountServiceAccountToken and the pod's serviceAccountName")
        }
        let caPath = serviceAccountDirectory + "/ca.crt"
        let ca = try readFile(caPath, what: "in-cluster CA")
        let namespaceText = (try? String(contentsOfFile: serviceAccountDirectory + "/namespace", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let hostPart = host.contains(":") ? "[\(host)]" : host  // IPv6
        return KubernetesConnection(
            server: "https://\(hostPart):\(port)",
            credential: .tokenFile(tokenPath),
            certificateAuthorityPEM: ca,
            defaultNamespace: (namespaceText?.isEmpty ?? true) ? "default" : namespaceText!,
            source: "in-cluster"
        )
    }

    static func readFile(_ path: String, what: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw OrchestratorError(.config, "cannot read \(what) file \(path)")
        }
        return [UInt8](data)
    }
}
