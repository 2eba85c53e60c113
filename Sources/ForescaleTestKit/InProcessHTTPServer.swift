import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import ServiceLifecycle

/// A request as a test double saw it.
public struct RecordedRequest: Sendable {
    public var method: String
    /// The request target as sent, percent-encoding kept: `/api/queues/%2F/orders?x=1`.
    public var uri: String
    public var path: String
    public var query: String?
    public var headers: [String: String]
    public var body: [UInt8]

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
    /// The query's parameters, percent-decoded (`+` kept as is); the last of a repeated name wins.
    public var queryItems: [String: String] {
        var items: [String: String] = [:]
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            let value = parts.count > 1 ? (parts[1].removingPercentEncoding ?? parts[1]) : ""
            items[parts[0].removingPercentEncoding ?? parts[0]] = value
        }
        return items
    }
    public func header(_ name: String) -> String? {
        headers.first { $0.key.lowercased() == name.lowercased() }?.value
    }
}

/// An answer from a test double.
public struct CannedResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]
    /// When set, the body is streamed from this sequence (chunked) after `body`, until it finishes:
    /// for long-lived answers such as a Kubernetes watch.
    public var stream: AsyncStream<[UInt8]>?
    /// With `stream`: the server ends the answer after this many seconds even if the stream goes on.
    public var streamSeconds: Double?
    /// The server waits this long before it answers (a slow upstream).
    public var delaySeconds: Double
    /// How `body` goes on the wire (without `stream`).
    public var delivery: Delivery

    /// How an answer goes on the wire: the bad behaviours a client must survive.
    public enum Delivery: Sendable {
        /// With Content-Length, the whole body at once.
        case whole
        /// Without Content-Length: the body is chunked.
        case chunked
        /// The head and the first half of the body at once, the rest after `seconds`.
        case pausedHalfway(seconds: Double)
        /// Declares `declaredLength` bytes in Content-Length, sends `body` (fewer), then closes the connection.
        case truncated(declaredLength: Int)
        /// Closes the connection without answering (status, headers and body are ignored).
        case closeWithoutAnswer
    }

    public init(
        status: Int, headers: [String: String] = [:], body: [UInt8] = [], stream: AsyncStream<[UInt8]>? = nil, streamSeconds: Double? = nil,
        delaySeconds: Double = 0, delivery: Delivery = .whole
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.stream = stream
        self.streamSeconds = streamSeconds
        self.delaySeconds = delaySeconds
        self.delivery = delivery
    }

    /// Closes the connection without answering.
    public static let closeConnection = CannedResponse(status: 0, delivery: .closeWithoutAnswer)

    public static func json(_ status: Int, _ text: String, headers: [String: String] = [:]) -> CannedResponse {
        var all = headers
        all["Content-Type"] = "application/json"
        return CannedResponse(status: status, headers: all, body: Array(text.utf8))
    }
}

