import Foundation
import Synchronization

/// Keeps the objects of one collection in memory from a LIST and then a WATCH, the way a
/// Kubernetes informer does: the workloads each tick reads without a request, and the
/// `ScalingTarget` objects the controller runs.
///
/// For workloads: while the watch is open the cache is current (the API server pushes every change); whenever it
/// is not (before the first LIST, after an error, while reconnecting) `workload(named:)` answers
/// `nil` and the orchestrator reads with a GET as before, so a broken watch costs requests, never
/// correctness. A watch ended by the server resumes from the last version seen; `410 Expired`
/// lists again. Missing `list`/`watch` permission is reported once and retried with back-off.
public final class KubernetesObjectInformer<Item: KubernetesListItem>: OrchestratorBackgroundWork {
    public let collection: KubernetesCollection
    let client: KubernetesClient
    /// Asked of the API server per watch (`timeoutSeconds`); it then ends the watch and this resumes.
    let watchSeconds: Int
    let pageSize: Int

    struct State {
        /// By name, or `namespace/name` when the collection spans every namespace.
        var objects: [String: Item] = [:]
        var live = false
        var resourceVersion: String?
        var lists = 0
        var watches = 0
        var events = 0
        var lastError: String?
        /// Set by `stop()`: the client was replaced, the watch ends.
        var stopped = false
        var waiters: [(id: Int, predicate: @Sendable (KubernetesInformerStatus) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []
        var nextWaiter = 0

        var status: KubernetesInformerStatus {
            KubernetesInformerStatus(live: live, objects: objects.count, lists: lists, watches: watches, events: events, lastError: lastError)
        }
    }

    let state = Mutex(State())
    /// Yields after every LIST and every change a watch reports (the newest only is kept).
    public let changes: AsyncStream<Void>
    private let changed: AsyncStream<Void>.Continuation

    public init(client: KubernetesClient, collection: KubernetesCollection, watchSeconds: Int = 300, pageSize: Int = 500) {
        self.client = client
        self.collection = collection
        self.watchSeconds = watchSeconds
        self.pageSize = pageSize
        (changes, changed) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// The objects as last listed and watched, and whether the watch is open now (when it is not,
    /// they may be out of date).
    public var snapshot: (live: Bool, objects: [String: Item]) { state.withLock { ($0.live, $0.objects) } }

    /// The key of an object: its name, or `namespace/name` in a collection of every namespace.
    func key(_ metadata: KubernetesObjectMeta?) -> String? {
        guard let name = metadata?.name else { return nil }
        return collection.namespace.isEmpty ? "\(metadata?.namespace ?? "")/\(name)" : name
    }

    public var workDescription: String { "kubernetes watch of \(collection)" }

    /// The object as the open watch last reported it; `nil` when the watch is not open or the
    /// object is not in the collection.
    func object(named name: String) -> Item? {
        state.withLock { $0.live ? $0.objects[name] : nil }
    }

    public var status: KubernetesInformerStatus { state.withLock { $0.status } }

    /// Returns once `predicate` holds for the informer's status (for tests).
    public func waitUntil(_ predicate: @escaping @Sendable (KubernetesInformerStatus) -> Bool) async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if predicate(state.status) { return true }
                state.nextWaiter += 1
                state.waiters.append((state.nextWaiter, predicate, continuation))
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Applies a change under the lock, then wakes the waiters whose condition now holds.
    private func update(_ change: (inout State) -> Void) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            change(&state)
            let status = state.status
            let met = state.waiters.filter { $0.predicate(status) }
            state.waiters.removeAll { waiter in met.contains { $0.id == waiter.id } }
            return met.map(\.continuation)
        }
        for continuation in ready { continuation.resume() }
    }

    enum WatchEnd { case closed, expired }

    /// Ends `run` (its client was replaced by a reload): at once if it waits between attempts'
    /// steps, else when its request fails as the client closes.
    func stop() { update { $0.stopped = true; $0.live = false } }

    private var isStopped: Bool { state.withLock { $0.stopped } }

    public func run(report: @escaping @Sendable (BackgroundNote) -> Void) async {
        var failures = 0
        var expiredInARow = 0
        var mustList = true
        var reported: String?
        while !Task.isCancelled && !isStopped {
            do {
                if mustList {
                    let count = try await list()
                    mustList = false
                    if reported != nil || status.lists == 1 {
                        report(BackgroundNote(.info, "listed \(count) object(s); watching for changes"))
                    }
                    reported = nil
                }
                switch try await watch() {
                case .closed:
                    expiredInARow = 0
                case .expired:
                    // Changes may have been missed: reads go to GETs until the LIST.
                    update { $0.live = false }
                    mustList = true
                    expiredInARow += 1
                }
                failures = 0
                // A server that expires every fresh list's version at once is not hammered.
                if expiredInARow > 1 { try await client.clock.sleep(seconds: min(30, Double(expiredInARow - 1))) }
            } catch {
                if Task.isCancelled || isStopped { break }
                let message = (error as? OrchestratorError)?.message ?? "\(error)"
                update { $0.live = false; $0.lastError = message }
                if message != reported {
                    report(BackgroundNote(.warning, "\(message); reading each target with a GET until the watch is back"))
                    reported = message
                }
                failures += 1
                // A LIST starts over after an error: the failed watch may have missed a 410.
                mustList = true
                let wait = min(30, pow(2, Double(min(failures, 6) - 1)))
                do { try await client.clock.sleep(seconds: wait) } catch { break }
            }
        }
        update { $0.live = false }
    }

