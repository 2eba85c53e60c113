import Foundation
import Pipeline
import Planner
import Yams

extension ConfigBuilder {
    mutating func parseTargets(_ root: Map) -> [TargetConfig]? {
        guard let node = reader.present(root, "targets", required: !targetsOptional) else { return targetsOptional ? [] : nil }
        guard case .sequence(let sequence) = node else {
            reader.report("targets", at: node, "expected a list of targets, got \(NodeReader.describe(node))")
            return nil
        }
        if sequence.isEmpty, !targetsOptional {
            reader.report("targets", at: node, "at least one target is required (or set controller.scalingTargets to take targets from the cluster)")
            return nil
        }
        var targets: [TargetConfig] = [], ok = true
        var seen: [String: Int] = [:]
        for (index, element) in sequence.enumerated() {
            let path = "targets[\(index)]"
            if let name = Self.peek(element, "name") {
                if let first = seen[name] {
                    if case .mapping(let mapping) = element, let nameNode = mapping["name"] {
                        reader.report("\(path).name", at: nameNode, "duplicate target name '\(name)' (also targets[\(first)])")
                    }
                    ok = false
                } else {
                    seen[name] = index
                }
            }
            if let target = parseTarget(element, path: path) { targets.append(target) } else { ok = false }
        }
        return ok ? targets : nil
    }

    mutating func parseTarget(_ node: Node, path: String) -> TargetConfig? {
        let before = reader.problems.count
        guard let map = reader.map(node, at: path, allowed: ConfigSchema.target) else { return nil }
        let name = reader.string(map, "name", required: true)
        if let name, !Self.isDNSLabel(name) {
            reader.report(
                map, "name",
                "must be a DNS label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters), got '\(name)'")
        }
        let scale = parseScale(map, targetName: name ?? "")
        let replicas = parseReplicas(map)
        let capacity = parseCapacity(map)
        let metrics = parseMetrics(map, capacityIsLearned: capacity.map { if case .learned = $0 { true } else { false } } ?? false)
        let modeText = reader.oneOf(map, "mode", RunMode.allCases.map(\.rawValue))
        var policy = ScalingPolicy(maxReplicas: replicas.max ?? 1, capacity: capacity ?? .learned(LearnedCapacity()))
        policy.minReplicas = replicas.min ?? 1
        parsePolicyFields(map, into: &policy, minReplicas: replicas.min)
        parseScaleToZero(map, into: &policy, minReplicas: replicas.min)
        parseBurst(map, into: &policy)
        if let learn = reader.bool(map, "learnStartup") { policy.learnStartup = learn }
        let safety = parseSafety(map, policy: policy)
        guard let name, let scale, let metrics, replicas.max != nil, capacity != nil, reader.problems.count == before else { return nil }
        return TargetConfig(
            name: name, scale: scale, metrics: metrics, mode: modeText.flatMap(RunMode.init(rawValue:)), policy: policy, safety: safety)
    }

    /// `fallback` and the circuit-breaker keys of `forecast`.
    mutating func parseSafety(_ map: Map, policy: ScalingPolicy) -> SafetyPolicy {
        var safety = SafetyPolicy()
        if let fallback = reader.map(map, "fallback", allowed: ConfigSchema.fallback) {
            if let after = reader.integer(fallback, "after") {
                if (1...1000).contains(after) { safety.fallbackAfter = after } else {
                    reader.report(fallback, "after", "must be 1–1000 (consecutive failed ticks), got \(after)")
                }
            }
            if let node = fallback["replicas"], !reader.isNull(node) {
                if reader.integerValue(node) == nil, let text = reader.string(fallback, "replicas") {
                    if text != "keep" { reader.report(fallback, "replicas", "expected 'keep' or a replica count, got '\(text)'") }
                } else if let count = reader.integer(fallback, "replicas") {
                    if count >= policy.minReplicas, count <= policy.maxReplicas { safety.fallbackReplicas = count } else {
                        reader.report(
                            fallback, "replicas",
                            "must be 'keep' or a count within replicas.min–max (\(policy.minReplicas)–\(policy.maxReplicas)), got \(count)")
                    }
                }
            }
            if let value = reader.bool(fallback, "scaleDown") { safety.fallbackScaleDown = value }
        }
        // `forecast` was checked (unknown keys, type) with the policy; read it again without reporting twice.
        var silent = NodeReader()
        if let node = map["forecast"], let forecast = silent.map(node, at: map.path("forecast"), allowed: ConfigSchema.forecast) {
            if let value = reader.number(forecast, "maxError") {
                if value > 0 { safety.maxForecastError = value } else {
                    reader.report(
                        forecast, "maxError",
                        "must be > 0 (recent forecast error as a multiple of the naive forecast's), got \(ConfigValues.formatNumber(value))")
                }
            }
            if let value = reader.bool(forecast, "tripOnDrift") { safety.tripOnDrift = value }
        }
        return safety
    }

