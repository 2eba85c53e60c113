import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One REST call, described the way RBAC sees it so errors can name the missing permission.
public struct KubernetesAPICall: Sendable, Equatable {
    public var method: HTTPMethod
    public var path: String
    /// The RBAC verb (`get`, `patch`, `create`, `update`).
    public var verb: String
    /// The API group (`""` for core).
    public var group: String
    /// The RBAC resource, with subresource when any (`deployments/scale`).
    public var resource: String
    public var namespace: String
    public var name: String?

    var permission: KubernetesPermission { KubernetesPermission(group: group, resource: resource, verb: verb) }
}

/// A client for the Kubernetes REST API over async-http-client. Shared by every target and the
/// leader elector of one orchestrator; call `shutdown()` once when done.
public final class KubernetesClient: Sendable {
    public let connection: KubernetesConnection
    public let settings: KubernetesSettings
    let clock: any ControlClock
    let http: HTTPClient
    let tokenSource: TokenSource?

    public init(connection: KubernetesConnection, settings: KubernetesSettings = KubernetesSettings(), clock: any ControlClock = SystemControlClock()) throws {
        self.connection = connection
        self.settings = settings
        self.clock = clock
        let tls = TLSMaterial(
            certificateAuthorityPEM: connection.certificateAuthorityPEM,
            clientCertificatePEM: connection.clientCertificatePEM,
            clientKeyPEM: connection.clientKeyPEM,
            insecureSkipVerify: connection.insecureSkipTLSVerify
        )
        self.http = try HTTPSupport.makeClient(tls: tls, requestTimeoutSeconds: settings.requestTimeoutSeconds, origin: connection.source)
        if case .tokenFile(let path) = connection.credential {
            tokenSource = TokenSource(path: path, refreshSeconds: settings.tokenRefreshSeconds, clock: clock)
        } else {
            tokenSource = nil
        }
    }

    public func shutdown() async throws {
        try await http.shutdown()
    }

    /// Sends a call, honouring `Retry-After` on 429/503 a bounded number of times, and re-reading a
    /// token file once on 401. Returns the body of a 2xx answer; throws `OrchestratorError` otherwise.
    func send(_ call: KubernetesAPICall, body: [UInt8]? = nil, contentType: String? = nil) async throws -> [UInt8] {
        var throttledAttempts = 0
        var reloadedToken = false
        while true {
            let (status, headers, bytes) = try await sendOnce(call, body: body, contentType: contentType)
            if (200..<300).contains(status) { return bytes }
            let error = Self.error(for: call, status: status, headers: headers, body: bytes, source: connection.source)
            switch error.kind {
            case .unauthorized where tokenSource != nil && !reloadedToken:
                reloadedToken = true
                _ = try await tokenSource?.token(forceReload: true)
                continue
            case .throttled, .unavailable:
                throttledAttempts += 1
                guard throttledAttempts <= settings.throttleRetries else { throw error }
                let wait = min(error.retryAfterSeconds ?? 1, settings.maxRetryAfterSeconds)
                try await clock.sleep(seconds: wait)
                continue
            default:
                throw error
            }
        }
    }

    private func sendOnce(_ call: KubernetesAPICall, body: [UInt8]?, contentType: String?) async throws -> (Int, HTTPHeaders, [UInt8]) {
        var request = HTTPClientRequest(url: connection.server + call.path)
        request.method = call.method
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "forescale")
        switch connection.credential {
        case .none: break
        case .token(let token): request.headers.add(name: "Authorization", value: "Bearer \(token)")
        case .tokenFile:
            if let token = try await tokenSource?.token() {
                request.headers.add(name: "Authorization", value: "Bearer \(token)")
            }
        case .basic(let username, let password):
            let encoded = Data("\(username):\(password)".utf8).base64EncodedString()
            request.headers.add(name: "Authorization", value: "Basic \(encoded)")
        }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType ?? "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let what = "\(call.method.rawValue) \(connection.server)\(call.path)"
        let timeout = settings.requestTimeoutSeconds
        do {
            let response = try await http.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
            let buffer = try await response.body.collect(upTo: 4 << 20)
            return (Int(response.status.code), response.headers, Array(buffer.readableBytesView))
        } catch {
            throw HTTPSupport.transportError(error, what: what, timeoutSeconds: timeout)
        }
    }

    func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], call: KubernetesAPICall) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw OrchestratorError(.decode, "\(call.method.rawValue) \(call.path): unexpected answer from the API server: \(error)")
        }
    }
}