/// Runs an HTTP/1 server on 127.0.0.1 with an ephemeral port for the duration of `body`.
public enum InProcessHTTPServer {
    /// With `tls`, the server speaks HTTPS (and requires client certificates when the configuration does).
    public static func withRunning<R: Sendable>(
        tls: TLSConfiguration? = nil,
        handler: @escaping @Sendable (RecordedRequest) async throws -> CannedResponse,
        _ body: (_ baseURL: String) async throws -> R
    ) async throws -> R {
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "forescale.testkit.http")
        logger.logLevel = .critical
        let responder = CallbackResponder<ConnectionContext> { request, context in
            var request = request
            let buffer = try await request.collectBody(upTo: 4 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let recorded = RecordedRequest(
                method: request.method.rawValue,
                uri: request.uri.description,
                path: request.uri.path,
                query: request.uri.query,
                headers: headers,
                body: Array(buffer.readableBytesView)
            )
            let canned = try await handler(recorded)
            if canned.delaySeconds > 0 { try await Task.sleep(nanoseconds: UInt64(canned.delaySeconds * 1_000_000_000)) }
            if case .closeWithoutAnswer = canned.delivery {
                context.channel.close(promise: nil)
                throw ConnectionClosedOnPurpose()
            }
            var fields = HTTPFields()
            for (name, value) in canned.headers {
                if let fieldName = HTTPFields.Element.Name(name) { fields.append(.init(name: fieldName, value: value)) }
            }
            let body: ResponseBody
            if let stream = canned.stream {
                let first = canned.body, seconds = canned.streamSeconds
                body = ResponseBody { writer in
                    if !first.isEmpty { try await writer.write(ByteBuffer(bytes: first)) }
                    // Relay the stream, cut off after `seconds` when set.
                    let (relay, relayContinuation) = AsyncStream<[UInt8]>.makeStream()
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await chunk in stream { relayContinuation.yield(chunk) }
                            relayContinuation.finish()
                        }
                        if let seconds {
                            group.addTask {
                                try? await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
                                relayContinuation.finish()
                            }
                        }
                        for await chunk in relay { try await writer.write(ByteBuffer(bytes: chunk)) }
                        group.cancelAll()
                    }
                    try await writer.finish(nil)
                }
            } else {
                body = Self.body(canned)
            }
            return Response(status: HTTPResponse.Status(code: canned.status), headers: fields, body: body)
        }
        let app = Application(
            responder: responder,
            server: try tls.map { try HTTPServerBuilder.tls(.http1(), tlsConfiguration: $0) } ?? .http1(),
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger
        )
        // Stopped gracefully: the server stops accepting and hands every connection it accepted to
        // its loop before it ends. Cancelling it outright could drop a connection accepted in that
        // instant, which NIO traps on ("Deinited NIOAsyncWriter without calling finish()").
        let services = ServiceGroup(configuration: ServiceGroupConfiguration(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { portContinuation.finish() }  // a failed bind ends the wait below instead of hanging
                try await services.run()
            }
            /// Graceful shutdown; an answer that never ends (a watch no one closed) is cut after 5 s.
            func stop() async {
                await services.triggerGracefulShutdown()
                group.addTask { try await Task.sleep(nanoseconds: 5_000_000_000) }
                _ = try? await group.next()
                group.cancelAll()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else {
                group.cancelAll()
                throw CancellationError()
            }
            do {
                let result = try await body("\(tls == nil ? "http" : "https")://127.0.0.1:\(port)")
                await stop()
                return result
            } catch {
                await stop()
                throw error
            }
        }
    }

    /// `canned.body` sent as its `delivery` says.
    private static func body(_ canned: CannedResponse) -> ResponseBody {
        let bytes = canned.body
        switch canned.delivery {
        case .whole, .closeWithoutAnswer:
            return ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        case .chunked:
            return ResponseBody(contentLength: nil) { writer in
                try await writer.write(ByteBuffer(bytes: bytes))
                try await writer.finish(nil)
            }
        case .pausedHalfway(let seconds):
            return ResponseBody(contentLength: bytes.count) { writer in
                try await writer.write(ByteBuffer(bytes: bytes[..<(bytes.count / 2)]))
                try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
                try await writer.write(ByteBuffer(bytes: bytes[(bytes.count / 2)...]))
                try await writer.finish(nil)
            }
        case .truncated(let declaredLength):
            return ResponseBody(contentLength: declaredLength) { writer in
                try await writer.write(ByteBuffer(bytes: bytes))
                // Failing the body makes the server close the connection short of the declared length.
                throw ConnectionClosedOnPurpose()
            }
        }
    }
}

/// Ends an answer by closing the connection (`Delivery.truncated`, `.closeWithoutAnswer`).
private struct ConnectionClosedOnPurpose: Error {}

/// The request context of the in-process server: the connection's channel, to close it on purpose.
struct ConnectionContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        channel = source.channel
    }
}
