import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore

/// A request as a test double saw it.
public struct RecordedRequest: Sendable {
    public var method: String
    public var path: String
    public var query: String?
    public var headers: [String: String]
    public var body: [UInt8]

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
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

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = [], stream: AsyncStream<[UInt8]>? = nil, streamSeconds: Double? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.stream = stream
        self.streamSeconds = streamSeconds
    }

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
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            var request = request
            let buffer = try await request.collectBody(upTo: 4 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let recorded = RecordedRequest(
                method: request.method.rawValue,
                path: request.uri.path,
                query: request.uri.query,
                headers: headers,
                body: Array(buffer.readableBytesView)
            )
            let canned = try await handler(recorded)
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
                body = ResponseBody(byteBuffer: ByteBuffer(bytes: canned.body))
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
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { portContinuation.finish() }  // a failed bind ends the wait below instead of hanging
                try await app.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else {
                group.cancelAll()
                throw CancellationError()
            }
            do {
                let result = try await body("\(tls == nil ? "http" : "https")://127.0.0.1:\(port)")
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }
}
