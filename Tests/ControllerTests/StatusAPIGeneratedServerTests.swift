import Controller
import DecisionStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
@testable import StatusAPI
import Testing

/// Where the generated server would differ from the API as it was, and does not.
@Suite("Status API: the generated server behaves as the hand-written one did")
struct StatusAPIGeneratedServerTests {
    private static let bearer: HTTPFields = [.authorization: "Bearer t"]

    private static func run(_ body: @Sendable (any TestClientProtocol, FakeStatusBackend) async throws -> Void) async throws {
        let backend = FakeStatusBackend(full: true)
        let api = StatusAPI(backend: backend, auth: APIAuth(token: "t"), metrics: ControllerMetrics(), logger: Logger(label: "test.generated"), port: 0)
        try await api.makeApplication().test(.router) { client in try await body(client, backend) }
    }

    /// A JSON object body is read whatever its Content-Type (`curl -d` sends a form type).
    @Test func bodyContentTypeIsNotRequired() async throws {
        try await Self.run { client, backend in
            for type in ["application/x-www-form-urlencoded", "text/plain", "application/json; charset=utf-8"] {
                var headers = Self.bearer
                headers[.contentType] = type
                try await client.execute(uri: "/v1/mode", method: .post, headers: headers, body: ByteBuffer(string: #"{"mode":"live"}"#)) {
                    #expect($0.status == .ok, "\(type): \(String(buffer: $0.body))")
                }
            }
            #expect(await backend.mutations.count == 3)
        }
    }

    /// Each route has one representation; an Accept header does not turn it into a 406.
    @Test func acceptIsNotNegotiated() async throws {
        try await Self.run { client, _ in
            try await client.execute(uri: "/v1/status", method: .get, headers: [.accept: "text/html"]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
            }
        }
    }

    /// Errors of the generated decoding name the parameter or field, as the hand checks did.
    @Test(arguments: [
        ("/v1/decisions?limit=ten", nil, "limit"),
        ("/v1/decisions?since=soon&limit=5", nil, "since"),
        ("/v1/decisions?limit=5&until=2026-02-30T00:00:00Z", nil, "until"),
        ("/v1/targets/orders/override", #"{"kind":"pin","replicas":2.5,"duration":"1h"}"#, "replicas"),
        ("/v1/targets/orders/override", #"{"kind":"pin","replicas":"3","duration":"1h"}"#, "replicas"),
        ("/v1/targets/orders/override", #"{"kind":"pause","duration":90}"#, "duration"),
        ("/v1/mode", #"{"mode":"live","zzz":null}"#, "zzz"),
    ] as [(String, String?, String)])
    func decodingErrorsNameTheParameter(uri: String, body: String?, parameter: String) async throws {
        try await Self.run { client, _ in
            try await client.execute(
                uri: uri, method: body == nil ? .get : .post, headers: Self.bearer, body: body.map { ByteBuffer(string: $0) }
            ) { response in
                #expect(response.status == .badRequest)
                let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                #expect(object?["parameter"] as? String == parameter, "\(String(buffer: response.body))")
            }
        }
    }

    /// RFC 3339 times in a query, read by the generated server's date transcoder.
    @Test func rfc3339InTheQuery() async throws {
        try await Self.run { client, backend in
            try await client.execute(uri: "/v1/decisions?since=2026-11-27T10:00:00.25Z&until=2026-11-27t13:30:00%2B01:30", method: .get) {
                #expect($0.status == .ok, "\(String(buffer: $0.body))")
            }
            #expect(await backend.calls == [.decisions(DecisionQuery(sinceSeconds: 1_795_773_600.25, untilSeconds: 1_795_780_800))])
        }
    }
}
