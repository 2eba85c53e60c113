import Foundation
import Pipeline
import Yams

/// Builds a `Config` from the YAML tree, collecting every problem on the way.
///
/// A part with a problem is left out of the result, but its siblings are still checked; a name
/// that is defined with a broken body still resolves, so one mistake is reported once.
struct ConfigBuilder {
    var reader = NodeReader()
    /// `controller.interval` when valid; `nil` when it was given but invalid (checks against it are skipped).
    var interval: Double? = 15
    /// Every defined source name, with its type when that is valid.
    var sourceTypes: [String: SourceType?] = [:]
    var orchestratorTypes: [String: OrchestratorType?] = [:]
    /// `controller.leaderElection.orchestrator`, checked once the orchestrators are known.
    var leaderElectionReference: (Map, String)?
    /// `controller.scalingTargets.orchestrator`, checked once the orchestrators are known.
    var scalingTargetsReference: (Map, String)?
    /// With `controller.scalingTargets` the file may declare no target (the cluster's objects are the targets).
    var targetsOptional = false

    mutating func build(_ node: Node) -> Config? {
        guard let root = reader.map(node, at: "", allowed: ConfigSchema.root) else { return nil }
        let controller = parseController(root)
        let sources = parseNamed(root, "sources", what: "source") { builder, name, node, path in
            builder.parseSource(name: name, node: node, path: path)
        }
        let orchestrators = parseNamed(root, "orchestrators", what: "orchestrator") { builder, name, node, path in
            builder.parseOrchestrator(name: name, node: node, path: path)
        }
        let targets = parseTargets(root)
        for (reference, needs) in [(leaderElectionReference, "leader election needs a kubernetes one (it holds a Lease)"),
                                   (scalingTargetsReference, "ScalingTarget objects need a kubernetes one (it watches them)")]
        {
            guard let (map, name) = reference, orchestrators != nil else { continue }
            switch orchestratorTypes[name] {
            case .none:
                reportUnknownReference(map, "orchestrator", name, what: "orchestrator", defined: Array(orchestratorTypes.keys))
            case .some(let type) where type != nil && type != .kubernetes:
                reader.report(map, "orchestrator", "'\(name)' is a \(type!.rawValue) orchestrator; \(needs)")
            default: break
            }
        }
        guard let controller, let sources, let orchestrators, let targets else { return nil }
        return Config(controller: controller, sources: sources, orchestrators: orchestrators, targets: targets)
    }

    // MARK: controller

    mutating func parseController(_ root: Map) -> ControllerConfig? {
        var config = ControllerConfig()
        guard let node = reader.present(root, "controller", required: false) else { return config }
        guard let map = reader.map(node, at: "controller", allowed: ConfigSchema.controller) else { return nil }
        let before = reader.problems.count
        if let node = map["interval"], !reader.isNull(node) {
            interval = nil
            if let value = reader.duration(map, "interval") {
                if value <= 0 || value > 3600 {
                    reader.report(map, "interval", "must be > 0 and ≤ 1h, got \(ConfigValues.formatDuration(value))")
                } else {
                    interval = value
                    config.intervalSeconds = value
                }
            }
        }
        if let mode = reader.oneOf(map, "mode", RunMode.allCases.map(\.rawValue)) { config.mode = RunMode(rawValue: mode)! }
        if let value = reader.integer(map, "concurrency") {
            if (1...1000).contains(value) { config.concurrency = value } else {
                reader.report(map, "concurrency", "must be 1–1000 (targets ticking at the same time), got \(value)")
            }
        }
        if let value = reader.fraction(map, "jitter") {
            if value >= 0, value <= 0.5 { config.jitter = value } else {
                reader.report(map, "jitter", "must be 0–0.5 (a share of the interval, e.g. 0.1 or 10%), got \(ConfigValues.formatNumber(value))")
            }
        }
        if let value = reader.duration(map, "backfill") {
            if value <= 14 * 86_400 { config.backfillSeconds = value } else {
                reader.report(map, "backfill", "must be ≤ 14d (the forecaster's memory; 0s disables backfill), got \(ConfigValues.formatDuration(value))")
            }
        }
        if let status = reader.map(map, "status", allowed: ConfigSchema.status) {
            if let listen = reader.string(status, "listen") {
                switch Self.hostPort(listen) {
                case .success(let (host, port)): (config.status.listenHost, config.status.listenPort) = (host, port)
                case .failure(let error): reader.report(status, "listen", error.message)
                }
            }
            config.status.tokenFile = reader.string(status, "tokenFile")
            if let value = reader.bool(status, "requireTokenForReads") { config.status.requireTokenForReads = value }
        }
        if let election = reader.map(map, "leaderElection", allowed: ConfigSchema.leaderElection) {
            if let orchestrator = reader.string(election, "orchestrator", required: true) {
                var settings = LeaderElectionConfig(orchestrator: orchestrator)
                settings.namespace = reader.string(election, "namespace")
                if let name = reader.string(election, "name") { settings.name = name }
                config.leaderElection = settings
                leaderElectionReference = (election, orchestrator)
            }
        }
        if let cluster = reader.map(map, "scalingTargets", allowed: ConfigSchema.scalingTargets) {
            if let orchestrator = reader.string(cluster, "orchestrator", required: true) {
                let namespace = reader.string(cluster, "namespace")
                if let namespace, !Self.isDNSLabel(namespace) { reader.report(cluster, "namespace", "must be a DNS label, got '\(namespace)'") }
                config.scalingTargets = ScalingTargetsConfig(orchestrator: orchestrator, namespace: namespace)
                scalingTargetsReference = (cluster, orchestrator)
            }
            targetsOptional = true
        }
        if let log = reader.map(map, "decisionLog", allowed: ConfigSchema.decisionLog) {
            if let path = reader.string(log, "path") { config.decisionLog.path = path }
            if let retention = reader.duration(log, "retention") {
                if retention < 3600 {
                    reader.report(log, "retention", "must be ≥ 1h, got \(ConfigValues.formatDuration(retention))")
                } else {
                    config.decisionLog.retentionSeconds = retention
                }
            }
        }
        return reader.problems.count == before ? config : nil
    }

