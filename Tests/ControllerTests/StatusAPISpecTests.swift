import Controller
import Foundation
@testable import StatusAPI
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite("Status API against its OpenAPI document")
struct StatusAPISpecTests {
    private static let token = "spec-token"

    private static func makeAPI(full: Bool) -> (StatusAPI, FakeStatusBackend) {
        let backend = FakeStatusBackend(full: full)
        let api = StatusAPI(
            backend: backend, auth: APIAuth(token: token), metrics: ControllerMetrics(), logger: Logger(label: "test.spec"), port: 0)
        return (api, backend)
    }

    /// `/v1/targets/{name}` as Hummingbird describes a registered path.
    private static func normalise(_ path: String) -> String {
        var path = path.hasPrefix("/") ? path : "/" + path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }

    @Test func documentParses() throws {
        let document = try OpenAPIDocument()
        #expect(document.root["openapi"] as? String == "3.1.0")
        let schemes = (document.root["components"] as? [String: Any])?["securitySchemes"] as? [String: Any]
        let bearer = schemes?["bearerAuth"] as? [String: Any]
        #expect(bearer?["scheme"] as? String == "bearer")
    }

    /// The generated routes and the two registered by hand (`/metrics`, `/`) are the document's
    /// operations, no more and no fewer.
    @Test func routerRoutesAreTheDocumentsOperations() throws {
        let operations = try SpecOperations.shared()
        let router = try Self.makeAPI(full: true).0.makeRouter()
        let registered = Set(router.routes.map { "\($0.method.rawValue) \(Self.normalise($0.path.description))" })
        #expect(Set(operations.all.map(\.description)) == registered)
        #expect(registered.count == 14)
    }

    /// Who may call what, as read from the document's `security`.
    @Test func accessIsReadFromTheDocument() throws {
        let operations = try SpecOperations.shared()
        for operation in operations.all {
            let expected: StatusAPI.Access = switch (operation.method, operation.path) {
            case (.get, "/healthz"), (.get, "/readyz"): .open
            case (.get, _): .read
            default: .write
            }
            #expect(operation.access == expected, "\(operation)")
        }
        #expect(operations.operation(method: .get, path: "/v1/decisions")?.queryParameters == ["target", "since", "until", "limit", "cursor"])
        #expect(operations.operation(method: .post, path: "/v1/targets/a/override")?.hasRequestBody == true)
    }

    /// One request per JSON response of every route, with a full and an empty backend; each
    /// body must have every property its schema requires and no property the schema lacks.
    @Test(arguments: [true, false])
    func responsesMatchSchemas(full: Bool) async throws {
        let (api, backend) = Self.makeAPI(full: full)
        let auth: HTTPFields = [.authorization: "Bearer \(Self.token)"]
        let cases: [(method: HTTPRequest.Method, uri: String, path: String, body: String?, headers: HTTPFields, status: Int)] = [
            (.get, "/healthz", "/healthz", nil, [:], 200),
            (.get, "/readyz", "/readyz", nil, [:], 200),
            (.get, "/v1/status", "/v1/status", nil, [:], 200),
            (.get, "/v1/targets", "/v1/targets", nil, [:], 200),
            (.get, "/v1/targets/orders", "/v1/targets/{name}", nil, [:], 200),
            (.get, "/v1/targets/orders?window=2h", "/v1/targets/{name}", nil, [:], 200),
            (.get, "/v1/targets/orders?window=1s", "/v1/targets/{name}", nil, [:], 400),
            (.get, "/v1/targets/nope", "/v1/targets/{name}", nil, [:], 404),
            (.get, "/v1/decisions", "/v1/decisions", nil, [:], 200),
            (.get, "/v1/decisions?limit=0", "/v1/decisions", nil, [:], 400),
            (.get, "/v1/decisions?target=nope", "/v1/decisions", nil, [:], 404),
            (.post, "/v1/mode", "/v1/mode", #"{"mode":"live"}"#, auth, 200),
            (.post, "/v1/mode", "/v1/mode", #"{"mode":"live"}"#, [:], 401),
            (.post, "/v1/mode", "/v1/mode", #"{"mode":"live"}"#, [.authorization: "Bearer x"], 403),
            (.post, "/v1/mode", "/v1/mode", #"{"mode":"x"}"#, auth, 400),
            (.post, "/v1/mode", "/v1/mode", String(repeating: " ", count: 65 * 1024), auth, 413),
            (.post, "/v1/targets/orders/mode", "/v1/targets/{name}/mode", #"{"mode":"shadow"}"#, auth, 200),
            (.post, "/v1/targets/nope/mode", "/v1/targets/{name}/mode", #"{"mode":"shadow"}"#, auth, 404),
            (.post, "/v1/targets/orders/override", "/v1/targets/{name}/override", #"{"kind":"pin","replicas":4,"duration":"2h"}"#, auth, 200),
            (.post, "/v1/targets/orders/override", "/v1/targets/{name}/override", #"{"kind":"pause","duration":"2h"}"#, auth, 200),
            (.post, "/v1/targets/orders/override", "/v1/targets/{name}/override", #"{"kind":"pin"}"#, auth, 400),
            (.delete, "/v1/targets/nope/override", "/v1/targets/{name}/override", nil, auth, 404),
            (.delete, "/v1/targets/orders/override", "/v1/targets/{name}/override", nil, [:], 401),
            (.get, "/v1/targets/orders/series", "/v1/targets/{name}/series", nil, [:], 200),
            (.get, "/v1/targets/orders/series?window=14d", "/v1/targets/{name}/series", nil, [:], 200),
            (.get, "/v1/targets/orders/series?window=1m", "/v1/targets/{name}/series", nil, [:], 400),
            (.get, "/v1/targets/nope/series", "/v1/targets/{name}/series", nil, [:], 404),
        ]
        try await api.makeApplication().test(.router) { client in
            // Loaded here: the parsed YAML is not Sendable.
            let document = try OpenAPIDocument()
            for item in cases {
                try await client.execute(
                    uri: item.uri, method: item.method, headers: item.headers, body: item.body.map { ByteBuffer(string: $0) }
                ) { response in
                    let label = "\(item.method.rawValue) \(item.uri) (full: \(full))"
                    #expect(response.status.code == item.status, "\(label): \(String(buffer: response.body))")
                    #expect(response.headers[.contentType] == "application/json", "\(label)")
                    let schema = try document.responseSchema(item.method.rawValue, item.path, status: item.status)
                    let value = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView), options: [.fragmentsAllowed])
                    let problems = try document.problems(value, schema: schema)
                    #expect(problems.isEmpty, "\(label): \(problems.joined(separator: "\n"))")
                }
            }
            await backend.setReady(false)
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status.code == 503)
                let schema = try document.responseSchema("GET", "/readyz", status: 503)
                let value = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))
                let problems = try document.problems(value, schema: schema)
                #expect(problems.isEmpty)
            }
        }
    }

    /// The walker itself must catch a missing required property and an undeclared null.
    @Test func walkerCatchesProblems() throws {
        let document = try OpenAPIDocument()
        let schema = try document.responseSchema("GET", "/v1/decisions", status: 200)
        #expect(try document.problems(["decisions": []], schema: schema).count == 1)
        #expect(try document.problems(["decisions": [], "nextCursor": NSNull()], schema: schema).isEmpty)
        #expect(try document.problems(["decisions": NSNull(), "nextCursor": NSNull()], schema: schema).count == 1)
        #expect(try document.problems(["decisions": [], "nextCursor": NSNull(), "extra": 1], schema: schema).count == 1)
    }
}
