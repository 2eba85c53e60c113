@testable import Controller
import DecisionStorage
@testable import StatusAPI
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Pipeline
import Planner
import Testing
import Yams

private let token = "s3cret-token"
private let bearer: HTTPFields = [.authorization: "Bearer \(token)"]

private struct Harness {
    let api: StatusAPI
    let backend: FakeStatusBackend
    let metrics: ControllerMetrics

    init(auth: APIAuth = APIAuth(token: token), full: Bool = true, versioned: Bool = false, statusMaxAge: Duration = .seconds(1)) {
        backend = FakeStatusBackend(full: full, versioned: versioned)
        metrics = ControllerMetrics()
        api = StatusAPI(
            backend: backend, auth: auth, metrics: metrics, logger: Logger(label: "test.status-api"), port: 0, statusMaxAge: statusMaxAge)
    }

    func run(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await api.makeApplication().test(.router, body)
    }
}

private func json(_ response: TestResponse) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView), options: [.fragmentsAllowed])
    guard let dictionary = object as? [String: Any] else { throw WalkerError("not a JSON object: \(String(buffer: response.body))") }
    return dictionary
}

private func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

/// Checks an error response: status, JSON error body and the parameter it names.
private func expectError(
    _ response: TestResponse, _ status: HTTPResponse.Status, parameter: String?, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    #expect(response.status == status, "body: \(String(buffer: response.body))", sourceLocation: sourceLocation)
    #expect(response.headers[.contentType] == "application/json", sourceLocation: sourceLocation)
    let object = try json(response)
    #expect(object["error"] is String, sourceLocation: sourceLocation)
    if let parameter {
        #expect(object["parameter"] as? String == parameter, "body: \(String(buffer: response.body))", sourceLocation: sourceLocation)
    } else {
        #expect(object["parameter"] is NSNull, "body: \(String(buffer: response.body))", sourceLocation: sourceLocation)
    }
}

@Suite("Status API: the cached status body")
struct StatusCacheTests {
    static func ticks(_ client: any TestClientProtocol) async throws -> Int {
        try await client.execute(uri: "/v1/status", method: .get) { response in
            #expect(response.status == .ok)
            return try #require(json(response)["ticks"] as? Int)
        }
    }

