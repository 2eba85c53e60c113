import ForescaleTestKit
import Foundation
@testable import Orchestrators
import Testing

@Suite("Kubernetes scale subresource")
struct KubernetesScaleTests {
    struct Kind: Sendable, CustomTestStringConvertible {
        var target: KubernetesTarget.Kind
        var group: String
        var resource: String
        var pathPrefix: String
        var testDescription: String { resource }
    }

    static let kinds: [Kind] = [
        Kind(target: .deployment, group: "apps", resource: "deployments", pathPrefix: "/apis/apps/v1"),
        Kind(target: .statefulSet, group: "apps", resource: "statefulsets", pathPrefix: "/apis/apps/v1"),
        Kind(target: .replicaSet, group: "apps", resource: "replicasets", pathPrefix: "/apis/apps/v1"),
        Kind(
            target: .custom(group: "workers.example.com", version: "v1beta1", resource: "consumers"), group: "workers.example.com", resource: "consumers",
            pathPrefix: "/apis/workers.example.com/v1beta1"),
    ]

    @Test(
        "reads desired and ready replicas (built-in kinds in one GET of the workload, custom ones through /scale too), then patches /scale with merge-patch",
        arguments: kinds)
    func readAndPatch(kind: Kind) async throws {
        try await withKubernetes { server, client in
            await server.addWorkload(
                group: kind.group, version: kind.pathPrefix.split(separator: "/").last.map(String.init)!, resource: kind.resource, namespace: "shop",
                name: "web", replicas: 2, readyReplicas: 1)
            let orchestrator = client.orchestrator(for: KubernetesTarget(kind: kind.target, namespace: nil, name: "web"))
            let scale = try await orchestrator.currentScale()
            #expect(scale.desiredReplicas == 2)
            #expect(scale.readyReplicas == 1)
            let reads = await server.requests().map(\.path)
            let workloadPath = "\(kind.pathPrefix)/namespaces/shop/\(kind.resource)/web"
            if case .custom = kind.target {
                #expect(reads.sorted() == [workloadPath, workloadPath + "/scale"])
            } else {
                #expect(reads == [workloadPath])
            }

            let outcome = try await orchestrator.apply(replicas: 5, decision: nil)
            #expect(outcome == .scaled(from: 2, to: 5))
            #expect(await server.workload(group: kind.group, resource: kind.resource, namespace: "shop", name: "web")?.replicas == 5)

            let requests = await server.requests()
            let patch = try #require(requests.first { $0.method == "PATCH" })
            #expect(patch.path == "\(kind.pathPrefix)/namespaces/shop/\(kind.resource)/web/scale")
            #expect(patch.header("Content-Type") == "application/merge-patch+json")
            #expect(patch.header("Authorization") == "Bearer good-token")
            #expect(patch.bodyText.contains(#""spec":{"replicas":5}"#))
            #expect(patch.bodyText.contains(#""resourceVersion""#))
            #expect(requests.contains { $0.method == "GET" && $0.path == "\(kind.pathPrefix)/namespaces/shop/\(kind.resource)/web" })
        }
    }

    @Test func applyIsIdempotent() async throws {
        try await withKubernetes { server, client in
            await server.addWorkload(namespace: "shop", name: "web", replicas: 3)
            let orchestrator = client.orchestrator(for: KubernetesTarget(kind: .deployment, namespace: "shop", name: "web"))
            let outcome = try await orchestrator.apply(replicas: 3, decision: nil)
            #expect(outcome == .unchanged(replicas: 3))
            #expect(await server.requests().allSatisfy { $0.method == "GET" })
        }
    }

    @Test func describesTarget() async throws {
        try await withKubernetes { _, client in
            let orchestrator = client.orchestrator(for: KubernetesTarget(kind: .statefulSet, namespace: nil, name: "db"))
            #expect(orchestrator.targetDescription == "kubernetes apps/v1 statefulsets shop/db")
        }
    }

    /// With the tick's own read, a change is one PATCH carrying that read's resourceVersion; when
    /// the object changed since, the 409 makes it re-read and patch again.
    @Test func applyAgainstTheTicksReadPatchesOnce() async throws {
        try await withKubernetes { server, client in
            await server.addWorkload(namespace: "shop", name: "web", replicas: 2)
            let orchestrator = client.orchestrator(for: KubernetesTarget(kind: .deployment, namespace: "shop", name: "web"))
            let observed = try await orchestrator.currentScale()
            #expect(observed.version != nil)
            let before = await server.requests().count
            #expect(try await orchestrator.apply(replicas: 5, decision: nil, observed: observed) == .scaled(from: 2, to: 5))
            let written = await server.requests().dropFirst(before)
            #expect(written.map(\.method) == ["PATCH"])
            #expect(written.first?.bodyText.contains(#""resourceVersion":"\#(observed.version ?? "")""#) == true)

            // Someone else scales to 3 after our next read: the stale version conflicts, we re-read.
            let stale = try await orchestrator.currentScale()
            #expect(try await orchestrator.apply(replicas: 3, decision: nil) == .scaled(from: 5, to: 3))
            let mark = await server.requests().count
            #expect(try await orchestrator.apply(replicas: 6, decision: nil, observed: stale) == .scaled(from: 3, to: 6))
            let retried = await server.requests().dropFirst(mark).map { "\($0.method) \($0.path.hasSuffix("/scale") ? "scale" : "object")" }
            #expect(retried == ["PATCH scale", "GET scale", "PATCH scale"])
            #expect(await server.workload(namespace: "shop", name: "web")?.replicas == 6)
        }
    }

