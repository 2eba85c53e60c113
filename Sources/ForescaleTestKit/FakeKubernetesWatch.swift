import Foundation

/// One change of a workload, as a watch reports it.
struct FakeWatchEvent: Sendable {
    var type: String
    var workload: FakeWorkload
}

/// An open watch: the collection it follows and where its events go.
struct FakeWatcher: Sendable {
    var group: String
    var resource: String
    var namespace: String
    var bookmarks: Bool
    var continuation: AsyncStream<[UInt8]>.Continuation

    func follows(_ workload: FakeWorkload) -> Bool {
        workload.group == group && workload.resource == resource && workload.namespace == namespace
    }
}

/// LIST and WATCH of a workload collection, shaped like the real API server's
/// (https://kubernetes.io/docs/reference/using-api/api-concepts/): `limit` and `continue` paging;
/// `watch=1` from a `resourceVersion` replays the changes after it, then streams new ones as
/// newline-delimited `{"type","object"}` events; a version older than the kept history gets an
/// `ERROR` event with a `Status` of code 410 (reason `Expired`); `timeoutSeconds` ends the watch;
/// `allowWatchBookmarks` lets `bookmark()` send `BOOKMARK` events.
extension FakeKubernetesState {
    static let historyLimit = 10_000

    func record(_ type: String, _ workload: FakeWorkload) {
        history.append(FakeWatchEvent(type: type, workload: workload))
        if history.count > Self.historyLimit {
            let dropped = history.count - Self.historyLimit
            compactedThrough = max(compactedThrough, history[dropped - 1].workload.resourceVersion)
            history.removeFirst(dropped)
        }
        let line = Self.eventLine(type, workloadJSON(workload))
        for (id, watcher) in watchers where watcher.follows(workload) {
            if case .terminated = watcher.continuation.yield(line) { watchers[id] = nil }
        }
    }

    static func eventLine(_ type: String, _ object: String) -> [UInt8] {
        Array(#"{"type":"\#(type)","object":\#(object)}"#.utf8) + [UInt8(ascii: "\n")]
    }

    func collectionRoute(_ request: RecordedRequest, group: String, version: String, resource: String, namespace: String) -> CannedResponse {
        let query = request.queryItems
        let watch = query["watch"] == "1" || query["watch"] == "true"
        if let denied = forbidden(verb: watch ? "watch" : "list", resource: resource, group: group, namespace: namespace, name: nil) { return denied }
        let members = workloads.values
            .filter { $0.group == group && $0.resource == resource && $0.namespace == namespace }
            .sorted { $0.name < $1.name }
        return watch
            ? openWatch(query, group: group, resource: resource, namespace: namespace, members: members)
            : list(query, group: group, version: version, resource: resource, members: members)
    }

    /// `continue` is "<list resourceVersion>:<offset>"; the list keeps the first page's version.
    private func list(_ query: [String: String], group: String, version: String, resource: String, members: [FakeWorkload]) -> CannedResponse {
        var offset = 0
        var listVersion = nextResourceVersion
        if let token = query["continue"], !token.isEmpty {
            let parts = token.split(separator: ":").compactMap { Int($0) }
            guard parts.count == 2 else {
                return FakeStatus.body(code: 400, reason: "BadRequest", message: "continue key is not valid: \(token)")
            }
            (listVersion, offset) = (parts[0], parts[1])
            if listVersion <= compactedThrough {
                return FakeStatus.body(
                    code: 410, reason: "Expired",
                    message:
                        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter."
                )
            }
        }
        let limit = query["limit"].flatMap(Int.init).map { max($0, 1) } ?? Int.max
        let page = members.dropFirst(offset).prefix(limit)
        let next = offset + page.count < members.count ? "\(listVersion):\(offset + page.count)" : nil
        let apiVersion = group.isEmpty ? version : "\(group)/\(version)"
        let continueField = next.map { #","continue":"\#($0)""# } ?? ""
        let items = page.map { workloadJSON($0) }.joined(separator: ",")
        return .json(
            200, #"{"kind":"List","apiVersion":"\#(apiVersion)","metadata":{"resourceVersion":"\#(listVersion)"\#(continueField)},"items":[\#(items)]}"#)
    }

    private func openWatch(_ query: [String: String], group: String, resource: String, namespace: String, members: [FakeWorkload]) -> CannedResponse {
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
        let from = query["resourceVersion"].flatMap(Int.init)
        let seconds = query["timeoutSeconds"].flatMap(Double.init)
        let watcher = FakeWatcher(
            group: group, resource: resource, namespace: namespace, bookmarks: query["allowWatchBookmarks"] == "true",
            continuation: continuation)
        if let from, from > 0 {
            if from <= compactedThrough {
                let status =
                    #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: \#(from) (\#(compactedThrough + 1))","reason":"Expired","code":410}"#
                continuation.yield(Self.eventLine("ERROR", status))
                continuation.finish()
                return CannedResponse(status: 200, headers: ["Content-Type": "application/json"], stream: stream)
            }
            for event in history where event.workload.resourceVersion > from && watcher.follows(event.workload) {
                continuation.yield(Self.eventLine(event.type, workloadJSON(event.workload)))
            }
        } else {
            // No version (or "0"): the current objects first, as ADDED.
            for workload in members { continuation.yield(Self.eventLine("ADDED", workloadJSON(workload))) }
        }
        nextWatcherID += 1
        watchers[nextWatcherID] = watcher
        return CannedResponse(status: 200, headers: ["Content-Type": "application/json"], stream: stream, streamSeconds: seconds)
    }

    func deleteWorkload(key: String) {
        guard var workload = workloads.removeValue(forKey: key) else { return }
        workload.resourceVersion = bump()
        record("DELETED", workload)
    }

    /// Ends every open watch, as an API server restart or a load balancer's idle cut would.
    func dropWatches() {
        for watcher in watchers.values { watcher.continuation.finish() }
        watchers.removeAll()
    }

    /// Forgets the history up to now (as etcd compaction does): a watch resuming from any version
    /// seen so far gets 410; a new LIST is at a later version (one consumed elsewhere in the cluster).
    func compactHistory() {
        compactedThrough = nextResourceVersion
        nextResourceVersion += 1
        history.removeAll()
    }

    func sendBookmarks() {
        let version = nextResourceVersion
        for (id, watcher) in watchers where watcher.bookmarks {
            let object = #"{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"resourceVersion":"\#(version)"}}"#
            if case .terminated = watcher.continuation.yield(Self.eventLine("BOOKMARK", object)) { watchers[id] = nil }
        }
    }

    var openWatchCount: Int { watchers.count }
}
