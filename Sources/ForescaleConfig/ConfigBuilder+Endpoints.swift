import Endpoints
import Foundation
import Yams

extension ConfigBuilder {
    // MARK: sources

    mutating func parseSource(name: String, node: Node, path: String) -> SourceConfig? {
        let type = Self.peek(node, "type").flatMap(SourceType.init(rawValue:))
        let keys = Self.keys(common: ConfigSchema.source, byType: ConfigSchema.sourceByType, order: SourceType.allCases, type: type)
        let before = reader.problems.count
        guard let map = reader.map(node, at: path, allowed: keys.allowed, elsewhere: keys.elsewhere,
                                   elsewhereNote: "not allowed for a \(type?.rawValue ?? "") source") else { return nil }
        _ = reader.oneOf(map, "type", SourceType.allCases.map(\.rawValue), required: true)
        if let type { sourceTypes[name] = .some(type) }
        let endpoint = parseEndpoint(map, defaultTimeout: 5, checkInterval: true)
        var cluster: String?
        if type == .burrow { cluster = reader.string(map, "cluster", required: true) }
        guard let type, let endpoint, reader.problems.count == before else { return nil }
        return SourceConfig(name: name, type: type, endpoint: endpoint, cluster: cluster)
    }

    // MARK: orchestrators

    mutating func parseOrchestrator(name: String, node: Node, path: String) -> OrchestratorConfig? {
        let type = Self.peek(node, "type").flatMap(OrchestratorType.init(rawValue:))
        let keys = Self.keys(common: ConfigSchema.orchestrator, byType: ConfigSchema.orchestratorByType, order: OrchestratorType.allCases, type: type)
        let before = reader.problems.count
        guard let map = reader.map(node, at: path, allowed: keys.allowed, elsewhere: keys.elsewhere,
                                   elsewhereNote: "not allowed for a \(type?.rawValue ?? "") orchestrator") else { return nil }
        _ = reader.oneOf(map, "type", OrchestratorType.allCases.map(\.rawValue), required: true)
        guard let type else { return nil }
        orchestratorTypes[name] = .some(type)
        var config = OrchestratorConfig(name: name, type: type)
        switch type {
        case .kubernetes:
            config.kubeconfig = reader.string(map, "kubeconfig")
            config.context = reader.string(map, "context")
        case .webhook:
            config.endpoint = parseEndpoint(map, defaultTimeout: 10, checkInterval: false)
            config.timeoutSeconds = config.endpoint?.timeoutSeconds
        case .command, .processPool:
            config.timeoutSeconds = positiveDuration(map, "timeout") ?? 30
        }
        return reader.problems.count == before ? config : nil
    }

    // MARK: HTTP endpoints

    /// `url`, `timeout`, `auth`, `tls` and `headers` of a source or webhook.
    mutating func parseEndpoint(_ map: Map, defaultTimeout: Double, checkInterval: Bool) -> HTTPEndpoint? {
        let before = reader.problems.count
        let url = reader.string(map, "url", required: true)
        if let url, !Self.isHTTPURL(url) {
            reader.report(map, "url", "not an http or https URL with a host: '\(url)' (e.g. http://prometheus:9090)")
        }
        let given = positiveDuration(map, "timeout")
        let timeout = given ?? defaultTimeout
        if checkInterval, let interval, given != nil || map["timeout"] == nil, timeout >= interval {
            let given = map["timeout"] == nil ? " (the default)" : ""
            reader.report(
                map, "timeout",
                "must be shorter than controller.interval (\(ConfigValues.formatDuration(interval))), got \(ConfigValues.formatDuration(timeout))\(given)")
        }
        let auth = parseAuth(map)
        var tls: TLSSettings?
        if let tlsMap = reader.map(map, "tls", allowed: ConfigSchema.tls) {
            tls = TLSSettings(caFile: reader.string(tlsMap, "caFile"), insecureSkipVerify: reader.bool(tlsMap, "insecureSkipVerify") ?? false)
        }
        let headers = reader.stringMap(map, "headers") ?? [:]
        guard let url, reader.problems.count == before else { return nil }
        return HTTPEndpoint(url: url, timeoutSeconds: timeout, auth: auth, tls: tls, headers: headers)
    }

    mutating func parseAuth(_ parent: Map) -> HTTPAuth {
        guard let map = reader.map(parent, "auth", allowed: ConfigSchema.auth) else { return .none }
        let bearer = reader.string(map, "bearerTokenFile")
        let username = reader.string(map, "username")
        let password = reader.string(map, "passwordFile")
        switch (bearer, username, password) {
        case let (bearer?, nil, nil): return .bearerTokenFile(bearer)
        case let (nil, username?, password?): return .basic(username: username, passwordFile: password)
        case (_?, _, _):
            reader.report(map.path, at: map.node, "use either bearerTokenFile, or username and passwordFile, not both")
        case (nil, _?, nil):
            reader.report(map.path("passwordFile"), at: map.node, "required with username")
        case (nil, nil, _?):
            reader.report(map.path("username"), at: map.node, "required with passwordFile")
        case (nil, nil, nil):
            if map.keys.isEmpty { reader.report(map.path, at: map.node, "needs bearerTokenFile, or username and passwordFile") }
        }
        return .none
    }

    /// A duration that must be > 0.
    mutating func positiveDuration(_ map: Map, _ key: String) -> Double? {
        guard let value = reader.duration(map, key) else { return nil }
        if value <= 0 { reader.report(map, key, "must be > 0, got \(ConfigValues.formatDuration(value))"); return nil }
        return value
    }

    static func isHTTPURL(_ text: String) -> Bool {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else { return false }
        return true
    }
}
