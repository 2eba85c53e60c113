import Foundation
import Hummingbird
import JSON
import Synchronization
import Yams

/// What the OpenAPI document says about each operation beyond what the generated code checks:
/// who may call it (`security`), which query parameters it takes (any other is a 400) and
/// whether it has a request body (checked strictly before the generated decoding).
struct SpecOperation: Sendable, Hashable, CustomStringConvertible {
    var method: HTTPRequest.Method
    /// In OpenAPI syntax, `/v1/targets/{name}`.
    var path: String
    var operationID: String
    var access: StatusAPI.Access
    var queryParameters: Set<String>
    var hasRequestBody: Bool
    /// The schema of each query parameter, and of each property of the JSON request body.
    var querySchemas: [String: ValueSchema] = [:]
    var bodySchemas: [String: ValueSchema] = [:]

    var description: String { "\(method.rawValue) \(path)" }

    /// Whether a concrete path matches this operation's path with `{captures}`.
    func matches(path concrete: String) -> Bool {
        let patternParts = path.split(separator: "/")
        let pathParts = concrete.split(separator: "/")
        guard patternParts.count == pathParts.count else { return false }
        return zip(patternParts, pathParts).allSatisfy { pattern, part in
            (pattern.hasPrefix("{") && pattern.hasSuffix("}")) || pattern == part
        }
    }
}

/// Every operation of `openapi.yaml`, read once.
struct SpecOperations: Sendable {
    let all: [SpecOperation]

    private static let cache = Mutex<SpecOperations?>(nil)

    /// The operations of the shipped document.
    static func shared() throws -> SpecOperations {
        if let cached = cache.withLock({ $0 }) { return cached }
        let operations = try SpecOperations(document: StatusAPI.openAPIDocument())
        cache.withLock { $0 = operations }
        return operations
    }

    /// The operation for a method and a concrete path, if any.
    func operation(method: HTTPRequest.Method, path: String) -> SpecOperation? {
        all.first { $0.method == method && $0.matches(path: path) }
    }

    /// The operations at a concrete path, whatever their method.
    func operations(at path: String) -> [SpecOperation] {
        all.filter { $0.matches(path: path) }
    }

    init(document: String) throws {
        guard let root = try Yams.load(yaml: document) as? [String: Any], let paths = root["paths"] as? [String: Any] else {
            throw SpecError("openapi.yaml has no paths")
        }
        let components = root["components"] as? [String: Any] ?? [:]
        let sharedParameters = components["parameters"] as? [String: Any] ?? [:]
        let schemas = components["schemas"] as? [String: Any] ?? [:]
        var result: [SpecOperation] = []
        for (path, item) in paths {
            guard let item = item as? [String: Any] else { throw SpecError("\(path) is not a mapping") }
            for (key, value) in item {
                guard let method = HTTPRequest.Method(key.uppercased()), ["get", "post", "put", "patch", "delete"].contains(key),
                      let operation = value as? [String: Any]
                else { continue }
                guard let operationID = operation["operationId"] as? String else { throw SpecError("\(key) \(path) has no operationId") }
                var query: Set<String> = []
                var querySchemas: [String: ValueSchema] = [:]
                for parameter in operation["parameters"] as? [[String: Any]] ?? [] {
                    var resolved = parameter
                    if let reference = parameter["$ref"] as? String {
                        let name = String(reference.split(separator: "/").last ?? "")
                        guard let shared = sharedParameters[name] as? [String: Any] else { throw SpecError("unresolved \(reference)") }
                        resolved = shared
                    }
                    if resolved["in"] as? String == "query", let name = resolved["name"] as? String {
                        query.insert(name)
                        querySchemas[name] = try ValueSchema(resolved["schema"] as? [String: Any] ?? [:], schemas: schemas)
                    }
                }
                var bodySchemas: [String: ValueSchema] = [:]
                let body = operation["requestBody"] as? [String: Any]
                if let content = body?["content"] as? [String: Any], let json = content["application/json"] as? [String: Any],
                   let schema = json["schema"] as? [String: Any] {
                    let object = try ValueSchema.resolve(schema, schemas: schemas)
                    for (name, property) in object["properties"] as? [String: Any] ?? [:] {
                        bodySchemas[name] = try ValueSchema(property as? [String: Any] ?? [:], schemas: schemas)
                    }
                }
                result.append(
                    SpecOperation(
                        method: method, path: path, operationID: operationID, access: try Self.access(operation["security"], of: operationID),
                        queryParameters: query, hasRequestBody: body != nil, querySchemas: querySchemas, bodySchemas: bodySchemas))
            }
        }
        all = result.sorted { ($0.path, $0.method.rawValue) < ($1.path, $1.method.rawValue) }
    }

