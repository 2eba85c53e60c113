@testable import Controller
import ForescaleConfig
import ForescaleTestKit
import Foundation
import Logging
import MetricSources
@testable import Orchestrators
import Synchronization
import Testing
import Yams

/// `ScalingTarget` objects end to end against the real kube-apiserver: the CRD from `Deploy/`, the
/// controller as the limited user bound only to `Deploy/`'s rules, watched objects run as targets,
/// status, printer columns, Events, live/shadow through `spec.mode`, and deletion.
@Suite("ScalingTarget objects (real kube-apiserver)")
struct ScalingTargetRealServerTests {
    let admin = AdminAPI()
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let crdName = "scalingtargets.forescale.io"

    /// Installs (server-side apply) `Deploy/kubernetes/crd-scalingtarget.yaml` once per test run and
    /// waits until objects of it can be listed.
    static let crd = Task<String?, Never> {
        let admin = AdminAPI()
        do {
            let yaml = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("Deploy/kubernetes/crd-scalingtarget.yaml"), encoding: .utf8)
            try await admin.must(
                "PATCH", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/\(crdName)?fieldManager=forescale-tests&force=true",
                json: yaml, contentType: "application/apply-patch+yaml")
            let served = try await poll(seconds: 30, {
                (try? await admin.request("GET", "/apis/forescale.io/v1alpha1/scalingtargets?limit=1").status) ?? 0
            }, until: { $0 == 200 })
            return served == 200 ? nil : "the CRD is not served (GET answered \(served))"
        } catch {
            return "\(error)"
        }
    }

    /// A fresh namespace whose ScalingTarget objects are deleted afterwards (the namespace itself
    /// stays `Terminating` without a controller-manager, and its objects would otherwise be seen by
    /// any controller watching every namespace of this server).
    func withObjects(_ body: (String) async throws -> Void) async throws {
        try await withNamespace { ns in
            do {
                try await body(ns)
            } catch {
                _ = try? await admin.request("DELETE", Self.path(ns))
                throw error
            }
            _ = try? await admin.request("DELETE", Self.path(ns))
        }
    }

    static func installCRD() async throws {
        try await RealAPIServer.require()
        if let problem = await crd.value { throw AdminAPI.Failure(description: "installing the ScalingTarget CRD: \(problem)") }
    }

    /// The rules of `Deploy/kubernetes/rbac.yaml`'s ClusterRole `forescale-scaler`.
    static func deployRules() throws -> [[String: Any]] {
        let text = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("Deploy/kubernetes/rbac.yaml"), encoding: .utf8)
        for document in try Yams.load_all(yaml: text) {
            guard let object = document as? [String: Any], object["kind"] as? String == "ClusterRole" else { continue }
            return object["rules"] as? [[String: Any]] ?? []
        }
        throw AdminAPI.Failure(description: "no ClusterRole in Deploy/kubernetes/rbac.yaml")
    }

    static func path(_ namespace: String, _ name: String? = nil) -> String {
        "/apis/forescale.io/v1alpha1/namespaces/\(namespace)/scalingtargets" + (name.map { "/\($0)" } ?? "")
    }

    static func object(_ name: String, spec: String) -> String {
        #"{"apiVersion":"forescale.io/v1alpha1","kind":"ScalingTarget","metadata":{"name":"\#(name)"},"spec":\#(spec)}"#
    }

    static let ordersSpec = #"""
        {"mode":"shadow","scale":{"kind":"Deployment","name":"orders"},"replicas":{"min":1,"max":30},
         "metrics":{"lag":{"source":"app","pointer":"/lag"},"arrivalRate":{"source":"app","pointer":"/rate"}},
         "capacity":{"perReplica":50},"startup":"0s",
         "behavior":{"scaleUp":{"policies":[{"type":"Pods","value":100,"period":"15s"}]}}}
        """#

    struct Status: Decodable {
        struct Condition: Decodable {
            var type: String
            var status: String
            var reason: String
            var message: String
        }
        struct Last: Decodable {
            var currentReplicas: Int
            var finalReplicas: Int
            var reasons: [String]
            var explanation: String
        }
        var observedGeneration: Int?
        var target: String?
        var mode: String?
        var currentReplicas: Int?
        var desiredReplicas: Int?
        var lastReason: String?
        var conditions: [Condition]?
        var lastDecision: Last?

        func condition(_ type: String) -> Condition? { conditions?.first { $0.type == type } }
    }

    struct Object: Decodable {
        var status: Status?
    }

    struct Event: Decodable {
        struct Involved: Decodable {
            var kind: String?
            var name: String?
            var uid: String?
        }
        var reason: String
        var message: String
        var type: String
        var count: Int?
        var involvedObject: Involved
    }

    struct Events: Decodable { var items: [Event] }

    func readStatus(_ namespace: String, _ name: String) async throws -> Status? {
        try await admin.decode(Object.self, "GET", Self.path(namespace, name)).status
    }

    func readEvents(_ namespace: String) async throws -> [Event] {
        try await admin.decode(Events.self, "GET", "/api/v1/namespaces/\(namespace)/events").items
    }

    /// Waits (20 s at most) until `condition` holds after the controller took in the objects.
    func whenApplied(_ service: ScalingTargetService, _ what: String, _ condition: @escaping @Sendable () async -> Bool) async throws {
        let applies = service.state.applies
        try await within(20, what) {
            if await condition() { return }
            for await _ in applies { if await condition() { return } }
        }
    }

    @Test("the CRD's schema rejects a negative or zero count and an unknown mode at the API server", .realAPIServer)
    func schemaRejectsObviousMistakes() async throws {
        try await Self.installCRD()
        try await withObjects { ns in
            let bad = try await admin.request(
                "POST", Self.path(ns), json: Self.object("bad", spec: #"{"scale":{"name":"x"},"replicas":{"min":-1,"max":0},"metrics":{},"mode":"sometimes"}"#))
            #expect(bad.status == 422, "\(bad.text)")
            #expect(bad.text.contains("spec.replicas.max"), "\(bad.text)")
            #expect(bad.text.contains("spec.replicas.min"), "\(bad.text)")
            #expect(bad.text.contains("spec.mode"), "\(bad.text)")
            let missing = try await admin.request("POST", Self.path(ns), json: Self.object("bad", spec: #"{"scale":{"name":"x"}}"#))
            #expect(missing.status == 422 && missing.text.contains("spec.replicas"), "\(missing.text)")
        }
    }

    @Test(
        "objects run as targets with only Deploy/'s RBAC: status, printer columns and Events; spec.mode switches live and back; an invalid object says why; deletion stops the target",
        .realAPIServer)
    func endToEnd() async throws {
        try await Self.installCRD()
        try await withObjects { ns in
            _ = try await admin.createDeployment(ns, "orders", replicas: 1)
            try await admin.bindRole("forescale-scaler", rules: try Self.deployRules(), in: ns)
            try await admin.must("POST", Self.path(ns), json: Self.object("orders", spec: Self.ordersSpec))
            let broken = Self.ordersSpec.replacingOccurrences(of: #"{"source":"app","pointer":"/lag"}"#, with: #"{"source":"nope","pointer":"/lag"}"#)
            try await admin.must("POST", Self.path(ns), json: Self.object("broken", spec: broken))

            let rate = HardeningRealServerTests.Rate()
            try await InProcessHTTPServer.withRunning(handler: { _ in .json(200, #"{"lag": 0, "rate": \#(rate.value.withLock { $0 })}"#) }) { url in
                let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fs-st-\(UUID().uuidString)").path
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(atPath: dir) }
                let yaml = """
                    controller:
                      interval: 15s
                      backfill: 0s
                      decisionLog: { path: \(dir)/decisions.sqlite }
                      scalingTargets: { orchestrator: k8s, namespace: \(ns) }
                    sources:
                      app: { type: json, url: \(url) }
                    orchestrators:
                      k8s: { type: kubernetes, kubeconfig: \(RealAPIServer.limitedKubeconfig) }
                    """
                let config = try ConfigLoader.parse(yaml: yaml, file: "st.yaml").get()
                var logger = Logger(label: "test")
                logger.logLevel = .critical
                let clock = ManualClock()
                let app = try await ControllerApp.start(
                    config: config, configPath: "\(dir)/st.yaml", clock: clock, logger: logger, sourceContext: SourceContext(clock: clock))
                let service = try #require(await app.scalingTargetService())
                let runtime = app.runtime
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await service.watch() }
                    group.addTask {
                        await withTaskGroup(of: Void.self) { work in
                            for await item in app.factory.backgroundWork { work.addTask { await item.run { _ in } } }
                            work.cancelAll()
                        }
                    }
                    defer { group.cancelAll() }
                    do {
                        try await scenario(ns: ns, app: app, service: service, runtime: runtime, clock: clock, rate: rate)
                    } catch {
                        Issue.record(error)
                    }
                    group.cancelAll()
                }
                await runtime.shutdown()
                try? app.log.close()
            }
        }
    }

    func scenario(
        ns: String, app: ControllerApp, service: ScalingTargetService, runtime: ControllerRuntime, clock: ManualClock, rate: HardeningRealServerTests.Rate
    ) async throws {
        try await whenApplied(service, "the watched objects become targets") { await runtime.targetNames == ["orders"] }
        let states = await service.state.states
        guard case .invalid(let problems)? = states["broken"] else {
            Issue.record("broken is \(String(describing: states["broken"]))")
            return
        }
        #expect(problems.contains { $0.hasPrefix("spec.metrics.lag.source: unknown source 'nope'") }, "\(problems)")

        // Shadow: a decision, written to the status; nothing scaled.
        clock.advance(by: 15)
        let shadow = try #require(await runtime.tick(target: "orders")?.record)
        #expect(shadow.mode == .shadow && !shadow.applied)
        let planned = shadow.finalReplicas
        #expect(planned > 1, "400/s at 50/s per replica")
        await service.flush()
        let status = try #require(try await readStatus(ns, "orders"))
        #expect(status.observedGeneration == 1)
        #expect(status.target == "orders")
        #expect(status.mode == "shadow")
        #expect(status.currentReplicas == 1 && status.desiredReplicas == planned)
        #expect(status.condition("Ready")?.status == "True")
        #expect(status.condition("Active")?.reason == "Shadow")
        #expect(status.condition("Fallback")?.status == "False")
        #expect(status.lastDecision?.finalReplicas == planned)
        #expect(status.lastDecision?.explanation.isEmpty == false)
        #expect(status.lastReason != nil)
        #expect(try await admin.deployment(ns, "orders").spec.replicas == 1)

        // What `kubectl get scalingtargets` prints: the printer columns.
        let table = try await admin.request("GET", Self.path(ns), accept: "application/json;as=Table;v=v1;g=meta.k8s.io")
        let parsed = try #require(try JSONSerialization.jsonObject(with: table.body) as? [String: Any])
        let columns = (parsed["columnDefinitions"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(columns == ["Name", "Mode", "Current", "Desired", "Reactive", "Forecast", "Reason", "Ready", "Age"], "\(columns)")
        let rows = (parsed["rows"] as? [[String: Any]] ?? []).compactMap { $0["cells"] as? [Any] }
        let orders = try #require(rows.first { $0.first as? String == "orders" })
        #expect(orders[1] as? String == "shadow")
        #expect(orders[2] as? Int == 1 && orders[3] as? Int == planned, "\(orders)")
        #expect(orders[7] as? String == "True")
        let brokenRow = try #require(rows.first { $0.first as? String == "broken" })
        #expect(brokenRow[7] as? String == "False")

        // The invalid object: Ready=False with the key path, and an Event.
        let brokenStatus = try #require(try await readStatus(ns, "broken"))
        #expect(brokenStatus.condition("Ready")?.reason == "InvalidSpec")
        #expect(brokenStatus.condition("Ready")?.message.contains("spec.metrics.lag.source: unknown source 'nope'") == true)
        var events = try await readEvents(ns)
        #expect(
            events.contains { $0.reason == "WouldScale" && $0.involvedObject.name == "orders" && $0.message.contains("from 1 to \(planned)") },
            "\(events.map(\.reason))")
        #expect(events.contains { $0.reason == "InvalidSpec" && $0.involvedObject.name == "broken" && $0.type == "Warning" })

        // spec.mode: live scales through the scale subresource, with Events on the object and the Deployment.
        let collection = KubernetesCollection(group: "apps", version: "v1", resource: "deployments", namespace: ns)
        let client = try await app.factory.kubernetesClient(
            named: "k8s", settings: KubernetesSettings(kubeconfigPath: RealAPIServer.limitedKubeconfig))
        try await within(20, "the Deployments watch is live") { await client.informer(for: collection).informer.waitUntil { $0.live } }
        try await admin.must("PATCH", Self.path(ns, "orders"), json: #"{"spec":{"mode":"live"}}"#, contentType: "application/merge-patch+json")
        try await whenApplied(service, "spec.mode live takes effect") { await runtime.targetState("orders")?.summary.mode == .live }
        clock.advance(by: 15)
        let live = try #require(await runtime.tick(target: "orders")?.record)
        #expect(live.applied, "\(live.orchestratorAnswer)")
        #expect(try await admin.deployment(ns, "orders").spec.replicas == planned)
        await service.flush()
        events = try await readEvents(ns)
        #expect(events.contains { $0.reason == "Scaled" && $0.involvedObject.kind == "ScalingTarget" && $0.message.contains("from 1 to \(planned)") })
        #expect(
            events.contains {
                $0.reason == "Scaled" && $0.involvedObject.kind == "Deployment" && $0.involvedObject.name == "orders" && $0.involvedObject.uid != nil
            })
        let liveStatus = try #require(try await readStatus(ns, "orders"))
        #expect(liveStatus.observedGeneration == 2 && liveStatus.mode == "live")
        #expect(liveStatus.condition("Active")?.status == "True")

        // Back to shadow: no more writes, whatever the plan says.
        try await admin.must("PATCH", Self.path(ns, "orders"), json: #"{"spec":{"mode":"shadow"}}"#, contentType: "application/merge-patch+json")
        try await whenApplied(service, "spec.mode shadow takes effect") { await runtime.targetState("orders")?.summary.mode == .shadow }
        rate.value.withLock { $0 = 800 }
        clock.advance(by: 15)
        let back = try #require(await runtime.tick(target: "orders")?.record)
        #expect(back.mode == .shadow && !back.applied && back.finalReplicas > planned)
        #expect(try await admin.deployment(ns, "orders").spec.replicas == planned)

        // Deleting the object stops its target: no tick, no write.
        try await admin.must("DELETE", Self.path(ns, "orders"))
        try await whenApplied(service, "the deleted object's target stops") { await runtime.targetNames.isEmpty }
        #expect(await runtime.tick(target: "orders") == nil)
        #expect(try await admin.deployment(ns, "orders").spec.replicas == planned)
    }

    @Test("without one permission of Deploy/'s rules the error names the verb, resource, group and namespace", .realAPIServer)
    func missingPermissionIsNamed() async throws {
        try await Self.installCRD()
        try await withObjects { ns in
            let rules = try Self.deployRules().filter { ($0["resources"] as? [String]) != ["scalingtargets/status"] }
            try await admin.bindRole("forescale-scaler-but-status", rules: rules, in: ns)
            try await admin.must("POST", Self.path(ns), json: Self.object("orders", spec: Self.ordersSpec))
            let error = try await withClient(RealAPIServer.limitedKubeconfig) { client -> OrchestratorError? in
                do {
                    try await client.patchScalingTargetStatus(namespace: ns, name: "orders", status: Array(#"{"mode":"shadow"}"#.utf8))
                    return nil
                } catch let error as OrchestratorError {
                    return error
                }
            }
            let message = try #require(error?.message)
            #expect(message.contains(#"verb "patch" on resource "scalingtargets/status" in apiGroup "forescale.io" in namespace "\#(ns)""#), "\(message)")
        }
    }
}
