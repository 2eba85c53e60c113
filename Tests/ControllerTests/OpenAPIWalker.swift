import Controller
import StatusAPI
import Foundation
import Yams

/// A small reader of the shipped OpenAPI document: its operations' parameters (for the patterns
/// the fuzz-finding tests check), and a check of a JSON value against a response schema's
/// `required` properties, nullability and string enums (for the model types the generator config
/// maps schemas to, whose JSON the generator does not write).
struct OpenAPIDocument {
    let root: [String: Any]

    init() throws {
        let text = try StatusAPI.openAPIDocument()
        guard let root = try Yams.load(yaml: text) as? [String: Any] else {
            throw WalkerError("the OpenAPI document is not a YAML mapping")
        }
        self.root = root
    }

    func operation(_ method: String, _ path: String) throws -> [String: Any] {
        guard let paths = root["paths"] as? [String: Any], let item = paths[path] as? [String: Any],
              let operation = item[method.lowercased()] as? [String: Any]
        else { throw WalkerError("no operation \(method) \(path) in the spec") }
        return operation
    }

    /// The JSON schema of one response, following `$ref`s.
    func responseSchema(_ method: String, _ path: String, status: Int) throws -> [String: Any] {
        let operation = try operation(method, path)
        guard let responses = operation["responses"] as? [String: Any], var response = responses[String(status)] as? [String: Any] else {
            throw WalkerError("\(method) \(path) does not declare status \(status)")
        }
        response = try resolve(response)
        guard let content = response["content"] as? [String: Any], let json = content["application/json"] as? [String: Any],
              let schema = json["schema"] as? [String: Any]
        else { throw WalkerError("\(method) \(path) \(status) has no application/json schema") }
        return try resolve(schema)
    }

    func resolve(_ node: [String: Any]) throws -> [String: Any] {
        guard let ref = node["$ref"] as? String else { return node }
        var current: Any = root
        for part in ref.dropFirst(2).split(separator: "/") {
            guard let next = (current as? [String: Any])?[String(part)] else { throw WalkerError("unresolved \(ref)") }
            current = next
        }
        guard let resolved = current as? [String: Any] else { throw WalkerError("\(ref) is not a mapping") }
        return try resolve(resolved)
    }

    /// Problems of `value` (from `JSONSerialization`) against `schema`, with JSON paths.
    func problems(_ value: Any, schema: [String: Any], at path: String = "$") throws -> [String] {
        let schema = try resolve(schema)
        for key in ["oneOf", "anyOf"] {
            if let branches = schema[key] as? [[String: Any]] {
                var all: [String] = []
                for branch in branches {
                    let found = try problems(value, schema: branch, at: path)
                    if found.isEmpty { return [] }
                    all += found
                }
                return ["\(path): matches no branch of \(key): \(all.joined(separator: "; "))"]
            }
        }
        let types: [String] = switch schema["type"] {
        case let type as String: [type]
        case let types as [Any]: types.compactMap { $0 as? String }
        default: []
        }
        if value is NSNull {
            return types.contains("null") ? [] : ["\(path): null where the schema does not allow it"]
        }
        if let enumValues = schema["enum"] as? [Any], let string = value as? String,
           !enumValues.contains(where: { ($0 as? String) == string }) {
            return ["\(path): '\(string)' is not one of \(enumValues)"]
        }
        if let constant = schema["const"] as? String, let string = value as? String, string != constant {
            return ["\(path): '\(string)' is not '\(constant)'"]
        }
        if let object = value as? [String: Any] {
            if !types.isEmpty, !types.contains("object") { return ["\(path): an object where the schema says \(types)"] }
            var found: [String] = []
            for name in schema["required"] as? [String] ?? [] where object[name] == nil {
                found.append("\(path): missing required property '\(name)'")
            }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (name, member) in object {
                if let propertySchema = properties[name] as? [String: Any] {
                    found += try problems(member, schema: propertySchema, at: "\(path).\(name)")
                } else if let additional = schema["additionalProperties"] as? [String: Any] {
                    found += try problems(member, schema: additional, at: "\(path).\(name)")
                } else if !properties.isEmpty {
                    found.append("\(path): property '\(name)' is not in the schema")
                }
            }
            return found
        }
        if let array = value as? [Any] {
            if !types.isEmpty, !types.contains("array") { return ["\(path): an array where the schema says \(types)"] }
            guard let items = schema["items"] as? [String: Any] else { return [] }
            var found: [String] = []
            for (index, element) in array.enumerated() {
                found += try problems(element, schema: items, at: "\(path)[\(index)]")
            }
            return found
        }
        if value is String, !types.isEmpty, !types.contains("string") {
            return ["\(path): a string where the schema says \(types)"]
        }
        return []
    }
}

struct WalkerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
