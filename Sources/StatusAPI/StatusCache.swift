import Controller
import Foundation
import HTTPTypes
import OpenAPIRuntime
import Synchronization

/// `GET /v1/status` from a cached body while nothing a reader must see at once has changed and
/// the body is younger than `maxAge`; while one request rebuilds it, others answer the previous
/// body rather than encoding it again. A rebuild is the generated `getStatus` (the handler and
/// its encoding); the cache keeps the response it produced.
struct StatusCacheMiddleware: ServerMiddleware {
    let backend: any StatusBackend
    let cache: StatusBodyCache
    let maxAge: Duration

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard operationID == Operations.GetStatus.id, let version = backend.statusVersion else {
            return try await next(request, body, metadata)
        }
        let count = version.current
        let now = ContinuousClock.now
        if let cached = cache.reusable(for: count, now: now, maxAge: maxAge) { return (cached.head, HTTPBody(cached.bytes)) }
        do {
            let (head, responseBody) = try await next(request, body, metadata)
            var bytes: [UInt8] = []
            if let responseBody { bytes = try await [UInt8](collecting: responseBody, upTo: .max) }
            if head.status == .ok { cache.store(StatusBodyCache.Body(head: head, bytes: bytes), count: count, at: now) } else { cache.abandonRebuild() }
            return (head, HTTPBody(bytes))
        } catch {
            cache.abandonRebuild()
            throw error
        }
    }
}

/// The headers as the API has always treated them, around the generated code: a request body
/// that `RequestGate` found to be one JSON object is read as JSON whatever its `Content-Type`
/// (`curl -d` sends a form type), `Accept` is not negotiated (each route has one representation),
/// and JSON is answered as `application/json` (the generated serializer adds `; charset=utf-8`,
/// which JSON does not use).
struct HeadersMiddleware: ServerMiddleware {
    /// The operations with a request body.
    let operationsWithBody: Set<String>

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[.accept] = nil
        if operationsWithBody.contains(operationID) { request.headerFields[.contentType] = "application/json" }
        var (head, responseBody) = try await next(request, body, metadata)
        if head.headerFields[.contentType] == "application/json; charset=utf-8" { head.headerFields[.contentType] = "application/json" }
        return (head, responseBody)
    }
}

/// The last encoded `GET /v1/status` body and what it was built from.
final class StatusBodyCache: Sendable {
    /// An encoded status response.
    struct Body: Sendable {
        var head: HTTPResponse
        var bytes: [UInt8]
    }

    private struct Entry {
        var body: Body?
        var count = StatusVersion.Count()
        var builtAt: ContinuousClock.Instant?
        var rebuilding = false
    }

    private let entry = Mutex(Entry())

    /// The cached body when it may be answered for `count` at `now`; otherwise `nil`, and the caller
    /// rebuilds (and must call `store` or `abandonRebuild`).
    func reusable(for count: StatusVersion.Count, now: ContinuousClock.Instant, maxAge: Duration) -> Body? {
        entry.withLock { entry in
            guard let body = entry.body, let builtAt = entry.builtAt, entry.count.changes == count.changes else {
                entry.rebuilding = true
                return nil
            }
            if entry.count.ticks == count.ticks || now - builtAt < maxAge || entry.rebuilding { return body }
            entry.rebuilding = true
            return nil
        }
    }

    func store(_ body: Body, count: StatusVersion.Count, at now: ContinuousClock.Instant) {
        entry.withLock { entry in
            // A slower rebuild from an older count must not replace a newer body.
            if entry.body != nil, entry.count.changes > count.changes || (entry.count.changes == count.changes && entry.count.ticks > count.ticks) {
                entry.rebuilding = false
                return
            }
            entry = Entry(body: body, count: count, builtAt: now, rebuilding: false)
        }
    }

    func abandonRebuild() { entry.withLock { $0.rebuilding = false } }
}
