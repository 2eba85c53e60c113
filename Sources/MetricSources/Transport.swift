import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// A response read in full (within the endpoint's size limit).
public struct HTTPReply: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Attempts it took (1 without retries).
    public var attempts: Int

    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8], attempts: Int = 1) {
        self.status = status
        self.headers = headers
        self.body = body
        self.attempts = attempts
    }

    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The start of the body as text, for error messages (control characters flattened).
    public func snippet(_ limit: Int = 200) -> String {
        if (300..<400).contains(status), let location = headers.first(name: "location") {
            return "redirect to \(location) (not followed)"
        }
        let text = String(decoding: body.prefix(limit), as: UTF8.self)
        let flat = String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
        return body.count > limit ? flat + "…" : flat
    }
}

/// All outbound HTTP of the sources: one shared `HTTPClient` (connections are pooled and reused),
/// auth from files, TLS with a custom CA, a per-call deadline, bounded bodies and retries.
public struct HTTPTransport: Sendable {
    public let client: HTTPClient
    public var retry: RetryPolicy
    /// Retries wait on it: the real clock by default (a retry pauses a real request), the demo's
    /// accelerated one there; a test records the waits with a clock of its own.
    public var clock: any ControlClock
    /// Retries are logged at debug level when given.
    public var logger: Logger?

    /// The sources' process-wide client: never shut down, like `HTTPClient.shared`, but failing a
    /// refused connection at once (the transport retries inside the deadline itself, instead of
    /// the pool retrying until the deadline and reporting a timeout).
    public static let sharedClient: HTTPClient = makeClient()

    /// A client configured for metric sources. Whoever makes one owns it and must shut it down.
    public static func makeClient(maxConnectionsPerHost: Int = 16) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = maxConnectionsPerHost
        // Redirects are not followed: they would carry the Authorization header to wherever they
        // point, and a login redirect is a misconfiguration to report (with its Location).
        configuration.redirectConfiguration = .disallow
        // No tracing: nothing here reads spans, and a no-op tracer still costs a span per request.
        configuration.tracing.tracer = nil
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// - Parameter client: the sources' shared client by default; pass your own to control its lifetime.
    public init(
        client: HTTPClient = HTTPTransport.sharedClient, retry: RetryPolicy = .standard, clock: any ControlClock = SystemControlClock(),
        logger: Logger? = nil
    ) {
        self.client = client
        self.retry = retry
        self.clock = clock
        self.logger = logger
    }

    /// GETs `path` (with an optional query) from `endpoint`, retrying connection failures and
    /// 429/502/503/504 while time is left. A reply with any status is returned; only transport
    /// problems (timeout, connection, size, unreadable secrets) are errors.
    public func get(
        _ endpoint: HTTPEndpoint, path: String, query: [(String, String)] = [], deadline: NIODeadline
    ) async -> Result<HTTPReply, FetchError> {
        let callDeadline = min(deadline, .now() + .nanoseconds(Int64(endpoint.timeoutSeconds * 1e9)))
        var url = URLText.join(endpoint.url, path)
        if !query.isEmpty { url += (url.contains("?") ? "&" : "?") + URLText.query(query) }
        let request: HTTPClientRequest
        do {
            request = try Self.makeRequest(endpoint, url: url)
        } catch {
            return .failure(error)
        }

        var attempt = 0
        while true {
            attempt += 1
            let result = await once(request, maxBytes: endpoint.maxBodyBytes, deadline: callDeadline)
            let retryable: Bool
            switch result {
            case .success(var reply):
                reply.attempts = attempt
                retryable = [429, 502, 503, 504].contains(reply.status)
                if !retryable || !canRetry(after: attempt, deadline: callDeadline) { return .success(reply) }
            case .failure(var error):
                retryable = error.kind == .connection
                if !retryable || !canRetry(after: attempt, deadline: callDeadline) {
                    if attempt > 1 { error.message += " (after \(attempt) attempts)" }
                    return .failure(error)
                }
            }
            let pause = retry.delay(afterAttempt: attempt)
            logger?.debug("retrying a metric read", metadata: ["url": "\(url)", "pauseSeconds": "\(pause)", "failedAttempt": "\(attempt)"])
            do {
                try await clock.sleep(seconds: pause)
            } catch {
                return .failure(FetchError(.timeout, "cancelled while waiting to retry \(url)"))
            }
        }
    }

    private func canRetry(after attempt: Int, deadline: NIODeadline) -> Bool {
        guard attempt < retry.maxAttempts else { return false }
        // The longest this back-off can be, plus room for one more attempt, must fit.
        let worst = min(retry.baseDelaySeconds * Double(1 << min(attempt - 1, 20)), retry.maxDelaySeconds)
        let needed = NIODeadline.now() + .nanoseconds(Int64((worst + retry.minimumAttemptSeconds) * 1e9))
        return needed < deadline
    }