    /// Every object of the collection, page by page; the cache is replaced and live afterwards.
    private func list() async throws -> Int {
        let (objects, version) = try await listAll()
        update {
            $0.objects = objects
            $0.resourceVersion = version
            $0.live = true
            $0.lists += 1
            $0.lastError = nil
        }
        changed.yield()
        return objects.count
    }

    /// Every object of the collection, page by page, and the version to watch from; the cache is
    /// not touched (`forescale run --once` reads the objects this way, without a watch).
    public func listAll() async throws -> (objects: [String: Item], version: String) {
        var objects: [String: Item] = [:]
        var token: String?
        var version: String?
        repeat {
            var path = collection.path + "?limit=\(pageSize)"
            if let token { path += "&continue=" + (token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? token) }
            let call = callFor(path: path, verb: "list")
            let page = try client.decode(ObjectList<Item>.self, from: try await client.send(call), call: call)
            for item in page.items {
                if let key = key(item.metadata) { objects[key] = item }
            }
            version = page.metadata?.resourceVersion
            token = page.metadata?.continue.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        guard let version else {
            throw OrchestratorError(.decode, "LIST \(collection.path): the answer has no metadata.resourceVersion to watch from")
        }
        return (objects, version)
    }

    /// One watch from the last version, until the server ends it (`.closed`) or says the version
    /// is too old (`.expired`); throws on any other error.
    private func watch() async throws -> WatchEnd {
        let version = state.withLock { $0.resourceVersion } ?? "0"
        // Versions are opaque strings: encoded like the `continue` token.
        let encoded = version.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? version
        let path = collection.path
            + "?watch=1&allowWatchBookmarks=true&timeoutSeconds=\(watchSeconds)&resourceVersion=\(encoded)"
        let call = callFor(path: path, verb: "watch")
        let stream = try await client.openStream(call)
        if stream.status == 410 { return .expired }
        update { $0.live = true; $0.watches += 1; $0.lastError = nil }
        var line: [UInt8] = []
        for try await buffer in stream.body {
            let chunk = Array(buffer.readableBytesView)
            var rest = chunk[...]
            while let newline = rest.firstIndex(of: UInt8(ascii: "\n")) {
                line += rest[..<newline]
                rest = rest[(newline + 1)...]
                if !line.isEmpty, try apply(line, call: call) == .expired { return .expired }
                line.removeAll(keepingCapacity: true)
            }
            line += rest
            guard line.count <= 16 << 20 else {
                throw OrchestratorError(.decode, "GET \(call.path): a watch event is longer than 16 MiB")
            }
        }
        if !line.isEmpty, try apply(line, call: call) == .expired { return .expired }
        return .closed
    }

    private enum Applied { case applied, expired }

    private func apply(_ line: [UInt8], call: KubernetesAPICall) throws -> Applied {
        let event = try client.decode(WatchEvent<Item>.self, from: line, call: call)
        let key = key(event.object?.metadata)
        let version = event.object?.metadata?.resourceVersion
        switch event.type {
        case "ADDED", "MODIFIED":
            guard let key, let object = event.object else {
                throw OrchestratorError(.decode, "GET \(call.path): a \(event.type) event without metadata.name")
            }
            update {
                $0.objects[key] = object
                if let version { $0.resourceVersion = version }
                $0.events += 1
            }
            changed.yield()
        case "DELETED":
            update {
                if let key { $0.objects[key] = nil }
                if let version { $0.resourceVersion = version }
                $0.events += 1
            }
            changed.yield()
        case "BOOKMARK":
            update { if let version { $0.resourceVersion = version } }
        case "ERROR":
            let status = event.status
            if status?.code == 410 { return .expired }
            let code = status?.code.map { "\($0) " } ?? ""
            throw OrchestratorError(.serverError, "GET \(call.path): the watch ended with an error: \(code)\(status?.reason ?? "") \(status?.message ?? "")")
        default:
            throw OrchestratorError(.decode, "GET \(call.path): unknown watch event type \"\(event.type)\"")
        }
        return .applied
    }

    private func callFor(path: String, verb: String) -> KubernetesAPICall {
        KubernetesAPICall(
            method: .GET, path: path, verb: verb, group: collection.group, resource: collection.resource,
            namespace: collection.namespace, name: nil)
    }
}

/// What an informer has done, for tests, logs and the benchmark.
public struct KubernetesInformerStatus: Sendable, Equatable {
    /// The cache is current (a LIST done and the watch open).
    public var live: Bool
    public var objects: Int
    public var lists: Int
    public var watches: Int
    public var events: Int
    public var lastError: String?
}

struct ObjectList<Item: Decodable>: Decodable {
    struct Metadata: Decodable {
        var resourceVersion: String?
        var `continue`: String?
    }
    var metadata: Metadata?
    var items: [Item]
}

/// A watch event: an object, or for `ERROR` the `Status` the server ends the watch with.
struct WatchEvent<Item: Decodable>: Decodable {
    struct Status: Decodable {
        var code: Int?
        var reason: String?
        var message: String?
    }
    var type: String
    var object: Item?
    var status: Status?

    enum CodingKeys: String, CodingKey { case type, object }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        if type == "ERROR" {
            status = try? container.decode(Status.self, forKey: .object)
        } else {
            object = try container.decode(Item.self, forKey: .object)
        }
    }
}

extension KubernetesObjectInformer where Item == WorkloadItem {
    /// The workload as the open watch last reported it; `nil` when the watch is not open or the
    /// workload is not in the collection.
    func workload(named name: String) -> InformedWorkload? { object(named: name)?.informed }
}
