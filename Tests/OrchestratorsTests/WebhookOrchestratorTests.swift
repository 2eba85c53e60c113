import ForescaleTestKit
import Foundation
import NIOConcurrencyHelpers
@testable import Orchestrators
import Testing

@Suite("Webhook adapter")
struct WebhookOrchestratorTests {
    /// An in-process endpoint keeping one count; records requests.
    final class Endpoint: Sendable {
        let replicas = NIOLockedValueBox(3)
        let requests = NIOLockedValueBox<[RecordedRequest]>([])
        let failWith = NIOLockedValueBox<Int?>(nil)

        func handle(_ request: RecordedRequest) -> CannedResponse {
            requests.withLockedValue { $0.append(request) }
            if let code = failWith.withLockedValue({ $0 }) {
                return .json(code, #"{"error":"nope"}"#, headers: code == 429 ? ["Retry-After": "4"] : [:])
            }
            if request.method == "GET" {
                return .json(200, #"{"replicas":\#(replicas.withLockedValue { $0 }),"readyReplicas":2}"#)
            }
            if let body = try? JSONDecoder().decode(WebhookScaleRequest.self, from: Data(request.body)) {
                replicas.withLockedValue { $0 = body.desiredReplicas }
                return .json(202, "{}")
            }
            return .json(400, "{}")
        }
    }

    func withEndpoint(tls: Bool = false, _ body: (Endpoint, String) async throws -> Void) async throws {
        let endpoint = Endpoint()
        try await InProcessHTTPServer.withRunning(tls: tls ? try TestPKI.serverTLS(mutual: false) : nil, handler: { endpoint.handle($0) }) { base in
            try await body(endpoint, base + "/scale")
        }
    }

    @Test func postsTheDecisionWithBearerAuthAndHeaders() async throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let tokenFile = folder.appendingPathComponent("token")
        try write("s3cret\n", to: tokenFile)
        try await withEndpoint { endpoint, url in
            let settings = WebhookSettings(
                endpoint: HTTPEndpoint(url: url, timeoutSeconds: 10, auth: .bearerTokenFile(tokenFile.path), headers: ["X-Team": "payments"]))
            let webhook = try WebhookOrchestrator(settings: settings, targetName: "orders-consumer")
            let scale = try await webhook.currentScale()
            #expect(scale.desiredReplicas == 3 && scale.readyReplicas == 2)
            #expect(try await webhook.apply(replicas: 6, decision: sampleDecision(desired: 6, current: 3)) == .scaled(from: 3, to: 6))
            #expect(try await webhook.apply(replicas: 6, decision: nil) == .unchanged(replicas: 6))
            try await webhook.shutdown()

            let requests = endpoint.requests.withLockedValue { $0 }
            let get = try #require(requests.first)
            #expect(get.method == "GET" && get.path == "/scale" && get.query == "target=orders-consumer")
            let post = try #require(requests.first { $0.method == "POST" })
            #expect(post.header("Authorization") == "Bearer s3cret")
            #expect(post.header("X-Team") == "payments")
            #expect(post.header("Content-Type") == "application/json")
            let body = try JSONDecoder().decode(WebhookScaleRequest.self, from: Data(post.body))
            #expect(
                body
                    == WebhookScaleRequest(
                        target: "orders-consumer", desiredReplicas: 6, currentReplicas: 3, explanation: "scale 3 → 6: forecast arrival rate needs it",
                        reasons: []))
        }
    }

    @Test func basicAuthOverTLSWithCustomCA() async throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try write("pw", to: folder.appendingPathComponent("password"))
        try write(TestPKI.caCertificate, to: folder.appendingPathComponent("ca.crt"))
        try await withEndpoint(tls: true) { endpoint, url in
            #expect(url.hasPrefix("https://"))
            let settings = WebhookSettings(
                endpoint: HTTPEndpoint(
                    url: url, timeoutSeconds: 10, auth: .basic(username: "forescale", passwordFile: folder.appendingPathComponent("password").path),
                    tls: TLSSettings(caFile: folder.appendingPathComponent("ca.crt").path)))
            let webhook = try WebhookOrchestrator(settings: settings, targetName: "t")
            #expect(try await webhook.currentScale().desiredReplicas == 3)
            try await webhook.shutdown()
            let auth = endpoint.requests.withLockedValue { $0.first?.header("Authorization") }
            #expect(auth == "Basic \(Data("forescale:pw".utf8).base64EncodedString())")

            let untrusted = try WebhookOrchestrator(settings: WebhookSettings(endpoint: HTTPEndpoint(url: url, timeoutSeconds: 2)), targetName: "t")
            let error = await #expect(throws: OrchestratorError.self) { try await untrusted.currentScale() }
            #expect(error?.kind == .connection)
            try await untrusted.shutdown()

            let insecure = try WebhookOrchestrator(
                settings: WebhookSettings(endpoint: HTTPEndpoint(url: url, timeoutSeconds: 10, tls: TLSSettings(insecureSkipVerify: true))), targetName: "t")
            #expect(try await insecure.currentScale().desiredReplicas == 3)
            try await insecure.shutdown()
        }
    }

    @Test(arguments: [
        (401, OrchestratorError.Kind.unauthorized), (403, .forbidden), (404, .notFound), (429, .throttled), (500, .serverError), (503, .unavailable),
    ])
    func httpErrors(code: Int, kind: OrchestratorError.Kind) async throws {
        try await withEndpoint { endpoint, url in
            endpoint.failWith.withLockedValue { $0 = code }
            let webhook = try WebhookOrchestrator(settings: WebhookSettings(endpoint: HTTPEndpoint(url: url, timeoutSeconds: 10)), targetName: "t")
            let error = await #expect(throws: OrchestratorError.self) { try await webhook.currentScale() }
            #expect(error?.kind == kind)
            #expect(error?.httpStatus == code)
            if code == 429 { #expect(error?.retryAfterSeconds == 4) }
            try await webhook.shutdown()
        }
    }

    @Test func badAnswerAndBadURL() async throws {
        try await InProcessHTTPServer.withRunning(handler: { _ in .json(200, #"{"count":1}"#) }) { base in
            let webhook = try WebhookOrchestrator(settings: WebhookSettings(endpoint: HTTPEndpoint(url: base, timeoutSeconds: 10)), targetName: "t")
            let error = await #expect(throws: OrchestratorError.self) { try await webhook.currentScale() }
            #expect(error?.kind == .decode)
            #expect(error?.message.contains("expected {\"replicas\"") == true)
            try await webhook.shutdown()
        }
        #expect(throws: OrchestratorError.self) { try WebhookOrchestrator(settings: WebhookSettings(endpoint: HTTPEndpoint(url: "ftp://x")), targetName: "t") }
    }

    @Test(.timeLimit(.minutes(1))) func timeoutIsBounded() async throws {
        // The endpoint answers only once the client has given up (no real sleep on either side).
        let (release, releaser) = AsyncStream.makeStream(of: Void.self)
        try await InProcessHTTPServer.withRunning(handler: { _ in
            for await _ in release {}
            return .json(200, #"{"replicas":1}"#)
        }) { base in
            let webhook = try WebhookOrchestrator(settings: WebhookSettings(endpoint: HTTPEndpoint(url: base, timeoutSeconds: 0.3)), targetName: "t")
            let error = await #expect(throws: OrchestratorError.self) { try await webhook.currentScale() }
            #expect(error?.kind == .timeout)
            releaser.finish()
            try await webhook.shutdown()
        }
    }
}
