@testable import Controller
import ForescaleConfig
import Foundation
import JSON
import Orchestrators
import Testing

/// Which `ScalingTarget` objects run, against the runtime (fake Kubernetes API, in-memory store).
@Suite("ScalingTarget objects → targets")
struct ScalingTargetSyncTests {
    static let cluster = "  scalingTargets: { orchestrator: k8s }\n"

    static func spec(max: Int = 20, source: String = "app") throws -> JSONValue {
        let text = #"""
            {"scale":{"kind":"Deployment","name":"web"},"replicas":{"min":1,"max":\#(max)},"startup":"0s",
             "metrics":{"lag":{"source":"\#(source)","pointer":"/lag"},"arrivalRate":{"source":"\#(source)","pointer":"/rate"}},
             "capacity":{"perReplica":50}}
            """#
        return try JSONValue.parse(Array(text.utf8), rejectingDuplicateKeys: true)
    }

    static func object(_ namespace: String, _ name: String, uid: String, generation: Int = 1, created: String, spec: JSONValue)
        -> (String, ScalingTargetObject)
    {
        ("\(namespace)/\(name)", ScalingTargetObject(
            metadata: KubernetesObjectMeta(name: name, namespace: namespace, uid: uid, generation: generation, creationTimestamp: created),
            spec: spec))
    }

    static func sync(_ h: RuntimeTests.Harness) -> ScalingTargetSync {
        ScalingTargetSync(runtime: h.runtime, logger: .init(label: "test"), instance: "test")
    }

    @Test("a name stays with the object that runs it: a later object of the same name is refused, now and at every later event")
    func nameStaysWithItsOwner() async throws {
        try await RuntimeTests.withHarness(kubernetes: true, controllerExtra: Self.cluster) { h in
            let sync = Self.sync(h)
            let running = Self.object("zeta", "orders", uid: "z", created: "2026-12-06T10:00:00Z", spec: try Self.spec())
            await sync.apply(Dictionary(uniqueKeysWithValues: [running]))
            #expect(await h.runtime.targetNames == ["web", "orders"])
            // An older object in an earlier namespace arrives: it does not take the name.
            let newcomer = Self.object("alpha", "orders", uid: "a", created: "2026-01-01T00:00:00Z", spec: try Self.spec())
            for _ in 0..<3 {  // the watch reports the controller's own status writes too
                await sync.apply(Dictionary(uniqueKeysWithValues: [running, newcomer]))
                let states = await sync.states
                #expect(states["zeta/orders"] == .running, "\(states)")
                guard case .refused(let reason, let message)? = states["alpha/orders"] else {
                    Issue.record("alpha/orders is \(String(describing: states["alpha/orders"]))")
                    return
                }
                #expect(reason == "NameConflict" && message.contains("zeta/orders"))
            }
            let summary = try #require(await h.runtime.targetState("orders")?.summary)
            #expect(summary.workload.contains("zeta"), "\(summary.workload)")
        }
    }

    @Test("an invalid edit keeps the last valid spec running and says so; a file target's name is refused")
    func invalidEditKeepsRunning() async throws {
        try await RuntimeTests.withHarness(kubernetes: true, controllerExtra: Self.cluster) { h in
            let sync = Self.sync(h)
            await sync.apply(
                Dictionary(uniqueKeysWithValues: [Self.object("shop", "orders", uid: "u", created: "2026-12-06T10:00:00Z", spec: try Self.spec())]))
            #expect(await h.runtime.targetNames.contains("orders"))
            await sync.apply(Dictionary(uniqueKeysWithValues: [
                Self.object("shop", "orders", uid: "u", generation: 2, created: "2026-12-06T10:00:00Z", spec: try Self.spec(max: 0)),
                Self.object("shop", "web", uid: "w", created: "2026-12-06T10:00:00Z", spec: try Self.spec()),
            ]))
            let states = await sync.states
            guard case .invalid(let problems)? = states["shop/orders"] else {
                Issue.record("shop/orders is \(String(describing: states["shop/orders"]))")
                return
            }
            #expect(problems.contains { $0.hasPrefix("spec.replicas.max: must be 1–10000, got 0") })
            #expect(problems.last == "the last valid spec (generation 1) keeps running")
            #expect(await h.runtime.targetNames == ["web", "orders"], "still running, with max 20")
            #expect(await h.runtime.config.targets.last?.policy.maxReplicas == 20)
            guard case .refused("NameConflict", let message)? = states["shop/web"] else {
                Issue.record("shop/web is \(String(describing: states["shop/web"]))")
                return
            }
            #expect(message.contains("config file already has a target named 'web'"))
        }
    }

    @Test("after a reload of the file every object is checked again: one whose source is gone says so")
    func reloadChecksAgain() async throws {
        try await RuntimeTests.withHarness(kubernetes: true, controllerExtra: Self.cluster) { h in
            let sync = Self.sync(h)
            let object = Self.object("shop", "orders", uid: "u", created: "2026-12-06T10:00:00Z", spec: try Self.spec(source: "other"))
            await sync.apply(Dictionary(uniqueKeysWithValues: [object]))
            guard case .invalid? = await sync.states["shop/orders"] else {
                Issue.record("a spec naming an unknown source ran")
                return
            }
            // The file now defines `other` as well.
            let text = h.configText("").replacingOccurrences(
                of: "  app: { type: json", with: "  other: { type: json, url: http://127.0.0.1:1 }\n  app: { type: json")
            try text.write(toFile: h.configPath, atomically: true, encoding: .utf8)
            #expect(await h.runtime.reload(ConfigLoader.loadResult(path: h.configPath)))
            await sync.reapply()
            #expect(await sync.states["shop/orders"] == .running)
            #expect(await h.runtime.targetNames == ["web", "orders"])
        }
    }
}
