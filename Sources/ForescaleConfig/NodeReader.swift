import Yams

/// A YAML mapping checked against its allowed keys, with its key path.
struct Map {
    let path: String
    let node: Node
    /// Keys in file order.
    let keys: [String]
    let values: [String: Node]

    subscript(key: String) -> Node? { values[key] }
    func path(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
}

/// A scalar's value as the config reads it.
enum ScalarValue {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
}

/// Walks the YAML tree, collecting a problem for every thing wrong instead of stopping at the first.
struct NodeReader {
    private(set) var problems: [ConfigProblem] = []

    mutating func report(_ path: String, at node: Node?, _ message: String) {
        problems.append(ConfigProblem(path: path, message: message, line: node?.mark?.line, column: node?.mark?.column))
    }

    /// Reports a problem with the value of `key` (or with the mapping when the key is absent).
    mutating func report(_ map: Map, _ key: String, _ message: String) {
        report(map.path(key), at: map[key] ?? map.node, message)
    }

    // MARK: Shapes

    /// How a node is named in "expected …, got …" messages.
    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar:
            switch scalar(node) {
            case .null: return "nothing (null)"
            case .bool(let value): return "\(value)"
            case .number: return "the number \(node.scalar?.string ?? "")"
            case .string(let text): return "'\(text)'"
            case nil: return "a value"
            }
        }
    }

    /// The scalar's value: plain scalars are typed as YAML 1.1 would (null, true/false, numbers);
    /// quoted ones are always strings. `nil` for mappings and lists.
    static func scalar(_ node: Node) -> ScalarValue? {
        guard case .scalar(let scalar) = node else { return nil }
        let raw = scalar.string
        guard scalar.style == .plain || scalar.style == .any else { return .string(raw) }
        switch node.tag.description {
        case Tag.Name.null.rawValue: return .null
        case Tag.Name.bool.rawValue:
            switch raw.lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: return .string(raw)
            }
        case Tag.Name.int.rawValue, Tag.Name.float.rawValue:
            if let value = Double(raw) ?? node.float ?? node.int.map(Double.init), value.isFinite { return .number(value) }
            return .string(raw)
        default: return .string(raw)
        }
    }

    /// The node as a mapping whose keys are all in `allowed`. A key in `elsewhere` is allowed in a
    /// mapping of another type: it gets `elsewhereNote` (e.g. "not allowed for a burrow source").
    mutating func map(_ node: Node, at path: String, allowed: [String], elsewhere: [String] = [], elsewhereNote: String = "") -> Map? {
        guard case .mapping(let mapping) = node else {
            report(path, at: node, "expected a mapping, got \(Self.describe(node))")
            return nil
        }
        var keys: [String] = [], values: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard case .string(let key)? = Self.scalar(keyNode) else {
                report(path, at: keyNode, "keys must be strings, got \(Self.describe(keyNode))")
                continue
            }
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            if !allowed.contains(key) {
                if key == "<<" {
                    report(keyPath, at: keyNode, "YAML merge keys are not supported: write the keys out")
                } else if elsewhere.contains(key) {
                    report(keyPath, at: keyNode, "\(elsewhereNote) (allowed here: \(allowed.joined(separator: ", ")))")
                } else {
                    report(keyPath, at: keyNode, "unknown key\(DidYouMean.hint(for: key, among: allowed))")
                }
                continue
            }
            keys.append(key)
            values[key] = value
        }
        return Map(path: path, node: node, keys: keys, values: values)
    }

    /// A nested mapping under `key`; `nil` (and a problem if required) when absent.
    mutating func map(_ parent: Map, _ key: String, allowed: [String], required: Bool = false) -> Map? {
        guard let node = present(parent, key, required: required) else { return nil }
        return map(node, at: parent.path(key), allowed: allowed)
    }

    /// The value of `key`, or `nil` after reporting it missing when required. A null value counts as absent.
    mutating func present(_ map: Map, _ key: String, required: Bool) -> Node? {
        if let node = map[key], !isNull(node) { return node }
        if required { report(map.path(key), at: map[key] ?? map.node, "required key is missing") }
        return nil
    }

    func isNull(_ node: Node) -> Bool {
        if case .null? = Self.scalar(node) { return true }
        return false
    }

    // MARK: Typed values

    mutating func string(_ map: Map, _ key: String, required: Bool = false) -> String? {
        guard let node = present(map, key, required: required) else { return nil }
        switch Self.scalar(node) {
        case .string(let text)?:
            if text.isEmpty { report(map, key, "must not be empty"); return nil }
            return text
        case .number?, .bool?: return node.scalar?.string
        default:
            report(map, key, "expected a string, got \(Self.describe(node))")
            return nil
        }
    }

    mutating func bool(_ map: Map, _ key: String) -> Bool? {
        guard let node = present(map, key, required: false) else { return nil }
        if case .bool(let value)? = Self.scalar(node) { return value }
        report(map, key, "expected true or false, got \(Self.describe(node))")
        return nil
    }

    mutating func number(_ map: Map, _ key: String, required: Bool = false) -> Double? {
        guard let node = present(map, key, required: required) else { return nil }
        if case .number(let value)? = Self.scalar(node) { return value }
        report(map, key, "expected a number, got \(Self.describe(node))")
        return nil
    }

    /// The integer a node holds, without reporting anything.
    func integerValue(_ node: Node?) -> Int? {
        guard let node, case .number(let value)? = Self.scalar(node), value == value.rounded(), abs(value) < 1e15 else { return nil }
        return Int(value)
    }

    mutating func integer(_ map: Map, _ key: String, required: Bool = false) -> Int? {
        guard let node = present(map, key, required: required) else { return nil }
        if case .number(let value)? = Self.scalar(node), value == value.rounded(), abs(value) < 1e15 { return Int(value) }
        report(map, key, "expected an integer, got \(Self.describe(node))")
        return nil
    }

    /// A duration in seconds (`15s`, `1h30m`).
    mutating func duration(_ map: Map, _ key: String, required: Bool = false) -> Double? {
        parsed(map, key, required: required, expected: "a duration") { value, _ in
            switch value {
            case .string(let text): ConfigValues.duration(text)
            default: ConfigValues.duration(node: value)
            }
        }
    }

    /// A rate in messages per second: a plain number, or `N/s`, `N/m`, `N/min`, `N/h`.
    mutating func rate(_ map: Map, _ key: String, required: Bool = false) -> Double? {
        parsed(map, key, required: required, expected: "a rate") { value, raw in
            switch value {
            case .number(let number) where number < 0: .failure(ValueError("must not be negative: \(raw)"))
            case .number(let number): .success(number)
            case .string(let text): ConfigValues.rate(text)
            default: .failure(ValueError("not a rate: \(raw) (\(ConfigValues.rateHelp))"))
            }
        }
    }

    /// A fraction: a plain number (`0.8`) or a percentage (`80%`).
    mutating func fraction(_ map: Map, _ key: String, required: Bool = false) -> Double? {
        parsed(map, key, required: required, expected: "a fraction") { value, raw in
            switch value {
            case .number(let number): .success(number)
            case .string(let text): ConfigValues.fraction(text)
            default: .failure(ValueError("not a fraction: \(raw) (\(ConfigValues.fractionHelp))"))
            }
        }
    }

    private mutating func parsed(
        _ map: Map, _ key: String, required: Bool, expected: String,
        _ parse: (ScalarValue, String) -> Result<Double, ValueError>
    ) -> Double? {
        guard let node = present(map, key, required: required) else { return nil }
        guard let value = Self.scalar(node) else {
            report(map, key, "expected \(expected), got \(Self.describe(node))")
            return nil
        }
        switch parse(value, node.scalar?.string ?? "") {
        case .success(let result): return result
        case .failure(let error): report(map, key, error.message); return nil
        }
    }

    /// A non-empty list of strings (an argv).
    mutating func stringList(_ map: Map, _ key: String, required: Bool = false) -> [String]? {
        guard let node = present(map, key, required: required) else { return nil }
        guard case .sequence(let sequence) = node else {
            report(map, key, "expected a list of strings, got \(Self.describe(node))")
            return nil
        }
        if sequence.isEmpty { report(map, key, "must not be empty"); return nil }
        var out: [String] = [], ok = true
        for (index, element) in sequence.enumerated() {
            switch Self.scalar(element) {
            case .string?, .number?:
                out.append(element.scalar?.string ?? "")
            default:
                report("\(map.path(key))[\(index)]", at: element, "expected a string, got \(Self.describe(element))")
                ok = false
            }
        }
        return ok ? out : nil
    }

    /// A mapping of strings to strings (HTTP headers).
    mutating func stringMap(_ map: Map, _ key: String) -> [String: String]? {
        guard let node = present(map, key, required: false) else { return nil }
        guard case .mapping(let mapping) = node else {
            report(map, key, "expected a mapping of strings, got \(Self.describe(node))")
            return nil
        }
        var out: [String: String] = [:]
        for (keyNode, value) in mapping {
            let name = keyNode.scalar?.string ?? ""
            switch Self.scalar(value) {
            case .string(let text)?: out[name] = text
            case .number?, .bool?: out[name] = value.scalar?.string
            default: report("\(map.path(key)).\(name)", at: value, "expected a string, got \(Self.describe(value))")
            }
        }
        return out
    }

    /// One of `allowed` (case-sensitive), with a did-you-mean otherwise.
    mutating func oneOf(_ map: Map, _ key: String, _ allowed: [String], required: Bool = false) -> String? {
        guard let text = string(map, key, required: required) else { return nil }
        if allowed.contains(text) { return text }
        report(map, key, "must be one of \(allowed.joined(separator: ", ")), got '\(text)'\(DidYouMean.hint(for: text, among: allowed))")
        return nil
    }
}

extension ConfigValues {
    /// A duration written as a YAML number, null or boolean: always an error.
    static func duration(node value: ScalarValue) -> Result<Double, ValueError> {
        switch value {
        case .number(let number) where number < 0: .failure(ValueError("must not be negative: '\(formatNumber(number))'"))
        case .number(let number): .failure(ValueError("missing unit: '\(formatNumber(number))' (\(durationHelp))"))
        default: .failure(ValueError("not a duration (\(durationHelp))"))
        }
    }
}
