import Controller
import DecisionStorage
import Foundation
import Hummingbird
import Logging
import OpenAPIRuntime

/// The body of every error response: `{"error": "…", "parameter": "…" | null}`.
///
/// `parameter` is always present: the query parameter, path parameter or body field at fault, or
/// `null` when the error is about no single one.
public struct APIErrorBody: Sendable, Hashable, Codable {
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
        case .conflict: .conflict
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

/// Error responses, encoded as the generated server encodes JSON (sorted keys).
enum JSONResponse {
    /// For values that always encode (no floating-point fields).
    static func make(_ value: some Encodable, status: HTTPResponse.Status) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(value) else {
            let text = #"{"error":"response could not be encoded","parameter":null}"#
            return Response(
                status: .internalServerError, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Turns every error into a JSON error response: `APIError`, `ControlError`, the generated
/// server's `ServerError` (what a handler threw, or a request its generated decoding refused:
/// a 400 naming the parameter or body field), Hummingbird's `HTTPError` (404 of unknown paths,
/// 405 of a known path with another method) and anything else (500).
struct APIErrorMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let logger: Logger
    let operations: SpecOperations

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ServerError {
            return response(for: error.underlyingError, status: error.httpStatus, request: request, serverError: error)
        } catch {
            return response(for: error, status: nil, request: request, serverError: nil)
        }
    }

    private func response(for error: any Error, status: HTTPResponse.Status?, request: Request, serverError: ServerError?) -> Response {
        switch error {
        case let error as APIError:
            return error.response()
        case let error as ControlError:
            return APIError(error).response()
        case let error as DecodingError:
            return APIError(decoding: error).response()
        case let error as HTTPError where error.status == .notFound:
            let allowed = operations.operations(at: request.uri.path)
            if !allowed.isEmpty {
                let methods = allowed.map(\.method.rawValue).joined(separator: ", ")
                return APIError(
                    .methodNotAllowed, "method \(request.method.rawValue) not allowed here; allowed: \(methods)", headers: [.allow: methods]
                ).response()
            }
            return APIError(.notFound, "no route \(request.method.rawValue) \(request.uri.path)").response()
        case let error as HTTPError:
            return APIError(error.status, error.body ?? error.status.reasonPhrase).response()
        default:
            // A request the generated code refused for a reason of its own (a content type it does
            // not read, an Accept it cannot answer): its status, with the API's error body.
            if let serverError, let status, (400..<500).contains(status.code) {
                return APIError(status, serverError.causeDescription).response()
            }
            logger.error(
                "status API request failed",
                metadata: ["method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "error": "\(String(describing: serverError ?? error))"])
            return APIError(.internalServerError, "internal error: \(String(describing: error))").response()
        }
    }
}

extension APIError {
    /// A 400 for a value the generated decoding refused, naming the query parameter or body field
    /// at fault (`body` for the body as a whole).
    init(decoding error: DecodingError) {
        func name(_ path: [any CodingKey]) -> String? { path.first.map(\.stringValue) }
        switch error {
        case .keyNotFound(let key, let context):
            let parameter = name(context.codingPath) ?? key.stringValue
            self = .badRequest(parameter, "\(key.stringValue) is required")
        case .valueNotFound(_, let context):
            let parameter = name(context.codingPath) ?? "body"
            self = .badRequest(parameter, "\(parameter) must not be null")
        case .typeMismatch(let type, let context):
            let parameter = name(context.codingPath) ?? "body"
            self = .badRequest(parameter, "\(parameter) has the wrong type (expected \(type)): \(context.debugDescription)")
        case .dataCorrupted(let context):
            let parameter = name(context.codingPath) ?? "body"
            self = .badRequest(parameter, "\(parameter) is not valid: \(context.debugDescription)")
        @unknown default:
            self = .badRequest("body", "the request could not be read: \(error)")
        }
    }
}