    static func isDNSLabel(_ text: String) -> Bool {
        text.count <= 63 && text.range(of: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", options: .regularExpression) != nil
    }

    // MARK: scale

    mutating func parseScale(_ target: Map, targetName: String) -> ScaleConfig? {
        guard let node = reader.present(target, "scale", required: true) else { return nil }
        let reference = Self.peek(node, "orchestrator")
        let type = reference.flatMap { orchestratorTypes[$0] ?? nil }
        let keys = Self.keys(common: ConfigSchema.scale, byType: ConfigSchema.scaleByType, order: OrchestratorType.allCases, type: type)
        let before = reader.problems.count
        guard let map = reader.map(node, at: target.path("scale"), allowed: keys.allowed, elsewhere: keys.elsewhere,
                                   elsewhereNote: "not allowed for a \(type?.rawValue ?? "") orchestrator") else { return nil }
        guard let orchestrator = reader.string(map, "orchestrator", required: true) else { return nil }
        guard orchestratorTypes[orchestrator] != nil else {
            reportUnknownReference(map, "orchestrator", orchestrator, what: "orchestrator", defined: Array(orchestratorTypes.keys))
            return nil
        }
        guard let type else { return nil }
        let workload: Workload?
        switch type {
        case .kubernetes: workload = parseKubernetesWorkload(map)
        case .command:
            let get = reader.stringList(map, "get", required: true)
            let set = reader.stringList(map, "set", required: true)
            if let set, !set.contains("{replicas}") {
                let message = set.contains(where: { $0.contains("{replicas}") })
                    ? "'{replicas}' is replaced only as a whole list element: write it as its own element"
                    : "must contain the element \"{replicas}\" (replaced by the new count)"
                reader.report(map, "set", message)
            }
            workload = get.flatMap { get in set.map { .command(get: get, set: $0) } }
        case .webhook: workload = .webhook(name: reader.string(map, "name") ?? targetName)
        case .processPool: workload = reader.stringList(map, "command", required: true).map { .processPool(command: $0) }
        }
        guard let workload, reader.problems.count == before else { return nil }
        return ScaleConfig(orchestrator: orchestrator, workload: workload)
    }

    mutating func parseKubernetesWorkload(_ map: Map) -> Workload? {
        let kindText = reader.oneOf(map, "kind", KubernetesKind.allCases.map(\.rawValue))
        let kind = kindText.flatMap(KubernetesKind.init(rawValue:)) ?? .deployment
        let namespace = reader.string(map, "namespace") ?? "default"
        if !Self.isDNSLabel(namespace) { reader.report(map, "namespace", "must be a DNS label, got '\(namespace)'") }
        let name = reader.string(map, "name", required: true)
        var apiVersion: String?, resource: String?
        if kind == .custom {
            apiVersion = reader.string(map, "apiVersion", required: true)
            if let version = apiVersion,
                version.split(separator: "/", omittingEmptySubsequences: false).count != 2 || version.hasPrefix("/") || version.hasSuffix("/")
            {
                reader.report(map, "apiVersion", "expected group/version (e.g. apps.example.com/v1), got '\(version)'")
            }
            resource = reader.string(map, "resource", required: true)
        } else {
            for key in ["apiVersion", "resource"] where map[key] != nil {
                reader.report(map, key, "only allowed with kind: Custom (kind is \(kind.rawValue))")
            }
        }
        guard kindText != nil || map["kind"] == nil, let name else { return nil }
        return .kubernetes(kind: kind, namespace: namespace, name: name, apiVersion: apiVersion, resource: resource)
    }

    mutating func reportUnknownReference(_ map: Map, _ key: String, _ name: String, what: String, defined: [String]) {
        let names = defined.sorted()
        var hint = ""
        if let suggestion = DidYouMean.suggestion(for: name, among: names) { hint = "did you mean '\(suggestion)'?; " }
        let list = names.isEmpty ? "none defined" : "defined: \(names.joined(separator: ", "))"
        reader.report(map, key, "unknown \(what) '\(name)' (\(hint)\(list))")
    }

    // MARK: replicas

    /// The bounds; each is `nil` when it is invalid (a problem is reported then).
    mutating func parseReplicas(_ target: Map) -> (min: Int?, max: Int?) {
        guard let map = reader.map(target, "replicas", allowed: ConfigSchema.replicas, required: true) else { return (nil, nil) }
        let minGiven = map["min"] != nil
        let min = reader.integer(map, "min") ?? 1
        let max = reader.integer(map, "max", required: true)
        let minValid = min >= 0 && (!minGiven || reader.integerValue(map["min"]) != nil)
        if min < 0 { reader.report(map, "min", "must be ≥ 0, got \(min)") }
        if let max {
            if max < 1 || max > 10_000 {
                reader.report(map, "max", "must be 1–10000, got \(max)")
                return (minValid ? min : nil, nil)
            } else if minValid, max < min {
                reader.report(map, "max", "must be ≥ min (\(min)), got \(max)")
                return (min, nil)
            }
        }
        return (minValid ? min : nil, max)
    }
}
