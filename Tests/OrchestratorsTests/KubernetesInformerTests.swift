import ForescaleTestKit
import Foundation
@testable import Orchestrators
import Synchronization
import Testing

/// The watch that serves each tick's read, against the fake API server's LIST and WATCH.
@Suite("Kubernetes informer")
struct KubernetesInformerTests {
    static let collectionPath = "/apis/apps/v1/namespaces/shop/deployments"

    final class Notes: Sendable {
        let notes = Mutex<[BackgroundNote]>([])
        func withLock<R>(_ body: (inout [BackgroundNote]) -> R) -> R { notes.withLock { body(&$0) } }
    }

    /// Runs `informer` in a child task for the duration of `body`, collecting its notes.
    func whileRunning(_ informer: KubernetesInformer, _ body: (Notes) async throws -> Void) async throws {
        let notes = Notes()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await informer.run { note in notes.withLock { $0.append(note) } } }
            do {
                try await body(notes)
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    /// A fake API server with Deployment `shop/web` at `replicas`, its watching orchestrator, and the
    /// informer running for the duration of `body`. `before` runs before the informer starts.
    func withWatchedWeb(
        replicas: Int, readyReplicas: Int? = nil, before: (FakeKubernetesAPIServer) async -> Void = { _ in },
        _ body: (FakeKubernetesAPIServer, KubernetesClient, KubernetesOrchestrator, KubernetesInformer, Notes) async throws -> Void
    ) async throws {
        try await withKubernetes { server, client in
            await server.addWorkload(namespace: "shop", name: "web", replicas: replicas, readyReplicas: readyReplicas)
            await before(server)
            let (orchestrator, started) = client.watchingOrchestrator(for: KubernetesTarget(kind: .deployment, namespace: "shop", name: "web"))
            let informer = try #require(started)
            try await whileRunning(informer) { notes in try await body(server, client, orchestrator, informer, notes) }
        }
    }

    func waitLive(_ informer: KubernetesInformer, watches: Int = 1, lists: Int = 1) async {
        await informer.waitUntil { $0.live && $0.watches >= watches && $0.lists >= lists }
    }

    func objectReads(_ server: FakeKubernetesAPIServer, name: String = "web") async -> Int {
        await server.requests().filter { $0.method == "GET" && $0.path == "\(Self.collectionPath)/\(name)" }.count
    }

    @Test("lists the namespace in pages, then serves each read from memory without a request")
    func listsInPagesThenServesReads() async throws {
        try await withKubernetes { server, client in
            for index in 0..<7 { await server.addWorkload(namespace: "shop", name: "w\(index)", replicas: index + 1, readyReplicas: index) }
            await server.addWorkload(namespace: "other", name: "w0", replicas: 40)
            let collection = KubernetesCollection(group: "apps", version: "v1", resource: "deployments", namespace: "shop")
            let informer = KubernetesInformer(client: client, collection: collection, watchSeconds: 300, pageSize: 3)
            var orchestrator = client.orchestrator(for: KubernetesTarget(kind: .deployment, namespace: "shop", name: "w4"))
            orchestrator.informer = informer
            // Not running yet: the read is a GET.
            #expect(try await orchestrator.currentScale().desiredReplicas == 5)
            #expect(await objectReads(server, name: "w4") == 1)

            try await whileRunning(informer) { notes in
                await waitLive(informer)
                #expect(informer.status.objects == 7)
                let lists = await server.requests().filter { $0.path == Self.collectionPath && !($0.query ?? "").contains("watch") }
                #expect(lists.map { $0.query ?? "" } == ["limit=3", "limit=3&continue=108%3A3", "limit=3&continue=108%3A6"])
                let scale = try await orchestrator.currentScale()
                #expect(scale.desiredReplicas == 5)
                #expect(scale.readyReplicas == 4)
                #expect(scale.version == "105")
                #expect(await objectReads(server, name: "w4") == 1, "the read came from the watch")
                let watch = try #require(await server.requests().last { ($0.query ?? "").contains("watch=1") })
                #expect(watch.query?.contains("resourceVersion=108") == true)
                #expect(watch.query?.contains("allowWatchBookmarks=true") == true)
                #expect(watch.header("Authorization") == "Bearer good-token")
                #expect(notes.withLock { $0 } == [BackgroundNote(.info, "listed 7 object(s); watching for changes")])
            }
        }
    }

    @Test("follows its own patches, another writer's changes and status updates as the watch pushes them")
    func followsChanges() async throws {
        try await withWatchedWeb(replicas: 2, readyReplicas: 2) { server, client, orchestrator, informer, _ in
            #expect(client.watchingOrchestrator(for: KubernetesTarget(kind: .deployment, namespace: "shop", name: "api")).startedInformer == nil,
                    "one informer per collection")
            await waitLive(informer)
            let read = try await orchestrator.currentScale()
            #expect(try await orchestrator.apply(replicas: 5, decision: nil, observed: read) == .scaled(from: 2, to: 5))
            await informer.waitUntil { $0.events >= 1 }
            let afterPatch = try await orchestrator.currentScale()
            #expect(afterPatch.desiredReplicas == 5)
            #expect(afterPatch.version == String(try #require(await server.workload(namespace: "shop", name: "web")).resourceVersion))

            await server.addWorkload(namespace: "shop", name: "web", replicas: 9, readyReplicas: 3)  // kubectl scale
            await informer.waitUntil { $0.events >= 2 }
            #expect(try await orchestrator.currentScale().desiredReplicas == 9)
            await server.setReadyReplicas(7, namespace: "shop", name: "web")
            await informer.waitUntil { $0.events >= 3 }
            #expect(try await orchestrator.currentScale().readyReplicas == 7)
            #expect(await objectReads(server) == 0)
        }
    }

