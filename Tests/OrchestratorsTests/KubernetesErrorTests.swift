import ForescaleTestKit
import Foundation
@testable import Orchestrators
import Testing

@Suite("Kubernetes errors name what to fix")
struct KubernetesErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var code: Int
        var kind: OrchestratorError.Kind
        var mentions: [String]
        var testDescription: String { "\(code)" }
    }

    static let injected: [Case] = [
        Case(code: 401, kind: .unauthorized, mentions: ["401", "credentials", "fake API server"]),
        Case(code: 403, kind: .forbidden, mentions: ["verb \"get\"", "resource \"deployments\"", "apiGroup \"apps\"", "namespace \"shop\""]),
        Case(code: 404, kind: .notFound, mentions: ["deployments \"web\"", "namespace \"shop\""]),
        Case(code: 409, kind: .conflict, mentions: ["409"]),
        Case(code: 429, kind: .throttled, mentions: ["429"]),
        Case(code: 500, kind: .serverError, mentions: ["HTTP 500"]),
        Case(code: 503, kind: .unavailable, mentions: ["503"]),
    ]

    @Test("status code maps to a bounded kind and a useful message", arguments: injected)
    func statusCodes(testCase: Case) async throws {
        let settings = KubernetesSettings(requestTimeoutSeconds: 5, throttleRetries: 0)
        try await withKubernetes(settings: settings) { server, client in
            await server.addWorkload(namespace: "shop", name: "web", replicas: 2)
            await server.inject(FakeKubernetesFault(method: "GET", action: .status(testCase.code, retryAfter: testCase.code == 429 ? 3 : nil), times: 5))
            let orchestrator = client.orchestrator(for: KubernetesTarget(kind: .deployment, namespace: "shop", name: "web"))
            let error = try await #require(throws: OrchestratorError.self) { try await orchestrator.currentScale() }
            #expect(error.kind == testCase.kind)
            #expect(error.httpStatus == testCase.code)
            #expect(error.message.contains("injected fault"))  // the server's Status message is kept
            for text in testCase.mentions {
                #expect(error.message.contains(text), "\(error.message) should mention \(text)")
            }
            if testCase.code == 429 { #expect(error.retryAfterSeconds == 3) }
        }
    }

    @Test func forbiddenPatchNamesTheScaleSubresource() async throws {
        try await withKubernetes { server, client in
            await server.addWorkload(resource: "statefulsets", namespace: "shop", name: "db", replicas: 1)
            await server.setAllowed(["get statefulsets/scale", "get statefulsets"])
            let orchestrator = client.orchestrator(for: KubernetesTarget(kind: .statefulSet, namespace: "shop", name: "db"))
            _ = try await orchestrator.currentScale()
            let error = try await #require(throws: OrchestratorError.self) { try await orchestrator.apply(replicas: 2, decision: nil) }
            #expect(error.kind == .forbidden)
            #expect(error.message.contains("verb \"patch\" on resource \"statefulsets/scale\" in apiGroup \"apps\" in namespace \"shop\""))
            #expect(error.message.contains("cannot patch resource"))
            #expect(error.label == "forbidden")
        }
    }

    @Test func missingWorkloadIsNamed() async throws {
        try await withKubernetes { _, client in
            let orchestrator = client.orchestrator(for: KubernetesTarget(kind: .deployment, namespace: "shop", name: "ghost"))
            let error = try await #require(throws: OrchestratorError.self) { try await orchestrator.currentScale() }
            #expect(error.kind == .notFound)
            #expect(error.message.contains("deployments \"ghost\" does not exist in namespace \"shop\""))
        }
    }

    @Test func wrongTokenIsUnauthorized() async throws {
        try await withKubernetes(token: "stale") { server, client in
            await server.addWorkload(namespace: "shop", name: "web", replicas: 2)
            let orchestrator = client.orchestrator(for: KubernetesTarget(kind: .deployment, namespace: "shop", name: "web"))
            let error = try await #require(throws: OrchestratorError.self) { try await orchestrator.currentScale() }
            #expect(error.kind == .unauthorized)
        }
    }

    @Test func errorKindsAreBoundedLabels() {
        let labels = OrchestratorError.Kind.allCases.map(\.rawValue)
        #expect(Set(labels).count == labels.count)
        #expect(labels.allSatisfy { $0.allSatisfy { $0.isLowercase || $0 == "_" } })
    }
}
