import Controller
import Foundation
import Hummingbird
import Logging
import OpenAPIHummingbird
import OpenAPIRuntime
import ServiceLifecycle

/// The controller's HTTP status API: health, readiness, status, targets, the decision log, mode
/// switches, overrides, chart series, `/metrics`, the dashboard and the OpenAPI document.
///
/// `openapi.yaml` (served at `GET /v1/openapi.yaml`) is the source of the routes: the operations,
/// their typed inputs and outputs and the route registration (`registerHandlers`) are generated
/// from it at build time by swift-openapi-generator, and `StatusAPI` implements the generated
/// `APIProtocol` (StatusAPI+Reads.swift, StatusAPI+Decisions.swift, StatusAPI+Control.swift).
/// Who may call an operation and which query parameters it takes are read from the same document
/// (`SpecOperations`). `GET /metrics` and `GET /` are registered by hand (StatusAPI+Pages.swift):
/// their bodies are not JSON.
///
/// Responses are JSON with the Codable property names of the model types (camelCase), times in
/// Unix seconds. Errors are `{"error": "…", "parameter": "…" | null}`.
public struct StatusAPI: Sendable {
    /// Who may call a route.
    public enum Access: String, Sendable, Hashable {
        /// Always open (`/healthz`, `/readyz`): the document's `security: []`.
        case open
        /// Open unless `APIAuth.requireTokenForReads`: the document's default security.
        case read
        /// Needs the bearer token; refused when none is configured: `security: [bearerAuth]` alone.
        case write
    }

    /// The actor recorded in the audit log for changes made through the API.
    public static let actor = "api"

    public let backend: any StatusBackend
    public let auth: APIAuth
    public let metrics: ControllerMetrics
    public let logger: Logger
    public let host: String
    public let port: Int
    /// Request bodies larger than this are refused with 413.
    public let maxBodyBytes: Int
    /// How long `GET /v1/status` may answer a body that lacks the latest tick results (never one
    /// that lacks a mode switch, override, reload or safety transition).
    public let statusMaxAge: Duration
    let statusCache = StatusBodyCache()

    /// - Parameters:
    ///   - backend: the controller state the routes read and change.
    ///   - auth: the bearer token, if any, and whether reads need it.
    ///   - metrics: served by `GET /metrics`.
    ///   - logger: for server errors (500) and the server's own log.
    ///   - host: the address to listen on, e.g. `0.0.0.0`.
    ///   - port: the port to listen on (0 picks a free one).
    ///   - maxBodyBytes: the largest request body accepted, 64 KiB by default.
    ///   - statusMaxAge: how late `GET /v1/status` may show tick results, 1 s by default; with a
    ///     thousand targets, encoding the status on every request would cost more than the ticks.
    public init(
        backend: any StatusBackend, auth: APIAuth, metrics: ControllerMetrics, logger: Logger, host: String = "127.0.0.1",
        port: Int = 8080, maxBodyBytes: Int = 64 * 1024, statusMaxAge: Duration = .seconds(1)
    ) {
        self.statusMaxAge = statusMaxAge
        self.backend = backend
        self.auth = auth
        self.metrics = metrics
        self.logger = logger
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
    }

    /// The runtime configuration of the generated server: times in queries are Unix seconds or
    /// RFC 3339 (`APITime`), and JSON is written with sorted keys and nothing else.
    static let openAPIConfiguration = Configuration(dateTranscoder: APITime.Transcoder(), jsonEncodingOptions: [.sortedKeys])

    /// The router: every operation of the document, JSON errors and authentication.
    ///
    /// - Throws: when the OpenAPI document cannot be read (then nothing is served, rather than
    ///   routes without their access rules).
    public func makeRouter() throws -> Router<BasicRequestContext> {
        let operations = try SpecOperations.shared()
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: APIErrorMiddleware(logger: logger, operations: operations))
        router.add(middleware: RequestGate(operations: operations, auth: auth, maxBodyBytes: maxBodyBytes))
        try registerHandlers(
            on: router, configuration: Self.openAPIConfiguration,
            middlewares: [
                HeadersMiddleware(operationsWithBody: Set(operations.all.filter(\.hasRequestBody).map(\.operationID))),
                StatusCacheMiddleware(backend: backend, cache: statusCache, maxAge: statusMaxAge),
            ])
        registerPages(on: router)
        return router
    }

    /// The HTTP server as a swift-service-lifecycle `Service`, listening on `host:port`.
    ///
    /// - Parameter services: other services the application runs alongside the server.
    public func makeApplication(services: [any Service] = []) throws -> Application<RouterResponder<BasicRequestContext>> {
        Application(
            router: try makeRouter(),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "forescale"),
            services: services,
            logger: logger
        )
    }

    /// Reads a bearer token from `file` and trims surrounding whitespace and newlines (`TokenFile.load`).
    ///
    /// - Throws: `TokenFileError`, naming the file, when it is missing, unreadable, not UTF-8 or empty.
    public static func loadToken(file: String) throws -> String {
        try TokenFile.load(file)
    }

    /// The OpenAPI document compiled into the module: the generator's input and what
    /// `GET /v1/openapi.yaml` serves.
    public static func openAPIDocument() throws -> String {
        guard let text = String(validating: PackageResources.openapi_yaml, as: UTF8.self) else {
            throw APIError(.internalServerError, "openapi.yaml is not UTF-8")
        }
        return text
    }
}