    @Test("a watch the server ends resumes from the last version seen, without listing again")
    func resumesAfterTheWatchEnds() async throws {
        try await withWatchedWeb(replicas: 2) { server, _, orchestrator, informer, _ in
            await waitLive(informer)
            await server.sendBookmarks()
            await server.addWorkload(namespace: "shop", name: "web", replicas: 3)
            await informer.waitUntil { $0.events >= 1 }
            await server.dropWatches()
            await waitLive(informer, watches: 2)
            await server.addWorkload(namespace: "shop", name: "web", replicas: 4)
            await informer.waitUntil { $0.events >= 2 }
            #expect(try await orchestrator.currentScale().desiredReplicas == 4)
            #expect(informer.status.lists == 1)
            let watches = await server.requests().filter { ($0.query ?? "").contains("watch=1") }
            let version = try #require(await server.workload(namespace: "shop", name: "web")).resourceVersion - 1
            #expect(watches.last?.query?.contains("resourceVersion=\(version)") == true, "resumed from the last event's version")
            #expect(await objectReads(server) == 0)
        }
    }

    @Test("a version too old for the server (410 Expired, as a watch event or as the answer) lists again", arguments: [false, true])
    func listsAgainWhenExpired(asStatus: Bool) async throws {
        try await withWatchedWeb(replicas: 2) { server, _, orchestrator, informer, notes in
            await waitLive(informer)
            if asStatus {
                await server.inject(FakeKubernetesFault(method: "GET", queryContains: "watch=1", action: .status(410)))
            } else {
                await server.compactHistory()
            }
            await server.dropWatches()
            await server.addWorkload(namespace: "shop", name: "web", replicas: 6)
            await waitLive(informer, watches: 2, lists: 2)
            let scale = try await orchestrator.currentScale()
            #expect(scale.desiredReplicas == 6)
            #expect(notes.withLock { $0.allSatisfy { $0.level == .info } }, "an expired version is routine, not a failure")
        }
    }

    @Test("without list permission it says which, and reads fall back to a GET each")
    func forbiddenFallsBackToGets() async throws {
        try await withWatchedWeb(replicas: 2, before: { await $0.setAllowed(["get deployments", "get deployments/scale", "patch deployments/scale"]) }) {
            server, _, orchestrator, informer, notes in
            await informer.waitUntil { $0.lastError != nil }
            let warning = try #require(notes.withLock { $0.first })
            #expect(warning.level == .warning)
            #expect(warning.message.contains(#"RBAC must allow verb "list" on resource "deployments" in apiGroup "apps" in namespace "shop""#))
            #expect(warning.message.contains("reading each target with a GET"))
            #expect(!informer.status.live)
            #expect(try await orchestrator.currentScale().desiredReplicas == 2)
            #expect(await objectReads(server) == 1)
            // Granted later: the next attempt lists and the watch serves reads.
            await server.setAllowed(nil)
            await waitLive(informer)
            #expect(notes.withLock { $0.count } == 2, "one warning, one recovery note, whatever the retries")
        }
    }

    @Test("a deleted workload leaves the cache, and the read's GET says it is gone")
    func deletedWorkload() async throws {
        try await withWatchedWeb(replicas: 2) { server, _, orchestrator, informer, _ in
            await waitLive(informer)
            await server.deleteWorkload(namespace: "shop", name: "web")
            await informer.waitUntil { $0.objects == 0 }
            await #expect(throws: OrchestratorError.self) { try await orchestrator.currentScale() }
            #expect(await objectReads(server) == 1)
        }
    }

    @Test("custom resources are not watched")
    func customResourcesAreRead() async throws {
        try await withKubernetes { _, client in
            let target = try KubernetesTarget.custom(apiVersion: "workers.example.com/v1", resource: "consumers", namespace: "shop", name: "c")
            let (orchestrator, started) = client.watchingOrchestrator(for: target)
            #expect(started == nil)
            #expect(orchestrator.informer == nil)
        }
    }
}
