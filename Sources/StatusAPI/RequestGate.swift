import Foundation
import Hummingbird
import JSON
import OpenAPIRuntime

/// What every request of a documented operation passes before its handler (generated or not), in
/// this order: authentication by the operation's `security`, its query parameters (an unknown or
/// repeated one is a 400), and for an operation with a body, the body's size (413) and strict
/// JSON (a duplicate key, a non-object: 400), so that the generated decoding only ever reads
/// one unambiguous JSON object.
struct RequestGate: RouterMiddleware {
    typealias Context = BasicRequestContext
    let operations: SpecOperations
    let auth: APIAuth
    let maxBodyBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // Deny by default: a request the document lists no operation for reaches no handler (the
        // error middleware answers 404, or 405 with `Allow` for a known path), so a route added by
        // hand and left out of the document cannot escape its access rules.
        guard let operation = operations.operation(method: request.method, path: request.uri.path) else {
            throw HTTPError(.notFound)
        }
        try authorize(operation.access, request: request)
        try Self.checkQuery(request, allowed: operation.queryParameters)
        var request = request
        var body: [String: JSONValue] = [:]
        if operation.hasRequestBody { body = try await checkBody(&request) }
        do {
            return try await next(request, context)
        } catch let error as ServerError where error.operationInput == nil {
            // The generated decoding refused the request; name the parameter when its error does not.
            guard let decoding = error.underlyingError as? DecodingError, Self.namesNothing(decoding) else { throw error }
            for (key, value) in request.uri.queryParameters {
                let name = String(key)
                if let schema = operation.querySchemas[name], !schema.accepts(query: String(value)) {
                    throw APIError.badRequest(name, "\(name) must be \(schema.expectation), not '\(value)'")
                }
            }
            for (name, value) in body.sorted(by: { $0.key < $1.key }) {
                if let schema = operation.bodySchemas[name], !schema.accepts(json: value) {
                    throw APIError.badRequest(name, "\(name) must be \(schema.expectation)")
                }
            }
            throw error
        }
    }

    /// A decoding error without a coding path (other than a missing key, which names itself).
    static func namesNothing(_ error: DecodingError) -> Bool {
        switch error {
        case .keyNotFound: false
        case .valueNotFound(_, let context), .typeMismatch(_, let context), .dataCorrupted(let context): context.codingPath.isEmpty
        @unknown default: true
        }
    }

    private func authorize(_ access: StatusAPI.Access, request: Request) throws {
        switch auth.verdict(for: access, headers: request.headers) {
        case .allowed:
            return
        case .missing:
            throw APIError(
                .unauthorized, "this route needs an Authorization: Bearer <token> header", headers: [.wwwAuthenticate: "Bearer"])
        case .wrongToken:
            throw APIError(.forbidden, "the bearer token is not valid")
        case .notConfigured:
            throw APIError(.forbidden, "no API token is configured: set controller.status.tokenFile to allow this route")
        }
    }

    /// Every query parameter must be one the operation documents, and appear once.
    static func checkQuery(_ request: Request, allowed: Set<String>) throws {
        var seen: Set<String> = []
        for (key, _) in request.uri.queryParameters {
            let name = String(key).removingPercentEncoding ?? String(key)
            guard allowed.contains(name) else {
                let accepted = allowed.isEmpty ? "this route takes none" : "accepted: \(allowed.sorted().joined(separator: ", "))"
                throw APIError.badRequest(name, "unknown query parameter '\(name)' (\(accepted))")
            }
            guard seen.insert(name).inserted else { throw APIError.badRequest(name, "\(name) is given more than once") }
        }
    }

    /// The body, one JSON object.
    private func checkBody(_ request: inout Request) async throws -> [String: JSONValue] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            throw APIError(.contentTooLarge, "the body is larger than \(maxBodyBytes) bytes", parameter: "body")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maxBodyBytes)
        } catch let error as HTTPResponseError where error.status == .contentTooLarge {
            throw APIError(.contentTooLarge, "the body is larger than \(maxBodyBytes) bytes", parameter: "body")
        }
        guard buffer.readableBytes > 0 else { throw APIError.badRequest("body", "a JSON object body is required") }
        let value: JSONValue
        do {
            value = try JSONValue.parse(Array(buffer.readableBytesView), rejectingDuplicateKeys: true)
        } catch {
            // A duplicate key is refused too: `{"mode":"live","mode":"shadow"}` means live to a
            // reader that keeps the first and shadow to one (a proxy, an audit tool) that keeps the last.
            throw APIError.badRequest("body", "the body is not valid JSON (\(error.message))")
        }
        guard case .object(let object) = value else { throw APIError.badRequest("body", "the body must be a JSON object") }
        return object
    }
}
