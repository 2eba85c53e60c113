import ForescaleConfig
import Foundation
import JSON
import Pipeline
import Testing
import Yams

/// A `ScalingTarget`'s spec is a target of the config file, checked by the same validator with key
/// paths from `spec`.
@Suite("ScalingTarget specs")
struct ScalingTargetSpecTests {
    /// The Deploy/kubernetes ConfigMap's config: it sets `controller.scalingTargets` and the source `prom`.
    static func deployConfig() throws -> Config {
        let manifest = try String(contentsOf: URL(fileURLWithPath: "Deploy/kubernetes/configmap.yaml", relativeTo: repositoryRoot), encoding: .utf8)
        let lines = manifest.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex { $0.hasSuffix("config.yaml: |") })
        let body = lines[(start + 1)...].map { $0.hasPrefix("    ") ? String($0.dropFirst(4)) : $0 }.joined(separator: "\n")
        return try ConfigLoader.parse(yaml: body, file: "configmap.yaml").get()
    }

    /// YAML text as the JSON value the API server would hand over.
    static func json(_ yaml: String) throws -> JSONValue {
        let object = try #require(try Yams.load(yaml: yaml))
        let data = try JSONSerialization.data(withJSONObject: object)
        return try JSONValue.parse(Array(data), rejectingDuplicateKeys: true)
    }

    static let valid = """
        scale: { kind: Deployment, name: orders }
        replicas: { min: 1, max: 20 }
        metrics:
          lag: { source: prom, query: sum(lag) }
          arrivalRate: { source: prom, query: sum(rate) }
        capacity: { perReplica: 200 }
        utilization: 80%
        startup: 90s
        mode: live
        """

    func problems(_ yaml: String, name: String = "orders") throws -> [String] {
        switch ScalingTargetSpec.target(name: name, namespace: "shop", spec: try Self.json(yaml), config: try Self.deployConfig()) {
        case .success: return []
        case .failure(let errors): return errors.problems.map(\.description)
        }
    }

    @Test("Examples/kubernetes/scalingtarget.yaml validates against the Deploy ConfigMap's config")
    func exampleValidates() throws {
        let text = try String(contentsOf: URL(fileURLWithPath: "Examples/kubernetes/scalingtarget.yaml", relativeTo: repositoryRoot), encoding: .utf8)
        let object = try #require(try Yams.load(yaml: text) as? [String: Any])
        #expect(object["kind"] as? String == "ScalingTarget")
        #expect(object["apiVersion"] as? String == "forescale.io/v1alpha1")
        let spec = try JSONValue.parse(Array(try JSONSerialization.data(withJSONObject: try #require(object["spec"]))), rejectingDuplicateKeys: true)
        let target = try ScalingTargetSpec.target(name: "payments-consumer", namespace: "shop", spec: spec, config: try Self.deployConfig()).get()
        #expect(target.name == "payments-consumer")
        #expect(
            target.scale
                == ScaleConfig(
                    orchestrator: "k8s", workload: .kubernetes(kind: .deployment, namespace: "shop", name: "payments-consumer", apiVersion: nil, resource: nil))
        )
        #expect(target.policy.startupSeconds == 90)
        #expect(target.mode == .shadow)
    }

    @Test("a valid spec becomes the target the file would declare, in the object's namespace through the configured orchestrator")
    func validSpec() throws {
        let config = try Self.deployConfig()
        let target = try ScalingTargetSpec.target(name: "orders", namespace: "shop", spec: try Self.json(Self.valid), config: config).get()
        let file = """
            controller: { scalingTargets: { orchestrator: k8s } }
            sources: { prom: { type: prometheus, url: "http://prometheus.monitoring.svc:9090", timeout: 5s } }
            orchestrators: { k8s: { type: kubernetes } }
            targets:
              - name: orders
                scale: { orchestrator: k8s, kind: Deployment, namespace: shop, name: orders }
                replicas: { min: 1, max: 20 }
                metrics:
                  lag: { source: prom, query: sum(lag) }
                  arrivalRate: { source: prom, query: sum(rate) }
                capacity: { perReplica: 200 }
                utilization: 80%
                startup: 90s
                mode: live
            """
        let declared = try ConfigLoader.parse(yaml: file, file: "f.yaml").get().targets.first
        #expect(target == declared)
    }

    @Test("every mistake is reported with its key path from spec", arguments: [
        ("replicas: { max: 0 }", "spec.replicas.max: must be 1–10000, got 0"),
        ("replicas: { min: 5, max: 2 }", "spec.replicas.max: must be ≥ min (5), got 2"),
        ("metrics: { lag: { source: nope, query: q }, arrivalRate: { source: prom, query: r } }", "spec.metrics.lag.source: unknown source 'nope'"),
        ("startup: 90", "spec.startup: missing unit"),
        ("utilization: 1.5", "spec.utilization: must be > 0 and ≤ 1"),
        ("bogus: 1", "spec.bogus: unknown key"),
        ("scale: { kind: Deployment, name: orders, namespace: other }", "spec.scale.namespace: not allowed: set by the controller"),
        ("scale: { kind: Deployment, name: orders, orchestrator: k8s }", "spec.scale.orchestrator: not allowed: set by the controller"),
        ("name: other", "spec.name: not allowed"),
    ])
    func mistakes(change: String, expected: String) throws {
        // The valid spec with one key replaced (or added).
        let key = String(change.prefix { $0 != ":" })
        var lines = Self.valid.components(separatedBy: "\n").filter { !$0.hasPrefix(key + ":") }
        if key == "metrics" { lines.removeAll { $0.hasPrefix("  lag:") || $0.hasPrefix("  arrivalRate:") } }
        lines.append(change)
        let found = try problems(lines.joined(separator: "\n"))
        #expect(found.count == 1 && found[0].hasPrefix(expected), "\(found)")
    }

    @Test("the object's name must be a DNS label, as a file target's")
    func objectName() throws {
        let found = try problems(Self.valid, name: "orders.v2")
        #expect(found.count == 1 && found[0].hasPrefix("metadata.name: a target's name must be a DNS label"), "\(found)")
    }

    @Test("controller.scalingTargets must name a kubernetes orchestrator; with it the file may declare no target")
    func controllerKey() throws {
        let base = """
            sources: { prom: { type: prometheus, url: "http://p:9090" } }
            orchestrators:
              k8s: { type: kubernetes }
              sh: { type: command }
            """
        let ok = try ConfigLoader.parse(yaml: "controller: { scalingTargets: { orchestrator: k8s, namespace: shop } }\n" + base, file: "x.yaml").get()
        #expect(ok.targets.isEmpty)
        #expect(ok.controller.scalingTargets == ScalingTargetsConfig(orchestrator: "k8s", namespace: "shop"))
        guard case .failure(let wrong) = ConfigLoader.parse(yaml: "controller: { scalingTargets: { orchestrator: sh } }\n" + base, file: "x.yaml") else {
            Issue.record("a command orchestrator was accepted for ScalingTarget objects")
            return
        }
        #expect(
            wrong.problems.map(\.description).contains { $0.contains("controller.scalingTargets.orchestrator: 'sh' is a command orchestrator") }, "\(wrong)")
        guard case .failure(let none) = ConfigLoader.parse(yaml: base, file: "x.yaml") else {
            Issue.record("a config without targets nor scalingTargets was accepted")
            return
        }
        #expect(none.problems.map(\.description).contains { $0.contains("targets: required key is missing") }, "\(none)")
    }
}

