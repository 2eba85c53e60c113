import ForescaleTestKit
import Foundation
@testable import Orchestrators
import Testing
import Yams

/// The Kubernetes adapter (scale subresource, conflicts, LIST+WATCH, Lease leader election, the
/// errors of RBAC) against a real kube-apiserver v1.24 with etcd (`scripts/k8s/start.sh`). Each
/// test has a namespace of its own; every assertion is on values read back from the server.
@Suite("Kubernetes (real kube-apiserver)")
struct KubernetesRealServerTests {
    let admin = AdminAPI()

    func deployment(_ namespace: String, _ name: String) -> KubernetesTarget {
        KubernetesTarget(kind: .deployment, namespace: namespace, name: name)
    }

    // MARK: a. the scale subresource

    @Test("reads a Deployment's scale (the object and its /scale subresource) and patches /scale; the server has the new count", .realAPIServer)
    func scaleReadAndPatch() async throws {
        try await withNamespace { ns in
            let created = try await admin.createDeployment(ns, "web", replicas: 2)
            try await withClient { client in
                let orchestrator = client.orchestrator(for: deployment(ns, "web"))
                #expect(orchestrator.targetDescription == "kubernetes apps/v1 deployments \(ns)/web")

                let first = try await orchestrator.currentScale()
                #expect(first.desiredReplicas == 2)
                #expect(first.readyReplicas == 0, "no kubelet: readyReplicas is omitted, read as 0")
                #expect(first.version == created.metadata.resourceVersion)
                // GET …/scale: the same count, and the same resourceVersion as the object (the code relies on it).
                let scale = try await orchestrator.readScale()
                #expect(scale.replicas == 2)
                #expect(scale.resourceVersion == created.metadata.resourceVersion)

                // What the deployment controller would report.
                try await admin.putStatus(ns, "web", replicas: 2, readyReplicas: 1)
                let withStatus = try await orchestrator.currentScale()
                #expect(withStatus.readyReplicas == 1)
                #expect(withStatus.desiredReplicas == 2)

                #expect(try await orchestrator.apply(replicas: 5, decision: nil) == .scaled(from: 2, to: 5))
                let stored = try await admin.deployment(ns, "web")
                #expect(stored.spec.replicas == 5)
                #expect(stored.status?.readyReplicas == 1, "a scale patch leaves the status alone")
                #expect(try await orchestrator.readScale().replicas == 5)
                #expect(try await orchestrator.currentScale().desiredReplicas == 5)

                // Idempotent: the same count is no write (the resourceVersion does not move).
                #expect(try await orchestrator.apply(replicas: 5, decision: nil) == .unchanged(replicas: 5))
                #expect(try await admin.deployment(ns, "web").metadata.resourceVersion == stored.metadata.resourceVersion)

                // Down as well, against the tick's own read (one PATCH carrying its version).
                let observed = try await orchestrator.currentScale()
                #expect(try await orchestrator.apply(replicas: 1, decision: nil, observed: observed) == .scaled(from: 5, to: 1))
                #expect(try await admin.deployment(ns, "web").spec.replicas == 1)
            }
        }
    }

    @Test("a missing Deployment is a 404 that names the object and namespace", .realAPIServer)
    func missingDeployment() async throws {
        try await withNamespace { ns in
            try await withClient { client in
                let orchestrator = client.orchestrator(for: deployment(ns, "absent"))
                let error = try await #require(throws: OrchestratorError.self) { try await orchestrator.currentScale() }
                #expect(error.kind == .notFound)
                #expect(error.httpStatus == 404)
                #expect(error.message.contains(#"deployments "absent" does not exist in namespace "\#(ns)""#), "\(error.message)")
                #expect(error.message.contains(#"API server said: deployments.apps "absent" not found"#), "\(error.message)")
            }
        }
    }

    // MARK: b. optimistic concurrency