    /// Tick results may show up to the cache age late; a change (mode, override, reload, safety)
    /// shows at once.
    @Test func tickResultsWaitForTheAgeChangesDoNot() async throws {
        let harness = Harness(versioned: true, statusMaxAge: .seconds(3600))
        let version = try #require(harness.backend.statusVersion)
        try await harness.run { client in
            do { let ticks = try await Self.ticks(client); #expect(ticks == 1) }
            do { let ticks = try await Self.ticks(client); #expect(ticks == 1, "nothing changed: the cached body") }
            version.noteTick()
            do { let ticks = try await Self.ticks(client); #expect(ticks == 1, "a tick, younger than the age: still cached") }
            version.noteChange()
            do { let ticks = try await Self.ticks(client); #expect(ticks == 2, "a change: rebuilt at once") }
            do { let ticks = try await Self.ticks(client); #expect(ticks == 2) }
        }
        #expect(await harness.backend.calls.count { $0 == .status } == 2)
    }

    @Test func anOlderBodyIsRebuiltAfterATick() async throws {
        let harness = Harness(versioned: true, statusMaxAge: .zero)
        let version = try #require(harness.backend.statusVersion)
        try await harness.run { client in
            do { let ticks = try await Self.ticks(client); #expect(ticks == 1) }
            do { let ticks = try await Self.ticks(client); #expect(ticks == 1, "no tick since: cached even at age zero") }
            version.noteTick()
            do { let ticks = try await Self.ticks(client); #expect(ticks == 2) }
        }
    }

    @Test func withoutAVersionEveryRequestAsks() async throws {
        let harness = Harness()
        try await harness.run { client in
            for _ in 0..<2 { _ = try await Self.ticks(client) }
        }
        #expect(await harness.backend.calls.count { $0 == .status } == 2)
    }
}

@Suite("Status API routes")
struct StatusAPIRouteTests {
    @Test func healthAndReadiness() async throws {
        let harness = Harness()
        try await harness.run { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                let object = try json(response)
                #expect(object["status"] as? String == "ok")
            }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                let object = try json(response)
                #expect(object["ready"] as? Bool == true)
            }
            await harness.backend.setReady(false)
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let object = try json(response)
                #expect(object["ready"] as? Bool == false)
            }
        }
    }

    @Test func statusAndTargets() async throws {
        let harness = Harness()
        try await harness.run { client in
            try await client.execute(uri: "/v1/status", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                let decoded = try JSONDecoder().decode(StatusSnapshot.self, from: Data(response.body.readableBytesView))
                #expect(decoded == Fixtures.snapshot(full: true))
            }
            try await client.execute(uri: "/v1/targets", method: .get) { response in
                #expect(response.status == .ok)
                let targets = try #require(try json(response)["targets"] as? [[String: Any]])
                #expect(targets.map { $0["name"] as? String } == ["orders"])
                #expect(targets.first?["lastDecisionSeconds"] as? Double == Fixtures.now)
            }
        }
    }

    @Test func targetDetailWithWindow() async throws {
        let harness = Harness()
        try await harness.run { client in
            try await client.execute(uri: "/v1/targets/orders", method: .get) { response in
                #expect(response.status == .ok)
                let decoded = try JSONDecoder().decode(TargetDetail.self, from: Data(response.body.readableBytesView))
                #expect(decoded == Fixtures.detail(full: true, window: 86_400))
            }
            try await client.execute(uri: "/v1/targets/orders?window=90m", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/targets/nope", method: .get) { response in
                try expectError(response, .notFound, parameter: "name")
            }
        }
        let calls = await harness.backend.calls
        #expect(calls == [
            .targetDetail(name: "orders", windowSeconds: 86_400), .targetDetail(name: "orders", windowSeconds: 5400),
            .targetDetail(name: "nope", windowSeconds: 86_400),
        ])
    }

    @Test func decisionsPassTheQuery() async throws {
        let harness = Harness()
        try await harness.run { client in
            try await client.execute(
                uri: "/v1/decisions?target=orders&since=2026-11-27T10:00:00Z&until=1796000000.5&limit=10&cursor=1800000000.5:7", method: .get
            ) { response in
                #expect(response.status == .ok)
                let object = try json(response)
                #expect((object["decisions"] as? [Any])?.count == 1)
                #expect(object["nextCursor"] as? String == FakeStatusBackend.cursor)
            }
            try await client.execute(uri: "/v1/decisions", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
        let calls = await harness.backend.calls
        #expect(calls == [
                .decisions(
                    DecisionQuery(target: "orders", sinceSeconds: 1_795_773_600, untilSeconds: 1_796_000_000.5, limit: 10, cursor: FakeStatusBackend.cursor)),
            .decisions(DecisionQuery()),
        ])
    }

    @Test func lastPageHasExplicitNullCursor() async throws {
        let harness = Harness(full: false)
        try await harness.run { client in
            try await client.execute(uri: "/v1/decisions", method: .get) { response in
                #expect(response.status == .ok)
                let object = try json(response)
                #expect(object["nextCursor"] is NSNull)
            }
        }
    }

    @Test func modeSwitches() async throws {
        let harness = Harness()
        try await harness.run { client in
            try await client.execute(uri: "/v1/mode", method: .post, headers: bearer, body: body(#"{"mode":"live"}"#)) { response in
                #expect(response.status == .ok)
                let object = try json(response)
                #expect(object["mode"] as? String == "live")
            }
            try await client.execute(uri: "/v1/targets/orders/mode", method: .post, headers: bearer, body: body(#"{"mode":"shadow"}"#)) { response in
                #expect(response.status == .ok)
                let object = try json(response)
                #expect(object["target"] as? String == "orders")
                #expect(object["mode"] as? String == "shadow")
            }
            try await client.execute(uri: "/v1/targets/nope/mode", method: .post, headers: bearer, body: body(#"{"mode":"shadow"}"#)) { response in
                try expectError(response, .notFound, parameter: "name")
            }
        }
        let calls = await harness.backend.mutations
        #expect(calls == [
            .setMode(.live, target: nil, actor: "api"), .setMode(.shadow, target: "orders", actor: "api"),
            .setMode(.shadow, target: "nope", actor: "api"),
        ])
    }

    @Test func overrides() async throws {
        let harness = Harness()
        try await harness.run { client in
            let request = #"{"kind":"pin","replicas":5,"duration":"30m","reason":"flash sale"}"#
            try await client.execute(uri: "/v1/targets/orders/override", method: .post, headers: bearer, body: body(request)) { response in
                #expect(response.status == .ok)
                let decoded = try JSONDecoder().decode(TargetOverride.self, from: Data(response.body.readableBytesView))
                #expect(decoded.kind == .pin)
                #expect(decoded.replicas == 5)
                #expect(decoded.reason == "flash sale")
            }
            try await client.execute(uri: "/v1/targets/orders/override", method: .delete, headers: bearer) { response in
                #expect(response.status == .noContent)
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(uri: "/v1/targets/nope/override", method: .delete, headers: bearer) { response in
                try expectError(response, .notFound, parameter: "name")
            }
        }
        let calls = await harness.backend.mutations
        #expect(calls == [
            .setOverride(OverrideRequest(kind: .pin, replicas: 5, duration: "30m", reason: "flash sale"), target: "orders", actor: "api"),
            .clearOverride(target: "orders", actor: "api"), .clearOverride(target: "nope", actor: "api"),
        ])
    }

    @Test func openAPIDocumentIsServed() async throws {
        let harness = Harness()
        try await harness.run { client in
            try await client.execute(uri: "/v1/openapi.yaml", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/yaml")
                let parsed = try #require(try Yams.load(yaml: String(buffer: response.body)) as? [String: Any])
                #expect(parsed["openapi"] as? String == "3.1.0")
            }
        }
    }

    @Test func metricsAfterCalls() async throws {
        let harness = Harness()
        let metrics = harness.metrics
        metrics.recordDecision(target: "orders", reasons: [], mode: .live, desired: 5, reactive: 4, current: 3)
        metrics.recordDecision(target: "orders", reasons: ["scale_up_limited"], mode: .shadow, desired: 6, reactive: nil, current: 5)
        metrics.recordForecast(target: "orders", p50: 90, upper: 110, observed: 85)
        metrics.recordForecastError(target: "orders", absoluteError: 5)
        metrics.recordFetch(source: "prom", metric: "lag", seconds: 0.02, errorKind: nil)
        metrics.recordFetch(source: "prom", metric: "lag", seconds: 2, errorKind: "timeout")
        metrics.recordTick(seconds: 0.3)
        metrics.recordDroppedDecisions(total: 2)
        metrics.recordSafety(target: "orders", state: "holding")
        metrics.recordDecision(target: "odd \"name\"\\x\ny", reasons: [], mode: .live, desired: 1, reactive: nil, current: 1)
        metrics.recordWriteFailure(target: "orders", kind: "forbidden")
        metrics.recordWriteFailure(target: "orders", kind: "forbidden")
        metrics.recordLeader(false)
        metrics.recordLeaseAttempt(failedKind: "forbidden")
        metrics.recordLeaseAttempt(failedKind: nil)
        try await harness.run { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                let text = String(buffer: response.body)
                for expected in [
                    #"forescale_decisions_total{target="orders",reason="none"} 1"#,
                    #"forescale_decisions_total{target="orders",reason="scale_up_limited"} 1"#,
                    #"forescale_desired_replicas{target="orders"} 6"#,
                    #"forescale_reactive_replicas{target="orders"} 4"#,
                    #"forescale_current_replicas{target="orders"} 5"#,
                    #"forescale_target_live{target="orders"} 0"#,
                    #"forescale_forecast_arrival_rate{target="orders",quantile="0.5"} 90"#,
                    #"forescale_forecast_arrival_rate{target="orders",quantile="upper"} 110"#,
                    #"forescale_forecast_abs_error{target="orders"} 5"#,
                    #"forescale_source_fetch_seconds_count{source="prom",metric="lag"} 2"#,
                    #"forescale_source_fetch_errors_total{source="prom",metric="lag",kind="timeout"} 1"#,
                    "forescale_tick_seconds_count 1",
                    "forescale_dropped_decisions 2",
                    #"forescale_safety_transitions_total{target="orders",state="holding"} 1"#,
                    #"forescale_decisions_total{target="odd \"name\"\\x\ny",reason="none"} 1"#,
                    #"forescale_orchestrator_write_failures_total{target="orders",kind="forbidden"} 2"#,
                    "forescale_leader 0",
                    "forescale_lease_attempts_total 2",
                    #"forescale_lease_errors_total{kind="forbidden"} 1"#,
                    "# TYPE forescale_decisions_total counter",
                ] {
                    #expect(text.contains(expected), "missing \(expected) in:\n\(text)")
                }
            }
        }
    }

    /// Nothing is served that the document does not list, so nothing escapes its access rules: a
    /// route registered by hand and left out of `openapi.yaml` answers as an unknown one.
    @Test func aRouteTheDocumentDoesNotListIsNotServed() async throws {
        let harness = Harness()
        let router = try harness.api.makeRouter()
        router.get("/v1/undocumented") { _, _ in "secret" }
        router.post("/v1/status") { _, _ in "secret" }
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/v1/undocumented", method: .get) { response in
                try expectError(response, .notFound, parameter: nil)
            }
            try await client.execute(uri: "/v1/status", method: .post) { response in
                try expectError(response, .methodNotAllowed, parameter: nil)
                #expect(response.headers[.allow] == "GET")
            }
        }
    }

