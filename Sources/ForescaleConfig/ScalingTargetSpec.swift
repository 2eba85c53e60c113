import JSON
import Yams

/// A `ScalingTarget` object's spec read as a target of the config file.
///
/// The spec is a target of the file without `name` (the object's `metadata.name`) and without
/// `scale.orchestrator` and `scale.namespace` (`controller.scalingTargets.orchestrator` and the
/// object's namespace). It is checked by the same validator as the file, against the file's
/// sources and orchestrators, and every problem names its key path from `spec`.
public enum ScalingTargetSpec {
    /// The target the spec declares, or every problem found in it.
    /// - Parameters:
    ///   - spec: the object's `spec`.
    ///   - config: the controller's config (its sources, orchestrators, interval and `scalingTargets`).
    public static func target(name: String, namespace: String, spec: JSONValue, config: Config) -> Result<TargetConfig, ConfigErrors> {
        let file = "ScalingTarget \(namespace)/\(name)"
        guard let settings = config.controller.scalingTargets else {
            return .failure(
                ConfigErrors(file: file, problems: [ConfigProblem(path: "", message: "controller.scalingTargets is not set in the controller's config")]))
        }
        guard ConfigBuilder.isDNSLabel(name) else {
            return .failure(ConfigErrors(file: file, problems: [ConfigProblem(
                path: "metadata.name",
                message: "a target's name must be a DNS label (lower-case letters, digits and '-', at most 63 characters), got '\(name)'")]))
        }
        guard case .mapping(var mapping) = node(spec) else {
            return .failure(ConfigErrors(file: file, problems: [ConfigProblem(path: "spec", message: "expected an object, got \(spec.typeName)")]))
        }
        var problems: [ConfigProblem] = []
        if mapping["name"] != nil {
            problems.append(ConfigProblem(path: "spec.name", message: "not allowed: the target's name is the object's metadata.name"))
        }
        if case .mapping(var scale)? = mapping["scale"] {
            for key in ["orchestrator", "namespace"] where scale[key] != nil {
                let what = key == "namespace" ? "the object's own namespace" : "controller.scalingTargets.orchestrator (\(settings.orchestrator))"
                problems.append(ConfigProblem(path: "spec.scale.\(key)", message: "not allowed: set by the controller to \(what)"))
            }
            scale["orchestrator"] = Node(settings.orchestrator)
            scale["namespace"] = Node(namespace)
            mapping["scale"] = .mapping(scale)
        }
        mapping["name"] = Node(name)
        var builder = ConfigBuilder(config: config)
        let target = builder.parseTarget(.mapping(mapping), path: "spec")
        // Lines and columns are those of the JSON text the controller made, not of anything the user wrote.
        problems += builder.reader.problems.map { ConfigProblem(path: $0.path, message: $0.message) }
        problems.sort { ($0.path, $0.message) < ($1.path, $1.message) }
        if let target, problems.isEmpty { return .success(target) }
        return .failure(ConfigErrors(file: file, problems: problems.isEmpty ? [ConfigProblem(path: "spec", message: "invalid target")] : problems))
    }
}

extension ScalingTargetSpec {
    /// A JSON value as the YAML tree the validator reads: strings stay strings (`"80%"`, `"true"`),
    /// numbers and booleans keep their types.
    static func node(_ value: JSONValue) -> Node {
        switch value {
        case .null: return Node("null", Tag(.null))
        case .bool(let bool): return Node(bool ? "true" : "false", Tag(.bool))
        case .number(let number):
            if number == number.rounded(), abs(number) < 1e15 { return Node(String(Int(number)), Tag(.int)) }
            return Node(String(number), Tag(.float))
        case .string(let text): return Node(text, Tag(.str), .doubleQuoted)
        case .array(let items): return .sequence(Node.Sequence(items.map(node)))
        case .object(let fields):
            return .mapping(Node.Mapping(fields.sorted { $0.key < $1.key }.map { (Node($0.key, Tag(.str)), node($0.value)) }))
        }
    }
}

extension ConfigBuilder {
    /// A builder that knows the sources, orchestrators and interval of a validated config, to
    /// check a target declared elsewhere against them.
    init(config: Config) {
        self.init()
        interval = config.controller.intervalSeconds
        for (name, source) in config.sources { sourceTypes[name] = .some(source.type) }
        for (name, orchestrator) in config.orchestrators { orchestratorTypes[name] = .some(orchestrator.type) }
    }
}