    /// `host:port` with a port 1–65535; an IPv6 host is written in brackets (`[::1]:8080`).
    static func hostPort(_ text: String) -> Result<(String, Int), ValueError> {
        let usage = "expected host:port (e.g. 127.0.0.1:8080), got '\(text)'"
        guard let colon = text.lastIndex(of: ":") else { return .failure(ValueError(usage)) }
        var host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(" "), !portText.isEmpty, portText.allSatisfy(\.isASCII),
              let port = Int(portText) else { return .failure(ValueError(usage)) }
        guard (1...65535).contains(port) else { return .failure(ValueError("port must be 1–65535, got \(port)")) }
        return .success((host, port))
    }

    // MARK: named maps (sources, orchestrators)

    /// A required, non-empty mapping from names to definitions. Names are declared before their
    /// bodies are checked, so references to a broken definition still resolve.
    mutating func parseNamed<T>(
        _ root: Map, _ key: String, what: String,
        _ parse: (inout ConfigBuilder, String, Node, String) -> T?
    ) -> [String: T]? {
        guard let node = reader.present(root, key, required: true) else { return nil }
        guard case .mapping(let mapping) = node else {
            reader.report(key, at: node, "expected a mapping from \(what) names to \(what)s, got \(NodeReader.describe(node))")
            return nil
        }
        if mapping.isEmpty { reader.report(key, at: node, "at least one \(what) is required"); return nil }
        var result: [String: T] = [:], ok = true
        for (keyNode, value) in mapping {
            guard let name = keyNode.scalar?.string, case .string? = NodeReader.scalar(keyNode) else {
                reader.report(key, at: keyNode, "\(what) names must be strings, got \(NodeReader.describe(keyNode))")
                ok = false
                continue
            }
            let path = "\(key).\(name)"
            if name.range(of: "^[a-z0-9][a-z0-9_-]*$", options: .regularExpression) == nil {
                reader.report(path, at: keyNode, "\(what) names must match [a-z0-9][a-z0-9_-]*, got '\(name)'")
                ok = false
            }
            if key == "sources" { sourceTypes[name] = .some(nil) } else { orchestratorTypes[name] = .some(nil) }
            if let parsed = parse(&self, name, value, path) { result[name] = parsed } else { ok = false }
        }
        return ok ? result : nil
    }

    /// The text of `key` in a mapping node, without reporting anything (to pick the allowed keys).
    static func peek(_ node: Node, _ key: String) -> String? {
        guard case .mapping(let mapping) = node, let value = mapping[key], case .string(let text)? = NodeReader.scalar(value) else { return nil }
        return text
    }

    /// Allowed keys for a mapping whose extra keys depend on a type: the type's own when the
    /// type is known, otherwise all of them (the type's problem is reported on its own).
    static func keys<T: Hashable>(common: [String], byType: [T: [String]], order: [T], type: T?) -> (allowed: [String], elsewhere: [String]) {
        let all = ConfigSchema.union(byType, order: order)
        guard let type else { return (common + all, []) }
        let own = byType[type] ?? []
        return (common + own, all.filter { !own.contains($0) })
    }
}
