import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A request the fake server received.
struct FakeRequest: Sendable {
    var method: String
    var uri: String
    var headers: [(String, String)]

    var path: String { String(uri.split(separator: "?", maxSplits: 1).first ?? "") }

    /// Query parameters, percent-decoded (`+` kept as is, as Prometheus's Go server would not).
    var query: [String: String] {
        guard let q = uri.split(separator: "?", maxSplits: 1).dropFirst().first else { return [:] }
        var out: [String: String] = [:]
        for pair in q.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            out[kv[0].removingPercentEncodingForTest] = kv.count > 1 ? kv[1].removingPercentEncodingForTest : ""
        }
        return out
    }

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

extension String {
    var removingPercentEncodingForTest: String {
        var bytes: [UInt8] = []
        var it = Array(utf8)[...]
        while let b = it.popFirst() {
            if b == UInt8(ascii: "%"), it.count >= 2, let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(v)
                it = it.dropFirst(2)
            } else {
                bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// What the fake server does with a request. Byte-level control for the bad-input tables.
enum FakeReply: Sendable {
    /// A complete response, after `delay`. `chunked` omits Content-Length (streamed body).
    case respond(status: Int, body: [UInt8], contentType: String = "application/json", delay: TimeAmount = .zero, chunked: Bool = false)
    /// Declares more bytes than it sends, then closes the connection.
    case truncatedBody(status: Int, body: [UInt8], declared: Int)
    /// Sends the head and the first half of the body at once, the rest after `delay`.
    case slowBody(body: [UInt8], delay: TimeAmount)
    /// Closes the connection without answering.
    case close

    static func json(_ text: String, status: Int = 200) -> FakeReply {
        .respond(status: status, body: Array(text.utf8))
    }
}

/// The fake servers' own event loop, apart from the client's, so a 10 MB answer being written
/// does not delay the client's other requests. Lives as long as the test process.
private let serverGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)

/// An in-process HTTP/1.1 server on 127.0.0.1 with a random port.
final class FakeServer: Sendable {
    let channel: any Channel
    let port: Int

    var url: String { "http://127.0.0.1:\(port)" }
    var httpsURL: String { "https://127.0.0.1:\(port)" }

    /// Runs `body` with a server answering through `handler`, and stops the server afterwards.
    static func with<T: Sendable>(
        tls: NIOSSLContext? = nil,
        _ handler: @escaping @Sendable (FakeRequest) -> FakeReply,
        _ body: (FakeServer) async throws -> T
    ) async throws -> T {
        let log = NIOLockedValueBox<[FakeRequest]>([])
        let channel = try await ServerBootstrap(group: serverGroup)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(FakeHandler(handler: handler, log: log))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let server = FakeServer(channel: channel, log: log)
        do {
            let result = try await body(server)
            try? await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }

    private init(channel: any Channel, log: NIOLockedValueBox<[FakeRequest]>) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
        self.logBox = log
    }

    private let logBox: NIOLockedValueBox<[FakeRequest]>
    /// Requests received so far, in order.
    var requests: [FakeRequest] { logBox.withLockedValue { $0 } }

    /// A port nothing listens on (bound, then closed).
    static func closedPort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 1
        try await channel.close()
        return port
    }
}

private final class FakeHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let handler: @Sendable (FakeRequest) -> FakeReply
    let log: NIOLockedValueBox<[FakeRequest]>
    var head: HTTPRequestHead?

    init(handler: @escaping @Sendable (FakeRequest) -> FakeReply, log: NIOLockedValueBox<[FakeRequest]>) {
        self.handler = handler
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body: break
        case .end:
            guard let head else { return }
            let request = FakeRequest(
                method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) })
            log.withLockedValue { $0.append(request) }
            reply(handler(request), context: context)
        }
    }

    private func reply(_ reply: FakeReply, context: ChannelHandlerContext) {
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let handlerBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        switch reply {
        case .close:
            context.close(promise: nil)
        case .respond(let status, let body, let contentType, let delay, let chunked):
            let send = {
                let context = bound.value
                var headers = HTTPHeaders([("Content-Type", contentType)])
                if !chunked { headers.add(name: "Content-Length", value: String(body.count)) }
                let head = HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers)
                let this = handlerBound.value
                context.write(this.wrapOutboundOut(.head(head)), promise: nil)
                context.write(this.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
                context.writeAndFlush(this.wrapOutboundOut(.end(nil)), promise: nil)
            }
            if delay == .zero {
                send()
            } else {
                context.eventLoop.assumeIsolated().scheduleTask(in: delay) { send() }
            }
        case .slowBody(let body, let delay):
            var headers = HTTPHeaders([("Content-Type", "application/json")])
            headers.add(name: "Content-Length", value: String(body.count))
            let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)
            let half = body.count / 2
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body[..<half])))), promise: nil)
            context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
                let context = bound.value
                let this = handlerBound.value
                context.write(this.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body[half...])))), promise: nil)
                context.writeAndFlush(this.wrapOutboundOut(.end(nil)), promise: nil)
            }
        case .truncatedBody(let status, let body, let declared):
            var headers = HTTPHeaders([("Content-Type", "application/json")])
            headers.add(name: "Content-Length", value: String(declared))
            let head = HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
            context.close(promise: nil)
        }
    }
}