    /// `security: []` is open; `security: [{bearerAuth: []}]` alone needs the token; the
    /// document's default (anonymous or the token) is a read.
    private static func access(_ security: Any?, of operationID: String) throws -> StatusAPI.Access {
        guard let security else { return .read }
        guard let requirements = security as? [[String: Any]] else { throw SpecError("\(operationID): security is not a list") }
        if requirements.isEmpty { return .open }
        if requirements.allSatisfy({ $0.keys.sorted() == ["bearerAuth"] }) { return .write }
        if requirements.contains(where: \.isEmpty) { return .read }
        throw SpecError("\(operationID): unknown security \(requirements)")
    }
}

struct SpecError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The type of a query parameter or a body property, enough to name the one a failed generated
/// decoding was about (the decoder does not always say: a query value's error, or Foundation's
/// for a JSON number that is not an integer, carry no coding path).
struct ValueSchema: Sendable, Hashable {
    /// JSON Schema types (`integer`, `number`, `string`, `boolean`, `null`, `object`, `array`); empty for any.
    var types: Set<String> = []
    var enumValues: [String]?
    var dateTime = false
    /// `anyOf`/`oneOf` branches: the value must fit one.
    var branches: [ValueSchema] = []

    init(_ node: [String: Any], schemas: [String: Any]) throws {
        let node = try Self.resolve(node, schemas: schemas)
        switch node["type"] {
        case let type as String: types = [type]
        case let list as [Any]: types = Set(list.compactMap { $0 as? String })
        default: break
        }
        enumValues = (node["enum"] as? [Any])?.compactMap { $0 as? String }
        dateTime = node["format"] as? String == "date-time"
        for key in ["anyOf", "oneOf"] {
            for branch in node[key] as? [[String: Any]] ?? [] { branches.append(try ValueSchema(branch, schemas: schemas)) }
        }
    }

    static func resolve(_ node: [String: Any], schemas: [String: Any]) throws -> [String: Any] {
        guard let reference = node["$ref"] as? String else { return node }
        let name = String(reference.split(separator: "/").last ?? "")
        guard reference.hasPrefix("#/components/schemas/"), let schema = schemas[name] as? [String: Any] else {
            throw SpecError("unresolved \(reference)")
        }
        return try resolve(schema, schemas: schemas)
    }

    /// Whether a query parameter's text can be read as this type (as the generated decoding reads it).
    func accepts(query text: String) -> Bool {
        if !branches.isEmpty { return branches.contains { $0.accepts(query: text) } }
        if types.contains("string") {
            if dateTime { return APITime.parseRFC3339(text) != nil }
            return enumValues.map { $0.contains(text) } ?? true
        }
        if types.contains("integer"), Int(text) != nil { return true }
        if types.contains("number"), Double(text) != nil { return true }
        if types.contains("boolean"), text == "true" || text == "false" { return true }
        return types.isEmpty
    }

    /// Whether a JSON value has this type.
    func accepts(json value: JSONValue) -> Bool {
        if !branches.isEmpty { return branches.contains { $0.accepts(json: value) } }
        if types.isEmpty { return true }
        switch value {
        case .null: return types.contains("null")
        case .bool: return types.contains("boolean")
        case .number(let number):
            return types.contains("number") || (types.contains("integer") && number.rounded() == number && abs(number) < 9e18)
        case .string(let text):
            return types.contains("string") && (enumValues.map { $0.contains(text) } ?? true)
        case .array: return types.contains("array")
        case .object: return types.contains("object")
        }
    }
}

extension ValueSchema {
    /// What the value must be, in words.
    var expectation: String {
        if !branches.isEmpty { return branches.map(\.expectation).joined(separator: " or ") }
        if let enumValues { return "one of \(enumValues.joined(separator: ", "))" }
        if dateTime { return "an RFC 3339 time such as 2026-11-27T10:00:00Z" }
        let words = types.subtracting(["null"]).sorted().map { type in
            switch type {
            case "integer": "an integer"
            case "number": "a number"
            case "string": "a string"
            case "boolean": "true or false"
            default: "an \(type)"
            }
        }
        return words.joined(separator: " or ") + (types.contains("null") ? " or null" : "")
    }
}
