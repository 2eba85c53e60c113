import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

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
    /// For watches: the same TLS, with a read timeout longer than a watch (`watchSeconds` + 30 s).
    let watchHTTP: HTTPClient
    let tokenSource: TokenSource?
    /// One informer per watched collection, shared by the targets in it.
    let informers = Mutex<[KubernetesCollection: KubernetesInformer]>([:])
    /// Stops the other informers made on this client (the `ScalingTarget` watch) when it is
    /// retired, and whether it is (an informer made afterwards ends at once).
    let otherInformers = Mutex<(stops: [@Sendable () -> Void], stopped: Bool)>(([], false))
    /// `timeoutSeconds` asked of each watch.
    static let watchSeconds = 300

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
        self.watchHTTP = try HTTPSupport.makeClient(
            tls: tls, requestTimeoutSeconds: Double(Self.watchSeconds + 30), origin: connection.source,
            connectTimeoutSeconds: settings.requestTimeoutSeconds)
        if case .tokenFile(let path) = connection.credential {
            tokenSource = TokenSource(path: path, refreshSeconds: settings.tokenRefreshSeconds, clock: clock)
        } else {
            tokenSource = nil
        }
    }

    public func shutdown() async throws {
        try await http.shutdown()
        try await watchHTTP.shutdown()
    }

    /// Retires a client that a reload replaced: its watches end and its HTTP clients close.
    public func stop() async {
        for informer in informers.withLock({ Array($0.values) }) { informer.stop() }
        for stop in otherInformers.withLock({ state -> [@Sendable () -> Void] in
            state.stopped = true
            defer { state.stops.removeAll() }
            return state.stops
        }) { stop() }
        try? await shutdown()
    }

    /// The informer of `collection`, and whether this call created it (the caller then has it run).
    public func informer(for collection: KubernetesCollection) -> (informer: KubernetesInformer, created: Bool) {
        informers.withLock { informers in
            if let existing = informers[collection] { return (existing, false) }
            let informer = KubernetesInformer(client: self, collection: collection, watchSeconds: Self.watchSeconds)
            informers[collection] = informer
            return (informer, true)
        }
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

    /// Opens a streamed GET (a watch) and returns its status and body once the head arrives (within
    /// the request timeout; the body may then take as long as the watch, each read bounded by the
    /// watch client's read timeout). A `410 Gone` is returned, not thrown (the caller lists again);
    /// any other non-2xx answer throws the same errors as `send` (a 401 re-reads a token file
    /// first, for the next attempt).
    func openStream(_ call: KubernetesAPICall) async throws -> (status: Int, body: HTTPClientResponse.Body) {
        let request = try await makeRequest(call, body: nil, contentType: nil)
        let what = "\(call.method.rawValue) \(connection.server)\(call.path)"
        let response: HTTPClientResponse
        do {
            response = try await watchHTTP.execute(request, timeout: .milliseconds(Int64(settings.requestTimeoutSeconds * 1000)))
        } catch {
            throw HTTPSupport.transportError(error, what: what, timeoutSeconds: settings.requestTimeoutSeconds)
        }
        let status = Int(response.status.code)
        if (200..<300).contains(status) || status == 410 { return (status, response.body) }
        let bytes = Array((try? await response.body.collect(upTo: 1 << 20))?.readableBytesView ?? ByteBuffer().readableBytesView)
        let error = Self.error(for: call, status: status, headers: response.headers, body: bytes, source: connection.source)
        if error.kind == .unauthorized { _ = try? await tokenSource?.token(forceReload: true) }
        throw error
    }

    private func sendOnce(_ call: KubernetesAPICall, body: [UInt8]?, contentType: String?) async throws -> (Int, HTTPHeaders, [UInt8]) {
        let request = try await makeRequest(call, body: body, contentType: contentType)
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

    private func makeRequest(_ call: KubernetesAPICall, body: [UInt8]?, contentType: String?) async throws -> HTTPClientRequest {
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
        return request
    }

    func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], call: KubernetesAPICall) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw OrchestratorError(.decode, "\(call.method.rawValue) \(call.path): unexpected answer from the API server: \(error)")
        }
    }
}