    @Test func unknownPathIs404AndWrongMethodIs405() async throws {
        let harness = Harness()
        try await harness.run { client in
            try await client.execute(uri: "/nowhere", method: .get) { response in
                try expectError(response, .notFound, parameter: nil)
            }
            try await client.execute(uri: "/v1/status", method: .post, headers: bearer) { response in
                try expectError(response, .methodNotAllowed, parameter: nil)
                #expect(response.headers[.allow] == "GET")
            }
        }
    }
}

@Suite("Status API authentication")
struct StatusAPIAuthTests {
    @Test func mutationWithoutTokenIs401AndCallsNothing() async throws {
        let harness = Harness()
        try await harness.run { client in
            try await client.execute(uri: "/v1/mode", method: .post, body: body(#"{"mode":"live"}"#)) { response in
                try expectError(response, .unauthorized, parameter: nil)
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
            }
            try await client.execute(
                uri: "/v1/targets/orders/override", method: .delete, headers: [.authorization: "Basic dXNlcjpwYXNz"]
            ) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
            }
        }
        #expect(await harness.backend.mutations.isEmpty)
    }

    @Test func wrongTokenIs403AndCallsNothing() async throws {
        let harness = Harness()
        try await harness.run { client in
            for wrong in ["s3cret-tokeN", "s3cret-token-and-more", "s3cret", "x"] {
                try await client.execute(
                    uri: "/v1/targets/orders/mode", method: .post, headers: [.authorization: "Bearer \(wrong)"], body: body(#"{"mode":"live"}"#)
                ) { response in
                    try expectError(response, .forbidden, parameter: nil)
                }
            }
            try await client.execute(
                uri: "/v1/targets/orders/override", method: .post, headers: [.authorization: "Bearer nope"],
                body: body(#"{"kind":"pause","duration":"1h"}"#)
            ) { response in
                #expect(response.status == .forbidden)
            }
        }
        #expect(await harness.backend.calls.isEmpty)
    }

    @Test func noConfiguredTokenRefusesMutations() async throws {
        let harness = Harness(auth: .none)
        try await harness.run { client in
            for headers: HTTPFields in [[:], bearer] {
                try await client.execute(uri: "/v1/mode", method: .post, headers: headers, body: body(#"{"mode":"live"}"#)) { response in
                    try expectError(response, .forbidden, parameter: nil)
                    #expect(String(buffer: response.body).contains("controller.status.tokenFile"))
                }
            }
            try await client.execute(uri: "/v1/status", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
        #expect(await harness.backend.mutations.isEmpty)
    }

    @Test func readsOpenByDefault() async throws {
        let harness = Harness()
        try await harness.run { client in
            for uri in ["/v1/status", "/v1/targets", "/v1/targets/orders", "/v1/decisions", "/metrics", "/v1/openapi.yaml"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .ok, "\(uri)")
                }
            }
        }
    }

    @Test func readsNeedTokenWhenConfigured() async throws {
        let harness = Harness(auth: APIAuth(token: token, requireTokenForReads: true))
        try await harness.run { client in
            for uri in ["/v1/status", "/v1/targets", "/v1/targets/orders", "/v1/decisions", "/metrics", "/v1/openapi.yaml"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .unauthorized, "\(uri)")
                    #expect(response.headers[.wwwAuthenticate] == "Bearer")
                }
                try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer wrong"]) { response in
                    #expect(response.status == .forbidden, "\(uri)")
                }
                try await client.execute(uri: uri, method: .get, headers: bearer) { response in
                    #expect(response.status == .ok, "\(uri)")
                }
            }
            for uri in ["/healthz", "/readyz"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .ok, "\(uri)")
                }
            }
        }
        let calls = await harness.backend.calls
        // Only the three authorised reads that touch the backend, and the readiness probe.
        #expect(calls.count == 5)
    }

    @Test func verdicts() {
        let auth = APIAuth(token: token)
        let cases: [(String?, APIAuth.Verdict)] = [
            ("Bearer \(token)", .allowed), ("bearer \(token)", .allowed), ("Bearer  \(token) ", .allowed),
            ("Bearer \(token)x", .wrongToken), ("Bearer \(token.dropLast())", .wrongToken), ("Bearer S3cret-token", .wrongToken),
            ("Bearer", .missing), ("Token \(token)", .missing), (nil, .missing),
        ]
        for (header, expected) in cases {
            var headers: HTTPFields = [:]
            if let header { headers[.authorization] = header }
            #expect(auth.verdict(for: .write, headers: headers) == expected, "\(header ?? "nil")")
            #expect(auth.verdict(for: .read, headers: headers) == .allowed)
            #expect(auth.verdict(for: .open, headers: headers) == .allowed)
        }
        #expect(APIAuth.none.verdict(for: .write, headers: [.authorization: "Bearer \(token)"]) == .notConfigured)
        #expect(APIAuth(token: token, requireTokenForReads: true).verdict(for: .read, headers: [:]) == .missing)
        #expect(APIAuth.constantTimeEqual(Array("abc".utf8), Array("abc".utf8)))
        #expect(!APIAuth.constantTimeEqual(Array("abc".utf8), Array("abcd".utf8)))
        #expect(!APIAuth.constantTimeEqual(Array("".utf8), Array("a".utf8)))
        #expect(!APIAuth.constantTimeEqual(Array("abd".utf8), Array("abc".utf8)))
    }
}

