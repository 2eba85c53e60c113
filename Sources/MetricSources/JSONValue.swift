import Foundation

/// A parsed JSON document, for navigating APIs by field and by RFC 6901 pointer.
public enum JSONValue: Sendable, Equatable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? c.decode(Double.self) {
            self = .number(n)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var double: Double? {
        if case .number(let n) = self { return n }
        return nil
    }

    public var int: Int? {
        guard let d = double, d.rounded() == d, abs(d) < 9.0e15 else { return nil }
        return Int(d)
    }

    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var array: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var object: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// A short name of the JSON type, for messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// Parses a body, with a message that says what was wrong (HTML, truncated, not JSON).
    static func parse(_ body: [UInt8], from what: String) -> Result<JSONValue, FetchError> {
        let firstByte = body.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        if firstByte == nil {
            return .failure(FetchError(.decode, "\(what) answered an empty body, not JSON"))
        }
        if firstByte == UInt8(ascii: "<") {
            return .failure(FetchError(.decode, "\(what) answered HTML or XML, not JSON: \(snippet(body))"))
        }
        do {
            return .success(try JSONDecoder().decode(JSONValue.self, from: Data(body)))
        } catch let DecodingError.dataCorrupted(context) {
            let cause = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return .failure(
                FetchError(
                    .decode,
                    "\(what) answered invalid JSON (\(cause ?? context.debugDescription); \(body.count) bytes): \(snippet(body))"
                ))
        } catch {
            return .failure(FetchError(.decode, "\(what) answered invalid JSON (\(error)): \(snippet(body))"))
        }
    }

    static func snippet(_ body: [UInt8], limit: Int = 120) -> String {
        HTTPReply(status: 0, body: body).snippet(limit)
    }
}

/// RFC 6901 JSON pointers.
public enum JSONPointer {
    /// The reference tokens of a pointer: `""` is the whole document, `/a~1b/0` is `["a/b", "0"]`.
    public static func tokens(_ pointer: String) throws(FetchError) -> [String] {
        if pointer.isEmpty { return [] }
        guard pointer.hasPrefix("/") else {
            throw FetchError(.config, "JSON pointer \"\(pointer)\" must be empty or start with \"/\"")
        }
        return pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.contains("~") ? $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~") : String($0)
        }
    }

    /// The value at `pointer`, or an error naming the first token that did not resolve.
    public static func resolve(_ pointer: String, in document: JSONValue) throws(FetchError) -> JSONValue {
        var current = document
        let tokens = try tokens(pointer)
        for (position, token) in tokens.enumerated() {
            // The pointer up to (not including) this token, for error messages.
            var walked: String {
                tokens[..<position].map { "/" + $0.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1") }.joined()
            }
            switch current {
            case .object(let o):
                guard let next = o[token] else {
                    throw FetchError(.decode, "JSON pointer \(pointer): no key \"\(token)\" at \"\(walked)\"")
                }
                current = next
            case .array(let a):
                guard let i = Int(token), i >= 0, String(i) == token, i < a.count else {
                    throw FetchError(
                        .decode, "JSON pointer \(pointer): no index \(token) in the array of \(a.count) at \"\(walked)\"")
                }
                current = a[i]
            default:
                throw FetchError(
                    .decode, "JSON pointer \(pointer): \"\(walked)\" is a \(current.typeName), cannot take \"\(token)\"")
            }
        }
        return current
    }
}