/// The CRD's schema names every key a file target has (so `kubectl explain` shows them all).
@Suite("ScalingTarget CRD")
struct ScalingTargetCRDTests {
    @Test("spec's properties are a file target's keys without name; scale's are the kubernetes ones the controller does not set")
    func schemaMatchesTheValidator() throws {
        let text = try String(contentsOf: URL(fileURLWithPath: "Deploy/kubernetes/crd-scalingtarget.yaml", relativeTo: repositoryRoot), encoding: .utf8)
        let crd = try #require(try Yams.load(yaml: text) as? [String: Any])
        let versions = try #require((crd["spec"] as? [String: Any])?["versions"] as? [[String: Any]])
        let root = try #require(((versions.first?["schema"] as? [String: Any])?["openAPIV3Schema"] as? [String: Any])?["properties"] as? [String: Any])
        let spec = try #require(root["spec"] as? [String: Any])
        let properties = try #require(spec["properties"] as? [String: Any])
        #expect(Set(properties.keys) == Set(ConfigSchema.target).subtracting(["name"]))
        let scale = try #require((properties["scale"] as? [String: Any])?["properties"] as? [String: Any])
        #expect(Set(scale.keys) == Set(ConfigSchema.scaleByType[.kubernetes] ?? []).subtracting(["namespace"]))
        for (key, list) in [("replicas", ConfigSchema.replicas), ("capacity", ConfigSchema.capacity), ("forecast", ConfigSchema.forecast),
                            ("reactive", ConfigSchema.reactive), ("fallback", ConfigSchema.fallback), ("scaleToZero", ConfigSchema.scaleToZero),
                            ("slo", ConfigSchema.slo), ("behavior", ConfigSchema.behavior), ("burst", ConfigSchema.burst)] {
            let nested = try #require((properties[key] as? [String: Any])?["properties"] as? [String: Any], "\(key)")
            #expect(Set(nested.keys) == Set(list), "spec.\(key)")
        }
    }
}
