import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// The controller's HTTP status API: health, readiness, status, targets, the decision log, mode
/// switches, overrides, `/metrics` and the OpenAPI document.
///
/// Every route is listed once in `StatusAPI.routes`; `makeRouter()` registers exactly that table,
/// and the tests check it against `Resources/openapi.yaml`. Responses are JSON with the Codable
/// property names of the model types (camelCase), times in Unix seconds. Errors are
/// `{"error": "…", "parameter": "…" | null}`.
public struct StatusAPI: Sendable {
    /// Who may call a route.
    public enum Access: String, Sendable, Hashable {
        /// Always open (`/healthz`, `/readyz`).
        case open
        /// Open unless `APIAuth.requireTokenForReads`.
        case read
        /// Needs the bearer token; refused when none is configured.
        case write
    }

    /// What a route does; one case per route.
    public enum Endpoint: String, Sendable, Hashable, CaseIterable {
        case healthz, readyz, status, targets, targetDetail, decisions
        case setMode, setTargetMode, setOverride, clearOverride
        case openAPI, metrics
        case series, dashboard
    }

    /// One route: method, path in OpenAPI syntax (`/v1/targets/{name}`), what it does and who may call it.
    public struct Route: Sendable, Hashable, CustomStringConvertible {
        public let method: HTTPRequest.Method
        public let path: String
        public let endpoint: Endpoint
        public let access: Access
        /// The query parameters the route accepts; any other is a 400.
        public let queryParameters: Set<String>

        public init(_ method: HTTPRequest.Method, _ path: String, _ endpoint: Endpoint, _ access: Access, query: Set<String> = []) {
            self.method = method
            self.path = path
            self.endpoint = endpoint
            self.access = access
            self.queryParameters = query
        }

        public var description: String { "\(method.rawValue) \(path)" }
    }

    /// Every route the API serves. `makeRouter()` registers exactly these.
    public static let routes: [Route] = [
        Route(.get, "/healthz", .healthz, .open),
        Route(.get, "/readyz", .readyz, .open),
        Route(.get, "/v1/status", .status, .read),
        Route(.get, "/v1/targets", .targets, .read),
        Route(.get, "/v1/targets/{name}", .targetDetail, .read, query: ["window"]),
        Route(.get, "/v1/decisions", .decisions, .read, query: ["target", "since", "until", "limit", "cursor"]),
        Route(.post, "/v1/mode", .setMode, .write),
        Route(.post, "/v1/targets/{name}/mode", .setTargetMode, .write),
        Route(.post, "/v1/targets/{name}/override", .setOverride, .write),
        Route(.delete, "/v1/targets/{name}/override", .clearOverride, .write),
        Route(.get, "/v1/openapi.yaml", .openAPI, .read),
        Route(.get, "/metrics", .metrics, .read),
        Route(.get, "/v1/targets/{name}/series", .series, .read, query: ["window"]),
        Route(.get, "/", .dashboard, .read, query: ["target"]),
    ]

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

    /// The router with every route of `StatusAPI.routes`, JSON errors and authentication.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: APIErrorMiddleware(logger: logger))
        for route in Self.routes {
            router.on(RouterPath(route.path), method: route.method) { request, context in
                try await self.respond(route, request: request, context: context)
            }
        }
        return router
    }

    /// The HTTP server as a swift-service-lifecycle `Service`, listening on `host:port`.
    ///
    /// - Parameter services: other services the application runs alongside the server.
    public func makeApplication(services: [any Service] = []) -> Application<RouterResponder<BasicRequestContext>> {
        Application(
            router: makeRouter(),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "forescale"),
            services: services,
            logger: logger
        )
    }

    /// Reads a bearer token from `file` and trims surrounding whitespace and newlines.
    ///
    /// - Throws: `TokenFileError`, naming the file, when it is missing, unreadable, not UTF-8 or empty.
    public static func loadToken(file: String) throws -> String {
        guard FileManager.default.fileExists(atPath: file) else {
            throw TokenFileError(file: file, problem: "does not exist")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw TokenFileError(file: file, problem: "cannot be read (\(error.localizedDescription))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TokenFileError(file: file, problem: "is not UTF-8 text")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw TokenFileError(file: file, problem: "is empty") }
        return token
    }

    /// The route table entry matching a method and a concrete path, if any.
    static func route(method: HTTPRequest.Method, path: String) -> Route? {
        routes.first { $0.method == method && matches(pattern: $0.path, path: path) }
    }

    /// Whether a concrete path matches a route path with `{captures}`.
    static func matches(pattern: String, path: String) -> Bool {
        let patternParts = pattern.split(separator: "/")
        let pathParts = path.split(separator: "/")
        guard patternParts.count == pathParts.count else { return false }
        return zip(patternParts, pathParts).allSatisfy { pattern, part in
            (pattern.hasPrefix("{") && pattern.hasSuffix("}")) || pattern == part
        }
    }
}

/// A token file that cannot be used.
public struct TokenFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path as configured.
    public var file: String
    /// What is wrong with it.
    public var problem: String

    public init(file: String, problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "token file \(file) \(problem)" }
}