    @Test("a patch with a stale resourceVersion is a 409 the orchestrator answers by re-reading and patching again", .realAPIServer)
    func staleVersionConflicts() async throws {
        try await withNamespace { ns in
            try await admin.createDeployment(ns, "web", replicas: 2)
            try await withClient { client in
                let orchestrator = client.orchestrator(for: deployment(ns, "web"))
                let stale = try await orchestrator.currentScale()
                let staleVersion = try #require(stale.version)
                #expect(stale.desiredReplicas == 2)

                // Someone else scales after our read (kubectl scale, an HPA): the version moves on.
                let moved = try await admin.scale(ns, "web", to: 3)
                #expect(moved.metadata.resourceVersion != staleVersion)

                // The server's own answer to a PATCH carrying the stale version, as the client maps it.
                let patch = orchestrator.call(.PATCH, verb: "patch", scale: true)
                let body = #"{"metadata":{"resourceVersion":"\#(staleVersion)"},"spec":{"replicas":6}}"#
                let conflict = try await #require(throws: OrchestratorError.self) {
                    _ = try await client.send(patch, body: Array(body.utf8), contentType: "application/merge-patch+json")
                }
                #expect(conflict.kind == .conflict)
                #expect(conflict.httpStatus == 409)
                #expect(conflict.message.contains("409 Conflict on PATCH /apis/apps/v1/namespaces/\(ns)/deployments/web/scale"), "\(conflict.message)")
                #expect(conflict.message.contains("the object has been modified"), "\(conflict.message)")
                #expect(try await admin.deployment(ns, "web").spec.replicas == 3, "the conflicting patch wrote nothing")

                // The orchestrator, given the stale read: 409, re-read (3, not 2), patch again.
                let outcome = try await orchestrator.apply(replicas: 6, decision: nil, observed: stale)
                #expect(outcome == .scaled(from: 3, to: 6))
                let stored = try await admin.deployment(ns, "web")
                #expect(stored.spec.replicas == 6)
                #expect(stored.metadata.resourceVersion != moved.metadata.resourceVersion)

                // A stale read that already shows the asked count is taken at its word: no write.
                let before = stored.metadata.resourceVersion
                #expect(try await orchestrator.apply(replicas: 2, decision: nil, observed: stale) == .unchanged(replicas: 2))
                #expect(try await admin.deployment(ns, "web").metadata.resourceVersion == before)
            }
        }
    }

    // MARK: c. LIST + WATCH

    @Test(
        "the informer lists the namespace, goes live on the watch and follows another writer's scale, status updates, creations and deletions", .realAPIServer)
    func informerListsAndWatches() async throws {
        try await withNamespace { ns in
            try await admin.createDeployment(ns, "web", replicas: 2)
            try await admin.createDeployment(ns, "api", replicas: 1)
            try await withClient { client in
                let (orchestrator, started) = client.watchingOrchestrator(for: deployment(ns, "web"))
                let informer = try #require(started)
                #expect(client.watchingOrchestrator(for: deployment(ns, "api")).startedInformer == nil, "one informer per collection")
                #expect(informer.workload(named: "web") == nil, "not live before it runs")

                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await informer.run { _ in } }
                    defer { group.cancelAll() }

                    try await within(20, "the informer lists and watches") {
                        await informer.waitUntil { $0.live && $0.lists >= 1 && $0.watches >= 1 }
                    }
                    #expect(informer.status.objects == 2)
                    #expect(informer.status.lastError == nil)
                    let listed = try #require(informer.workload(named: "web"))
                    #expect(listed.replicas == 2)
                    #expect(listed.resourceVersion == (try await admin.deployment(ns, "web")).metadata.resourceVersion)
                    #expect(try await orchestrator.currentScale().desiredReplicas == 2)

                    // Another writer scales web: the watch pushes it.
                    let events = informer.status.events
                    let scaled = try await admin.scale(ns, "web", to: 7)
                    try await within(20, "the watch delivers the scale to 7") {
                        await informer.waitUntil { $0.events >= events + 1 }
                    }
                    #expect(informer.workload(named: "web")?.replicas == 7)
                    let read = try await orchestrator.currentScale()
                    #expect(read.desiredReplicas == 7)
                    #expect(read.version == scaled.metadata.resourceVersion)

                    // A status update (the deployment controller's).
                    let status = try await admin.putStatus(ns, "web", replicas: 7, readyReplicas: 4)
                    try await within(20, "the watch delivers the status update") {
                        await informer.waitUntil { $0.events >= events + 2 }
                    }
                    #expect(try await orchestrator.currentScale().readyReplicas == 4)
                    #expect(informer.workload(named: "web")?.resourceVersion == status.metadata.resourceVersion)

                    // Our own patch, against the cached read.
                    let cached = try await orchestrator.currentScale()
                    #expect(try await orchestrator.apply(replicas: 3, decision: nil, observed: cached) == .scaled(from: 7, to: 3))
                    try await within(20, "the watch delivers our own patch") {
                        await informer.waitUntil { $0.events >= events + 3 }
                    }
                    #expect(try await orchestrator.currentScale().desiredReplicas == 3)
                    #expect(try await admin.deployment(ns, "web").spec.replicas == 3)

                    // Objects come and go.
                    try await admin.createDeployment(ns, "worker", replicas: 4)
                    try await within(20, "the watch delivers the new Deployment") {
                        await informer.waitUntil { $0.objects == 3 }
                    }
                    #expect(informer.workload(named: "worker")?.replicas == 4)
                    try await admin.deleteDeployment(ns, "api")
                    try await within(20, "the watch delivers the deletion") {
                        await informer.waitUntil { $0.objects == 2 }
                    }
                    #expect(informer.workload(named: "api") == nil)
                    #expect(informer.status.lists == 1, "no LIST again while the watch stays open")
                    #expect(informer.status.live)
                    #expect(informer.status.lastError == nil)
                }
            }
        }
    }

    @Test(
        "the informer lists in pages with the server's continue tokens, and a watch the server ends (timeoutSeconds) resumes without listing again",
        .realAPIServer)
    func informerPagesAndResumes() async throws {
        try await withNamespace { ns in
            for index in 0..<5 { try await admin.createDeployment(ns, "w\(index)", replicas: index + 1) }
            try await withClient { client in
                let collection = KubernetesCollection(group: "apps", version: "v1", resource: "deployments", namespace: ns)
                // Pages of 2 (three LISTs); each watch asks the server to end it after 1 s.
                let informer = KubernetesInformer(client: client, collection: collection, watchSeconds: 1, pageSize: 2)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await informer.run { _ in } }
                    defer { group.cancelAll() }
                    try await within(20, "the informer lists and watches") {
                        await informer.waitUntil { $0.live && $0.watches >= 1 }
                    }
                    #expect(informer.status.objects == 5)
                    #expect((0..<5).map { informer.workload(named: "w\($0)")?.replicas } == [1, 2, 3, 4, 5])

                    try await within(20, "the server ends the watch and the informer watches again") {
                        await informer.waitUntil { $0.watches >= 2 }
                    }
                    let scaled = try await admin.scale(ns, "w0", to: 9)
                    try await within(20, "the resumed watch delivers the scale") {
                        await informer.waitUntil { $0.events >= 1 }
                    }
                    #expect(informer.workload(named: "w0")?.replicas == 9)
                    #expect(informer.workload(named: "w0")?.resourceVersion == scaled.metadata.resourceVersion)
                    #expect(informer.status.lists == 1, "resumed from the last version, no LIST again")
                    #expect(informer.status.lastError == nil)
                }
            }
        }
    }

    // MARK: d. leader election on a Lease

    @Test(
        "two electors on one Lease: exactly one leads; after it releases, the other acquires on its next attempt; a leader that stops renewing is replaced after a lease duration",
        .realAPIServer)
    func leaseLeaderElection() async throws {
        try await withNamespace { ns in
            let clock = ManualClock(now: Date())
            try await withClient(clock: clock) { clientA in
                try await withClient(clock: clock) { clientB in
                    let lease = "forescale-leader"
                    let a = try LeaderElector(
                        settings: LeaderElectionSettings(identity: "replica-a"), store: clientA.leaseStore(namespace: ns, name: lease),
                        namespace: ns, name: lease, clock: clock)
                    let b = try LeaderElector(
                        settings: LeaderElectionSettings(identity: "replica-b"), store: clientB.leaseStore(namespace: ns, name: lease),
                        namespace: ns, name: lease, clock: clock)
                    let both = [a, b]
                    func leaders() async -> [String] {
                        var names: [String] = []
                        for elector in both where await elector.isLeader { names.append(await elector.identity) }
                        return names
                    }

                    // First attempts at the same time, on an absent lease: one creates it, the other
                    // sees it held or loses the create race (409 AlreadyExists).
                    async let attemptA = a.attempt()
                    async let attemptB = b.attempt()
                    _ = await (attemptA, attemptB)
                    let current = await leaders()
                    #expect(current.count == 1, "exactly one leader, got \(current)")
                    var stored = try await admin.lease(ns, lease)
                    #expect(stored.spec.holderIdentity == current.first)
                    #expect(stored.spec.leaseDurationSeconds == 15)
                    #expect(stored.spec.leaseTransitions == 0)
                    #expect(stored.spec.renewTime.flatMap(MicroTime.parse) != nil)
                    #expect(try await admin.leases(ns).map(\.metadata.name) == [lease])

                    let (leader, follower) = current.first == "replica-a" ? (a, b) : (b, a)
                    let leaderName = await leader.identity
                    let followerName = await follower.identity

                    // Retry periods pass: the leader renews, the follower waits.
                    for round in 1...3 {
                        clock.advance(by: 2)
                        await leader.attempt()
                        await follower.attempt()
                        #expect(await leaders() == [leaderName], "round \(round)")
                        let renewed = try await admin.lease(ns, lease)
                        #expect(renewed.spec.renewTime == MicroTime.format(clock.now()), "the leader renewed in round \(round)")
                        #expect(renewed.metadata.resourceVersion != stored.metadata.resourceVersion)
                        #expect(renewed.spec.acquireTime == stored.spec.acquireTime)
                        stored = renewed
                    }
                    #expect(await follower.leaderIdentity == leaderName)

                    // The leader releases: holder cleared, 1 s lease; the other acquires on its next attempt.
                    #expect(await leader.release())
                    #expect(await !leader.isLeader)
                    let released = try await admin.lease(ns, lease)
                    #expect(released.spec.holderIdentity ?? "" == "")
                    #expect(released.spec.leaseDurationSeconds == 1)
                    clock.advance(by: 2)
                    await follower.attempt()
                    #expect(await leaders() == [followerName])
                    stored = try await admin.lease(ns, lease)
                    #expect(stored.spec.holderIdentity == followerName)
                    #expect(stored.spec.leaseTransitions == 1)
                    #expect(stored.spec.leaseDurationSeconds == 15)
                    await leader.attempt()
                    #expect(await leaders() == [followerName], "the old leader now follows")

                    // The new leader stops renewing (killed): the old one takes over once the lease has
                    // not changed for a lease duration on its clock, and not before.
                    clock.advance(by: 2)
                    await leader.attempt()
                    #expect(await leaders() == [followerName])
                    clock.advance(by: 12)
                    await leader.attempt()
                    #expect(await leaders().isEmpty, "renew deadline passed for the dead leader, lease not yet expired")
                    #expect(try await admin.lease(ns, lease).spec.holderIdentity == followerName)
                    clock.advance(by: 2)
                    await leader.attempt()
                    #expect(await leaders() == [leaderName])
                    stored = try await admin.lease(ns, lease)
                    #expect(stored.spec.holderIdentity == leaderName)
                    #expect(stored.spec.leaseTransitions == 2)
                }
            }
        }
    }

    // MARK: e. RBAC

    /// The rules of the Role or ClusterRole `name` in Deploy/kubernetes/rbac.yaml.
    static func manifestRules(_ name: String) throws -> [[String: Any]] {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: repository.appendingPathComponent("Deploy/kubernetes/rbac.yaml"), encoding: .utf8)
        for document in try Yams.load_all(yaml: text) {
            guard let object = document as? [String: Any], ["Role", "ClusterRole"].contains(object["kind"] as? String ?? ""),
                  (object["metadata"] as? [String: Any])?["name"] as? String == name
            else { continue }
            return try #require(object["rules"] as? [[String: Any]], "\(name) has no rules")
        }
        Issue.record("no Role or ClusterRole \(name) in Deploy/kubernetes/rbac.yaml")
        return []
    }

    /// Creates in `namespace` a Role with the rules of the manifests' `name` and binds it to the limited user.
    func bindManifestRole(_ name: String, in namespace: String) async throws {
        let rules = try Self.manifestRules(name)
        try #require(!rules.isEmpty)
        try await admin.bindRole(name, rules: rules, in: namespace)
    }

    @Test(
        "without a binding, reads fail with a 403 naming verb, resource and namespace; with Deploy/'s roles bound, the same identity scales, watches and leads, and nothing more",
        .realAPIServer)
    func rbacFromTheManifests() async throws {
        try await withNamespace { ns in
            try await admin.createDeployment(ns, "web", replicas: 2)
            try await withClient(RealAPIServer.limitedKubeconfig) { client in
                let orchestrator = client.orchestrator(for: deployment(ns, "web"))

                let scaleError = try await #require(throws: OrchestratorError.self) { try await orchestrator.readScale() }
                #expect(scaleError.kind == .forbidden)
                #expect(scaleError.httpStatus == 403)
                #expect(scaleError.message.contains(#"403 Forbidden on GET /apis/apps/v1/namespaces/\#(ns)/deployments/web/scale"#), "\(scaleError.message)")
                #expect(
                    scaleError.message.contains(#"RBAC must allow verb "get" on resource "deployments/scale" in apiGroup "apps" in namespace "\#(ns)""#),
                    "\(scaleError.message)")
                #expect(scaleError.message.contains(RealAPIServer.limitedKubeconfig), "names the identity's kubeconfig: \(scaleError.message)")
                #expect(
                    scaleError.message.contains(#"User "scaler" cannot get resource "deployments/scale" in API group "apps" in the namespace "\#(ns)""#),
                    "quotes the server: \(scaleError.message)")

                let objectError = try await #require(throws: OrchestratorError.self) { try await orchestrator.currentScale() }
                #expect(objectError.kind == .forbidden)
                #expect(
                    objectError.message.contains(#"verb "get" on resource "deployments" in apiGroup "apps" in namespace "\#(ns)""#), "\(objectError.message)")
                let applyError = try await #require(throws: OrchestratorError.self) { try await orchestrator.apply(replicas: 4, decision: nil) }
                #expect(applyError.kind == .forbidden)
                #expect(try await admin.deployment(ns, "web").spec.replicas == 2)

                let leaseError = try await #require(throws: OrchestratorError.self) {
                    _ = try await client.leaseStore(namespace: ns, name: "forescale-leader").get()
                }
                #expect(
                    leaseError.message.contains(#"verb "get" on resource "leases" in apiGroup "coordination.k8s.io" in namespace "\#(ns)""#),
                    "\(leaseError.message)")

                // Deploy/kubernetes/rbac.yaml's roles, bound in this namespace (as its comment suggests
                // for narrowing the ClusterRoleBinding to target namespaces).
                try await bindManifestRole("forescale-scaler", in: ns)
                try await bindManifestRole("forescale-leader-election", in: ns)

                // The authorizer's cache catches up with the new binding within moments.
                let granted = try await poll(seconds: 15, { try? await orchestrator.readScale().replicas }, until: { $0 != nil })
                #expect(granted == 2)
                #expect(try await orchestrator.currentScale().desiredReplicas == 2)
                #expect(try await orchestrator.apply(replicas: 4, decision: nil) == .scaled(from: 2, to: 4))
                #expect(try await admin.deployment(ns, "web").spec.replicas == 4)

                // list + watch: the informer goes live with the same identity.
                let (_, started) = client.watchingOrchestrator(for: deployment(ns, "web"))
                let informer = try #require(started)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await informer.run { _ in } }
                    defer { group.cancelAll() }
                    try await within(20, "the informer goes live with the manifests' list and watch") {
                        await informer.waitUntil { $0.live && $0.watches >= 1 }
                    }
                    #expect(informer.workload(named: "web")?.replicas == 4)
                    #expect(informer.status.lastError == nil)
                }

                // get/create/update of the Lease: the elector acquires and renews.
                let clock = ManualClock(now: Date())
                let elector = try LeaderElector(
                    settings: LeaderElectionSettings(identity: "scaler-pod"), store: client.leaseStore(namespace: ns, name: "forescale-leader"),
                    namespace: ns, name: "forescale-leader", clock: clock)
                await elector.attempt()
                #expect(await elector.lastError == nil)
                #expect(await elector.isLeader)
                clock.advance(by: 2)
                await elector.attempt()
                #expect(await elector.lastError == nil)
                #expect(await elector.isLeader)
                #expect(try await admin.lease(ns, "forescale-leader").spec.holderIdentity == "scaler-pod")

                // No more than that: the bindings are this namespace's only.
                let elsewhere = client.orchestrator(for: deployment("default", "web"))
                let outside = try await #require(throws: OrchestratorError.self) { try await elsewhere.readScale() }
                #expect(outside.kind == .forbidden)
                #expect(outside.message.contains(#"in namespace "default""#), "\(outside.message)")
            }
        }
    }

    @Test("a token the server does not know is a 401 naming the kubeconfig", .realAPIServer)
    func unknownToken() async throws {
        try await RealAPIServer.require()
        let real = try KubernetesConnection.resolve(KubernetesSettings(kubeconfigPath: RealAPIServer.adminKubeconfig), environment: [:])
        var connection = real
        connection.credential = .token("not-a-token-the-server-knows")
        let client = try KubernetesClient(connection: connection, settings: KubernetesSettings(requestTimeoutSeconds: 10))
        let error = await #expect(throws: OrchestratorError.self) {
            try await client.orchestrator(for: deployment("default", "web")).currentScale()
        }
        try await client.shutdown()
        #expect(error?.kind == .unauthorized)
        #expect(error?.httpStatus == 401)
        #expect(error?.message.contains("401 Unauthorized on GET /apis/apps/v1/namespaces/default/deployments/web") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(RealAPIServer.adminKubeconfig) == true)
    }
}
