import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Planner

/// The JSON body POSTed to a webhook.
public struct WebhookScaleRequest: Codable, Sendable, Equatable {
    public var target: String
    public var desiredReplicas: Int
    public var currentReplicas: Int
    public var explanation: String
    public var reasons: [String]
}

/// The JSON a webhook answers to `GET url?target=<name>`.
public struct WebhookScaleState: Codable, Sendable, Equatable {
    public var replicas: Int
    public var readyReplicas: Int?
}

/// Scales through an HTTP endpoint: `POST url` with a `WebhookScaleRequest`; current count from
/// `GET url?target=<name>`. Any 2xx is success. Owns an HTTP client: call `shutdown()` when done.
public final class WebhookOrchestrator: Orchestrator {
    public let settings: WebhookSettings
    public let targetName: String
    let clock: any ControlClock
    let http: HTTPClient

    public init(settings: WebhookSettings, targetName: String, clock: any ControlClock = SystemControlClock()) throws {
        guard let url = URL(string: settings.endpoint.url), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw OrchestratorError(.config, "webhook url \"\(settings.endpoint.url)\" is not an http(s) URL")
        }
        var ca: [UInt8]?
        if let caFile = settings.endpoint.tls?.caFile {
            ca = try KubernetesConnection.readFile(caFile, what: "webhook tls.caFile")
        }
        self.settings = settings
        self.targetName = targetName
        self.clock = clock
        let tls = TLSMaterial(certificateAuthorityPEM: ca, insecureSkipVerify: settings.endpoint.tls?.insecureSkipVerify ?? false)
        self.http = try HTTPSupport.makeClient(tls: tls, requestTimeoutSeconds: settings.endpoint.timeoutSeconds, origin: "webhook \(settings.endpoint.url)")
    }

    public func shutdown() async throws {
        try await http.shutdown()
    }

    public var targetDescription: String { "webhook \(settings.endpoint.url) \(targetName)" }

    public func currentScale() async throws -> WorkloadScale {
        var components = URLComponents(string: settings.endpoint.url)!
        var items = components.queryItems ?? []
        items.append(URLQueryItem(name: "target", value: targetName))
        components.queryItems = items
        let bytes = try await send(.GET, url: components.string ?? settings.endpoint.url, body: nil)
        do {
            let state = try JSONDecoder().decode(WebhookScaleState.self, from: Data(bytes))
            guard state.replicas >= 0 else { throw OrchestratorError(.decode, "negative replicas") }
            return WorkloadScale(desiredReplicas: state.replicas, readyReplicas: state.readyReplicas, observedAt: clock.now())
        } catch {
            throw OrchestratorError(
                .decode,
                "GET \(settings.endpoint.url) answered \(String(decoding: bytes.prefix(200), as: UTF8.self)); expected {\"replicas\": N, \"readyReplicas\": M}")
        }
    }

    public func apply(replicas: Int, decision: Decision?) async throws -> ApplyOutcome {
        guard replicas >= 0 else { throw OrchestratorError(.config, "refusing to scale to \(replicas) replicas") }
        let current = try await currentScale().desiredReplicas
        if current == replicas { return .unchanged(replicas: replicas) }
        let body = WebhookScaleRequest(
            target: targetName,
            desiredReplicas: replicas,
            currentReplicas: current,
            explanation: decision?.explanation ?? "",
            reasons: decision?.reasons.map(\.rawValue) ?? []
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        _ = try await send(.POST, url: settings.endpoint.url, body: Array(try encoder.encode(body)))
        return .scaled(from: current, to: replicas)
    }

    private func send(_ method: HTTPMethod, url: String, body: [UInt8]?) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "forescale")
        for (name, value) in settings.endpoint.headers.sorted(by: { $0.key < $1.key }) {
            request.headers.replaceOrAdd(name: name, value: value)
        }
        switch settings.endpoint.auth {
        case .none: break
        case .bearerTokenFile(let path):
            request.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(try secret(path, what: "auth.bearerTokenFile"))")
        case .basic(let username, let passwordFile):
            let password = try secret(passwordFile, what: "auth.passwordFile")
            request.headers.replaceOrAdd(name: "Authorization", value: "Basic \(Data("\(username):\(password)".utf8).base64EncodedString())")
        }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let what = "\(method.rawValue) \(url)"
        let response: HTTPClientResponse
        let bytes: [UInt8]
        do {
            response = try await http.execute(request, timeout: .milliseconds(Int64(settings.endpoint.timeoutSeconds * 1000)))
            bytes = Array(try await response.body.collect(upTo: 1 << 20).readableBytesView)
        } catch {
            throw HTTPSupport.transportError(error, what: what, timeoutSeconds: settings.endpoint.timeoutSeconds)
        }
        let status = Int(response.status.code)
        if (200..<300).contains(status) { return bytes }
        let snippet = String(decoding: bytes.prefix(200), as: UTF8.self)
        let kind: OrchestratorError.Kind
        switch status {
        case 401: kind = .unauthorized
        case 403: kind = .forbidden
        case 404: kind = .notFound
        case 409: kind = .conflict
        case 429: kind = .throttled
        case 503: kind = .unavailable
        case 504: kind = .timeout
        default: kind = .serverError
        }
        let hint = kind == .unauthorized || kind == .forbidden ? " check the webhook `auth` settings;" : ""
        throw OrchestratorError(
            kind, "\(what) answered HTTP \(status);\(hint) body: \(snippet)", httpStatus: status, retryAfterSeconds: HTTPSupport.retryAfter(response.headers))
    }

    private func secret(_ path: String, what: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path),
              let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty
        else {
            throw OrchestratorError(.config, "cannot read webhook \(what) \(path)")
        }
        return text
    }
}
