import Foundation
@_exported import JSON

extension JSONValue {
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
            return .success(try JSONValue.parse(body, rejectingDuplicateKeys: false))
        } catch {
            return .failure(
                FetchError(.decode, "\(what) answered invalid JSON (\(error.message); \(body.count) bytes): \(snippet(body))"))
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
        let parts = pointer.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard pointer.utf8.contains(UInt8(ascii: "~")) else { return parts.map { String(decoding: $0, as: UTF8.self) } }
        return parts.map {
            String(decoding: $0, as: UTF8.self).replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
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
