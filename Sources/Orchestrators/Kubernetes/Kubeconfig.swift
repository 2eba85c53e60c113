import Foundation
import Yams

/// The parts of a kubeconfig file Forescale understands.
struct KubeconfigFile: Decodable {
    struct NamedCluster: Decodable { var name: String; var cluster: Cluster }
    struct Cluster: Decodable {
        var server: String
        var certificateAuthority: String?
        var certificateAuthorityData: String?
        var insecureSkipTLSVerify: Bool?
        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
        }
    }
    struct NamedUser: Decodable { var name: String; var user: User? }
    struct User: Decodable {
        var token: String?
        var tokenFile: String?
        var clientCertificate: String?
        var clientCertificateData: String?
        var clientKey: String?
        var clientKeyData: String?
        var username: String?
        var password: String?
        var exec: ExecStub?
        var authProvider: ExecStub?
        enum CodingKeys: String, CodingKey {
            case token, tokenFile, username, password, exec
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
            case authProvider = "auth-provider"
        }
    }
    struct ExecStub: Decodable {}
    struct NamedContext: Decodable { var name: String; var context: Context }
    struct Context: Decodable { var cluster: String; var user: String?; var namespace: String? }

    var clusters: [NamedCluster]?
    var users: [NamedUser]?
    var contexts: [NamedContext]?
    var currentContext: String?
    enum CodingKeys: String, CodingKey {
        case clusters, users, contexts
        case currentContext = "current-context"
    }
}

extension KubernetesConnection {
    /// Reads a kubeconfig file; relative file paths in it are resolved against its folder.
    public static func kubeconfig(path: String, context: String? = nil) throws -> KubernetesConnection {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw OrchestratorError(.config, "cannot read kubeconfig \(path)")
        }
        let folder = (path as NSString).deletingLastPathComponent
        return try kubeconfig(yaml: text, baseDirectory: folder.isEmpty ? "." : folder, context: context, origin: path)
    }

    /// Parses kubeconfig text; `context` `nil` means `current-context`.
    public static func kubeconfig(yaml: String, baseDirectory: String, context: String? = nil, origin: String = "kubeconfig") throws -> KubernetesConnection {
        let file: KubeconfigFile
        do {
            file = try YAMLDecoder().decode(KubeconfigFile.self, from: yaml)
        } catch {
            throw OrchestratorError(.config, "kubeconfig \(origin) is not valid: \(error)")
        }
        guard let contextName = context ?? file.currentContext, !contextName.isEmpty else {
            throw OrchestratorError(.config, "kubeconfig \(origin) has no current-context; set `context` on the kubernetes orchestrator")
        }
        guard let ctx = file.contexts?.first(where: { $0.name == contextName })?.context else {
            let known = (file.contexts ?? []).map(\.name).joined(separator: ", ")
            throw OrchestratorError(.config, "kubeconfig \(origin) has no context \"\(contextName)\" (contexts: \(known.isEmpty ? "none" : known))")
        }
        guard let cluster = file.clusters?.first(where: { $0.name == ctx.cluster })?.cluster else {
            throw OrchestratorError(.config, "kubeconfig \(origin): context \"\(contextName)\" names cluster \"\(ctx.cluster)\", which is not in clusters")
        }
        var user: KubeconfigFile.User?
        if let userName = ctx.user, !userName.isEmpty {
            guard let found = file.users?.first(where: { $0.name == userName }) else {
                throw OrchestratorError(.config, "kubeconfig \(origin): context \"\(contextName)\" names user \"\(userName)\", which is not in users")
            }
            user = found.user
        }
        func resolve(_ path: String) -> String {
            path.hasPrefix("/") ? path : baseDirectory + "/" + path
        }
        func material(data: String?, file: String?, what: String) throws -> [UInt8]? {
            if let data, !data.isEmpty {
                guard let decoded = Data(base64Encoded: data, options: .ignoreUnknownCharacters) else {
                    throw OrchestratorError(.config, "kubeconfig \(origin): \(what)-data is not valid base64")
                }
                return [UInt8](decoded)
            }
            if let file, !file.isEmpty { return try readFile(resolve(file), what: "kubeconfig \(what)") }
            return nil
        }

        var credential = Credential.none
        var clientCert: [UInt8]?
        var clientKey: [UInt8]?
        if let user {
            if user.exec != nil || user.authProvider != nil {
                throw OrchestratorError(
                    .config,
                    "kubeconfig \(origin): user of context \"\(contextName)\" uses an exec or auth-provider plugin, which Forescale does not run; use a token, tokenFile or client certificate (e.g. a service-account token)"
                )
            }
            if let token = user.token, !token.isEmpty {
                credential = .token(token)
            } else if let tokenFile = user.tokenFile, !tokenFile.isEmpty {
                credential = .tokenFile(resolve(tokenFile))
            } else if let username = user.username, let password = user.password {
                credential = .basic(username: username, password: password)
            }
            clientCert = try material(data: user.clientCertificateData, file: user.clientCertificate, what: "client-certificate")
            clientKey = try material(data: user.clientKeyData, file: user.clientKey, what: "client-key")
            if (clientCert == nil) != (clientKey == nil) {
                throw OrchestratorError(
                    .config, "kubeconfig \(origin): user of context \"\(contextName)\" has a client certificate without a key or a key without a certificate")
            }
        }
        let ca = try material(data: cluster.certificateAuthorityData, file: cluster.certificateAuthority, what: "certificate-authority")
        let namespace = ctx.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        return KubernetesConnection(
            server: cluster.server,
            credential: credential,
            certificateAuthorityPEM: ca,
            clientCertificatePEM: clientCert,
            clientKeyPEM: clientKey,
            insecureSkipTLSVerify: cluster.insecureSkipTLSVerify ?? false,
            defaultNamespace: namespace,
            source: "kubeconfig \(origin) (context \(contextName))"
        )
    }

    /// From settings: the kubeconfig when given, otherwise in-cluster.
    public static func resolve(
        _ settings: KubernetesSettings, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> KubernetesConnection {
        if let path = settings.kubeconfigPath {
            return try kubeconfig(path: path, context: settings.context)
        }
        return try inCluster(environment: environment)
    }
}
