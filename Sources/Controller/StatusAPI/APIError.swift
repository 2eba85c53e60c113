import Foundation
import Hummingbird
import Logging
import Synchronization

/// The body of every error response: `{"error": "…", "parameter": "…" | null}`.
///
/// `parameter` is always present: the query parameter, path parameter or body field at fault, or
/// `null` when the error is about no single one.
public struct APIErrorBody: Sendable, Equatable, Codable {
    public var error: String
    public var parameter: String?

    public init(error: String, parameter: String?) {
        self.error = error
        self.parameter = parameter
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(error, forKey: .error)
        // Explicit null, so the key is always there.
        try container.encode(parameter, forKey: .parameter)
    }
}

/// An error the API answers with a status and an `APIErrorBody`.
struct APIError: Error {
    var status: HTTPResponse.Status
    var message: String
    var parameter: String?
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ message: String, parameter: String? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.parameter = parameter
        self.headers = headers
    }

    static func badRequest(_ parameter: String, _ message: String) -> APIError {
        APIError(.badRequest, message, parameter: parameter)
    }

    init(_ error: ControlError) {
        let status: HTTPResponse.Status = switch error.kind {
        case .notFound: .notFound
        case .badRequest: .badRequest
        case .unavailable: .serviceUnavailable
        }
        self.init(status, error.message, parameter: error.parameter)
    }

    func response() -> Response {
        var response = JSONResponse.make(APIErrorBody(error: message, parameter: parameter), status: status)
        for field in headers {
            response.headers.append(field)
        }
        return response
    }
}

/// JSON responses with the API's encoder.
enum JSONResponse {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    static func encode(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder().encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A 200 with JSON that is already encoded.
    static func json(_ bytes: [UInt8]) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// For values that always encode (no floating-point fields).
    static func make(_ value: some Encodable, status: HTTPResponse.Status) -> Response {
        do {
            return try encode(value, status: status)
        } catch {
            let text = #"{"error":"response could not be encoded","parameter":null}"#
            return Response(
                status: .internalServerError, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
    }
}

/// Turns every error into a JSON error response: `APIError`, `ControlError`, Hummingbird's
/// `HTTPError` (404 of unknown paths, 405 of a known path with another method) and anything else (500).
struct APIErrorMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response()
        } catch let error as ControlError {
            return APIError(error).response()
        } catch let error as HTTPError {
            if error.status == .notFound {
                let allowed = StatusAPI.routes.filter { StatusAPI.matches(pattern: $0.path, path: request.uri.path) }
                if !allowed.isEmpty {
                    let methods = allowed.map(\.method.rawValue).joined(separator: ", ")
                    return APIError(
                        .methodNotAllowed, "method \(request.method.rawValue) not allowed here; allowed: \(methods)",
                        headers: [.allow: methods]
                    ).response()
                }
                return APIError(.notFound, "no route \(request.method.rawValue) \(request.uri.path)").response()
            }
            return APIError(error.status, error.body ?? error.status.reasonPhrase).response()
        } catch {
            logger.error("status API: \(request.method.rawValue) \(request.uri.path) failed: \(String(describing: error))")
            return APIError(.internalServerError, "internal error: \(String(describing: error))").response()
        }
    }
}

/// The JSON of each target's summary, kept between requests and reused while the summary is
/// unchanged, so `GET /v1/status` and `GET /v1/targets` encode only the targets that ticked or
/// changed since the last request instead of every target every time (with 1,000 targets the
/// full encoding costs milliseconds of CPU per request).
///
/// The output is byte-for-byte what encoding the whole value with `JSONResponse.encoder()`
/// gives: a value's JSON does not depend on where it is nested (no pretty printing).
final class SummaryEncodingCache: Sendable {
    private struct Entry: Sendable {
        var summary: TargetSummary
        var json: [UInt8]
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// `summaries` as a JSON array.
    func encodeArray(_ summaries: [TargetSummary]) throws -> [UInt8] {
        let cached = entries.withLock { $0 }
        var fresh: [String: Entry] = [:]
        var encoder: JSONEncoder?
        var out: [UInt8] = []
        out.reserveCapacity(summaries.count * 400 + 2)
        out.append(UInt8(ascii: "["))
        for (index, summary) in summaries.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            if let hit = cached[summary.name], hit.summary == summary {
                out.append(contentsOf: hit.json)
            } else {
                let current = encoder ?? JSONResponse.encoder()
                encoder = current
                let json = Array(try current.encode(summary))
                out.append(contentsOf: json)
                fresh[summary.name] = Entry(summary: summary, json: json)
            }
        }
        out.append(UInt8(ascii: "]"))
        if !fresh.isEmpty || cached.count > summaries.count {
            entries.withLock { entries in
                entries.merge(fresh) { _, new in new }
                if entries.count > summaries.count {  // targets removed by a reload
                    let names = Set(summaries.map(\.name))
                    entries = entries.filter { names.contains($0.key) }
                }
            }
        }
        return out
    }

    /// `GET /v1/status`: the snapshot with its `targets` from the cache.
    func encodeStatus(_ snapshot: StatusSnapshot) throws -> [UInt8] {
        var outer = snapshot
        outer.targets = []
        let head = Array(try JSONResponse.encoder().encode(outer))
        // Keys are sorted: only `ticks` and `version` (a number and a version string) follow
        // `targets`, so the last `"targets":[]` is the placeholder.
        let placeholder = Array(#""targets":[]"#.utf8)
        guard let range = Self.lastRange(of: placeholder, in: head) else {
            return Array(try JSONResponse.encoder().encode(snapshot))
        }
        var out = Array(head[..<range.lowerBound])
        out.append(contentsOf: #""targets":"#.utf8)
        out.append(contentsOf: try encodeArray(snapshot.targets))
        out.append(contentsOf: head[range.upperBound...])
        return out
    }

    /// `GET /v1/targets`.
    func encodeList(_ summaries: [TargetSummary]) throws -> [UInt8] {
        var out = Array(#"{"targets":"#.utf8)
        out.append(contentsOf: try encodeArray(summaries))
        out.append(UInt8(ascii: "}"))
        return out
    }

    static func lastRange(of needle: [UInt8], in haystack: [UInt8]) -> Range<Int>? {
        guard haystack.count >= needle.count else { return nil }
        var start = haystack.count - needle.count
        while start >= 0 {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return start..<(start + needle.count) }
            start -= 1
        }
        return nil
    }
}