@Suite("Status API validation")
struct StatusAPIValidationTests {
    @Test(arguments: [
        ("/v1/decisions?since=yesterday", "since"),
        ("/v1/decisions?since=-5", "since"),
        ("/v1/decisions?until=2026-13-01T00:00:00Z", "until"),
        ("/v1/decisions?since=99999999999.5", "since"),
        ("/v1/decisions?until=1e11", "until"),
        ("/v1/decisions?limit=0", "limit"),
        ("/v1/decisions?limit=1001", "limit"),
        ("/v1/decisions?limit=ten", "limit"),
        ("/v1/decisions?cursor=bogus", "cursor"),
        ("/v1/decisions?cursor=c1", "cursor"),
        ("/v1/decisions?cursor=1.5:-2", "cursor"),
        ("/v1/decisions?cursor=1:99999999999999999999", "cursor"),
        ("/v1/decisions?cursor=", "cursor"),
        ("/v1/decisions?target=", "target"),
        ("/v1/decisions?tagret=orders", "tagret"),
        ("/v1/decisions?limit=5&limit=6", "limit"),
        ("/v1/targets/orders?window=30m", "window"),
        ("/v1/targets/orders?window=15d", "window"),
        ("/v1/targets/orders?window=banana", "window"),
        ("/v1/targets/orders?window=1h30m", "window"),
        ("/v1/targets/orders?window=1.5h", "window"),
        ("/v1/targets/orders?window=024h", "window"),
        ("/v1/targets/orders?windw=1h", "windw"),
        ("/v1/status?verbose=1", "verbose"),
    ])
    func badQueryParameter(uri: String, parameter: String) async throws {
        let harness = Harness()
        try await harness.run { client in
            try await client.execute(uri: uri, method: .get) { response in
                try expectError(response, .badRequest, parameter: parameter)
            }
        }
    }