    /// One attempt. The client's deadline does not bound a body that trickles in after the head,
    /// so the attempt races a timer for the deadline; the loser is cancelled (which cancels the request).
    private func once(_ request: HTTPClientRequest, maxBytes: Int, deadline: NIODeadline) async -> Result<
        HTTPReply, FetchError
    > {
        let url = request.url
        let client = self.client
        let logger = self.logger
        return await withTaskGroup(of: Result<HTTPReply, FetchError>?.self) { group in
            group.addTask {
                do {
                    let response = try await client.execute(request, deadline: deadline, logger: logger)
                    if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > maxBytes {
                        return .failure(
                            FetchError(.tooLarge, "response body is \(length) bytes, over the limit of \(maxBytes) bytes"))
                    }
                    let body = try await response.body.collect(upTo: maxBytes)
                    return .success(
                        HTTPReply(status: Int(response.status.code), headers: response.headers, body: Array(buffer: body)))
                } catch {
                    return .failure(Self.classify(error, url: url, maxBytes: maxBytes, deadline: deadline))
                }
            }
            group.addTask {
                let left = (deadline - .now()).nanoseconds
                // Cancelled when the request wins: nil means "no verdict".
                guard (try? await Task.sleep(for: .nanoseconds(max(left, 0)) + .milliseconds(5))) != nil else { return nil }
                return .failure(FetchError(.timeout, "no complete answer from \(url) before the deadline"))
            }
            var verdict: Result<HTTPReply, FetchError>?
            while verdict == nil, let next = await group.next() { verdict = next }
            group.cancelAll()
            return verdict ?? .failure(FetchError(.timeout, "no answer from \(url) before the deadline"))
        }
    }

    /// Maps any error of the HTTP stack to a bounded kind and a readable message.
    static func classify(_ error: any Error, url: String, maxBytes: Int, deadline: NIODeadline) -> FetchError {
        if error is NIOTooManyBytesError {
            return FetchError(.tooLarge, "response body from \(url) is over the limit of \(maxBytes) bytes")
        }
        if let e = error as? HTTPClientError {
            switch e {
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return FetchError(.timeout, "no complete answer from \(url) before the deadline (\(e))")
            case .connectTimeout, .tlsHandshakeTimeout:
                return NIODeadline.now() >= deadline
                    ? FetchError(.timeout, "could not connect to \(url) before the deadline")
                    : FetchError(.connection, "connect to \(url) timed out")
            case .invalidURL, .emptyHost, .emptyScheme:
                return FetchError(.config, "invalid URL \(url): \(e)")
            case .cancelled where NIODeadline.now() >= deadline:
                return FetchError(.timeout, "no complete answer from \(url) before the deadline")
            default:
                break
            }
        }
        if NIODeadline.now() >= deadline {
            return FetchError(.timeout, "no complete answer from \(url) before the deadline (\(error))")
        }
        if error is NIOSSLError || error is BoringSSLError {
            return FetchError(.connection, "TLS with \(url) failed: \(error)")
        }
        return FetchError(.connection, "cannot reach \(url): \(error)")
    }

    static func makeRequest(_ endpoint: HTTPEndpoint, url: String) throws(FetchError) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/json")
        for (name, value) in endpoint.headers.sorted(by: { $0.key < $1.key }) {
            request.headers.replaceOrAdd(name: name, value: value)
        }
        switch endpoint.auth {
        case .none:
            break
        case .bearerTokenFile(let file):
            let token = try readSecret(file, what: "bearerTokenFile")
            request.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(token)")
        case .basic(let username, let passwordFile):
            let password = try readSecret(passwordFile, what: "passwordFile")
            let pair = Data("\(username):\(password)".utf8).base64EncodedString()
            request.headers.replaceOrAdd(name: "Authorization", value: "Basic \(pair)")
        }
        if let tls = endpoint.tls {
            request.tlsConfiguration = try tlsConfiguration(tls)
        }
        return request
    }

    static func tlsConfiguration(_ settings: TLSSettings) throws(FetchError) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = settings.caFile {
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                throw FetchError(.config, "tls.caFile \(caFile) cannot be read")
            }
            tls.trustRoots = .file(caFile)
        }
        if settings.insecureSkipVerify { tls.certificateVerification = .none }
        return tls
    }

    /// A secret file's contents without surrounding whitespace (files usually end in a newline).
    static func readSecret(_ path: String, what: String) throws(FetchError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FetchError(.config, "auth.\(what) \(path) cannot be read")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw FetchError(.config, "auth.\(what) \(path) is empty") }
        return text
    }
}