    @Test func conflictIsRetriedAfterReRead() async throws {
        try await withKubernetes { server, client in
            await server.addWorkload(namespace: "shop", name: "web", replicas: 2)
            // Another writer bumps the resourceVersion between our GET and PATCH, twice.
            await server.inject(FakeKubernetesFault(method: "PATCH", action: .concurrentWrite, times: 2))
            let orchestrator = client.orchestrator(for: KubernetesTarget(kind: .deployment, namespace: "shop", name: "web"))
            let outcome = try await orchestrator.apply(replicas: 4, decision: nil)
            #expect(outcome == .scaled(from: 2, to: 4))
            let patches = await server.requests().filter { $0.method == "PATCH" }
            #expect(patches.count == 3)
            #expect(await server.workload(namespace: "shop", name: "web")?.replicas == 4)
        }
    }

    @Test func conflictGivesUpAfterBoundedRetries() async throws {
        let settings = KubernetesSettings(requestTimeoutSeconds: 5, conflictRetries: 2)
        try await withKubernetes(settings: settings) { server, client in
            await server.addWorkload(namespace: "shop", name: "web", replicas: 2)
            await server.inject(FakeKubernetesFault(method: "PATCH", action: .status(409), times: 10))
            let orchestrator = client.orchestrator(for: KubernetesTarget(kind: .deployment, namespace: "shop", name: "web"))
            let error = try await #require(throws: OrchestratorError.self) { try await orchestrator.apply(replicas: 4, decision: nil) }
            #expect(error.kind == .conflict)
            #expect(error.message.contains("Gave up after 3"))
            #expect(await server.requests().filter { $0.method == "PATCH" }.count == 3)
        }
    }

    @Test(arguments: [429, 503])
    func retryAfterIsHonoured(code: Int) async throws {
        let clock = ManualClock(autoAdvance: true)
        try await withKubernetes(clock: clock) { server, client in
            await server.addWorkload(namespace: "shop", name: "web", replicas: 2)
            await server.inject(FakeKubernetesFault(method: "GET", action: .status(code, retryAfter: 7), times: 2))
            let orchestrator = client.orchestrator(for: KubernetesTarget(kind: .deployment, namespace: "shop", name: "web"))
            let scale = try await orchestrator.currentScale()
            #expect(scale.desiredReplicas == 2)
            #expect(clock.sleeps == [7, 7])
        }
    }

    @Test func retryAfterIsBoundedInWaitAndAttempts() async throws {
        let clock = ManualClock(autoAdvance: true)
        let settings = KubernetesSettings(requestTimeoutSeconds: 5, throttleRetries: 2, maxRetryAfterSeconds: 5)
        try await withKubernetes(settings: settings, clock: clock) { server, client in
            await server.addWorkload(namespace: "shop", name: "web", replicas: 2)
            await server.inject(FakeKubernetesFault(action: .status(429, retryAfter: 600), times: 10))
            let orchestrator = client.orchestrator(for: KubernetesTarget(kind: .deployment, namespace: "shop", name: "web"))
            let error = try await #require(throws: OrchestratorError.self) { try await orchestrator.currentScale() }
            #expect(error.kind == .throttled)
            #expect(error.retryAfterSeconds == 600)
            #expect(clock.sleeps == [5, 5])
        }
    }

    @Test func requestTimeoutIsBounded() async throws {
        let settings = KubernetesSettings(requestTimeoutSeconds: 0.3)
        try await withKubernetes(settings: settings) { server, client in
            await server.addWorkload(namespace: "shop", name: "web", replicas: 2)
            await server.inject(FakeKubernetesFault(action: .delay(3)))
            let orchestrator = client.orchestrator(for: KubernetesTarget(kind: .deployment, namespace: "shop", name: "web"))
            let started = Date()
            let error = try await #require(throws: OrchestratorError.self) { try await orchestrator.currentScale() }
            #expect(error.kind == .timeout)
            #expect(Date().timeIntervalSince(started) < 2.5)
        }
    }

    @Test func connectionRefusedIsAConnectionError() async throws {
        let client = try KubernetesClient(
            connection: KubernetesConnection(server: "http://127.0.0.1:1"), settings: KubernetesSettings(requestTimeoutSeconds: 2))
        let orchestrator = client.orchestrator(for: KubernetesTarget(kind: .deployment, namespace: "shop", name: "web"))
        let error = await #expect(throws: OrchestratorError.self) { try await orchestrator.currentScale() }
        #expect(error?.kind == .connection)
        try await client.shutdown()
    }

    @Test func customTargetParsesAPIVersion() throws {
        let target = try KubernetesTarget.custom(apiVersion: "workers.example.com/v1", resource: "consumers", namespace: nil, name: "c")
        #expect(target.kind == .custom(group: "workers.example.com", version: "v1", resource: "consumers"))
        #expect(throws: OrchestratorError.self) { try KubernetesTarget.custom(apiVersion: "a/b/c", resource: "x", namespace: nil, name: "c") }
        #expect(throws: OrchestratorError.self) { try KubernetesTarget.custom(apiVersion: "g/v1", resource: "", namespace: nil, name: "c") }
    }
}