    @Test(arguments: [
        ("/v1/mode", #"{"mode":"turbo"}"#, "mode"),
        ("/v1/mode", #"{"mode":5}"#, "mode"),
        ("/v1/mode", #"{}"#, "mode"),
        ("/v1/mode", #"{"mode":"live","extra":1}"#, "extra"),
        ("/v1/mode", #"{"mode": "live""#, "body"),
        ("/v1/mode", #"["live"]"#, "body"),
        ("/v1/mode", "", "body"),
        // Duplicate keys: a proxy or audit tool keeping the last one would read shadow.
        ("/v1/mode", #"{"mode":"live","mode":"shadow"}"#, "body"),
        ("/v1/targets/orders/override", #"{"kind":"pin","replicas":3,"replicas":0,"duration":"1h"}"#, "body"),
        ("/v1/targets/orders/mode", #"{"mode":null}"#, "mode"),
        ("/v1/targets/orders/override", #"{"kind":"freeze","duration":"1h"}"#, "kind"),
        ("/v1/targets/orders/override", #"{"duration":"1h"}"#, "kind"),
        ("/v1/targets/orders/override", #"{"kind":"pin","duration":"1h"}"#, "replicas"),
        ("/v1/targets/orders/override", #"{"kind":"pin","replicas":2.5,"duration":"1h"}"#, "replicas"),
        ("/v1/targets/orders/override", #"{"kind":"pin","replicas":-1,"duration":"1h"}"#, "replicas"),
        ("/v1/targets/orders/override", #"{"kind":"pause","replicas":3,"duration":"1h"}"#, "replicas"),
        ("/v1/targets/orders/override", #"{"kind":"pause"}"#, "duration"),
        ("/v1/targets/orders/override", #"{"kind":"pause","duration":"30s"}"#, "duration"),
        ("/v1/targets/orders/override", #"{"kind":"pause","duration":"8d"}"#, "duration"),
        ("/v1/targets/orders/override", #"{"kind":"pause","duration":"soon"}"#, "duration"),
        ("/v1/targets/orders/override", #"{"kind":"pause","duration":"1h30m"}"#, "duration"),
        ("/v1/targets/orders/override", #"{"kind":"pause","duration":"60000ms"}"#, "duration"),
        ("/v1/targets/orders/override", #"{"kind":"pause","duration":"1h","reason":7}"#, "reason"),
    ])
    func badBody(uri: String, text: String, parameter: String) async throws {
        let harness = Harness()
        try await harness.run { client in
            try await client.execute(uri: uri, method: .post, headers: bearer, body: body(text)) { response in
                try expectError(response, .badRequest, parameter: parameter)
            }
        }
        #expect(await harness.backend.mutations.isEmpty)
    }

    @Test func oversizeBodyIs413() async throws {
        let harness = Harness()
        let reason = String(repeating: "x", count: 70 * 1024)
        try await harness.run { client in
            try await client.execute(
                uri: "/v1/targets/orders/override", method: .post, headers: bearer,
                body: body(#"{"kind":"pause","duration":"1h","reason":"\#(reason)"}"#)
            ) { response in
                try expectError(response, .contentTooLarge, parameter: "body")
            }
        }
        #expect(await harness.backend.mutations.isEmpty)
    }

    @Test func rfc3339Times() throws {
        let cases: [(String, Double?)] = [
            ("2026-11-27T10:00:00Z", 1_795_773_600),
            ("2026-11-27T10:00:00.25Z", 1_795_773_600.25),
            ("2026-11-27T11:30:00+01:30", 1_795_773_600),
            ("2026-11-27T11:30:00 01:30", 1_795_773_600),
            ("2026-11-27t08:00:00-02:00", 1_795_773_600),
            ("1970-01-01T00:00:00Z", 0),
            ("2024-02-29T00:00:00Z", 1_709_164_800),
            ("2023-02-29T00:00:00Z", nil),
            ("2026-11-27T10:00:00", nil),
            ("2026-11-27", nil),
            ("1795744800", 1_795_744_800),
            ("nan", nil),
        ]
        for (text, expected) in cases {
            #expect(APITime.parseTime(text) == expected, "\(text)")
        }
    }
}

@Suite("Status API token file")
struct StatusAPITokenFileTests {
    @Test func loadsAndTrims() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("forescale-token-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("token").path
        try "  abc123\n\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try StatusAPI.loadToken(file: file) == "abc123")

        let empty = directory.appendingPathComponent("empty").path
        try " \n".write(toFile: empty, atomically: true, encoding: .utf8)
        #expect {
            try StatusAPI.loadToken(file: empty)
        } throws: { error in
            "\(error)".contains(empty) && "\(error)".contains("empty")
        }

        let missing = directory.appendingPathComponent("missing").path
        #expect {
            try StatusAPI.loadToken(file: missing)
        } throws: { error in
            "\(error)".contains(missing)
        }
    }
}
