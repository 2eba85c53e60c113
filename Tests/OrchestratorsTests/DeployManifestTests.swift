import Foundation
@testable import Orchestrators
import Testing
import Yams

/// Deploy/kubernetes must grant exactly what the code calls, and keep the controller hardened.
@Suite("Deploy manifests")
struct DeployManifestTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let base = repository.appendingPathComponent("Deploy/kubernetes")

    static func documents() throws -> [[String: Any]] {
        let files = try FileManager.default.contentsOfDirectory(atPath: base.path).filter { $0.hasSuffix(".yaml") }.sorted()
        var all: [[String: Any]] = []
        for file in files {
            let text = try String(contentsOf: base.appendingPathComponent(file), encoding: .utf8)
            for document in try Yams.load_all(yaml: text) {
                if let object = document as? [String: Any] { all.append(object) }
            }
        }
        return all
    }

    static func kind(_ kind: String, in documents: [[String: Any]]) -> [[String: Any]] {
        documents.filter { $0["kind"] as? String == kind }
    }

    @Test func rbacGrantsExactlyWhatTheCodeCalls() throws {
        let documents = try Self.documents()
        var granted = Set<KubernetesPermission>()
        for role in Self.kind("Role", in: documents) + Self.kind("ClusterRole", in: documents) {
            for rule in role["rules"] as? [[String: Any]] ?? [] {
                #expect(rule["resourceNames"] == nil)
                for group in rule["apiGroups"] as? [String] ?? [] {
                    for resource in rule["resources"] as? [String] ?? [] {
                        for verb in rule["verbs"] as? [String] ?? [] {
                            #expect(verb != "*" && resource != "*" && group != "*")
                            granted.insert(KubernetesPermission(group: group, resource: resource, verb: verb))
                        }
                    }
                }
            }
        }
        let extra = granted.subtracting(KubernetesPermission.required).sorted()
        let missing = KubernetesPermission.required.subtracting(granted).sorted()
        #expect(extra.isEmpty, "granted but never called: \(extra)")
        #expect(missing.isEmpty, "called but not granted: \(missing)")
    }

    @Test func everyRoleIsBoundToTheServiceAccount() throws {
        let documents = try Self.documents()
        let accounts = Self.kind("ServiceAccount", in: documents).compactMap { ($0["metadata"] as? [String: Any])?["name"] as? String }
        #expect(accounts == ["forescale"])
        let roles = (Self.kind("Role", in: documents) + Self.kind("ClusterRole", in: documents)).compactMap {
            ($0["metadata"] as? [String: Any])?["name"] as? String
        }
        let bindings = Self.kind("RoleBinding", in: documents) + Self.kind("ClusterRoleBinding", in: documents)
        let bound = bindings.compactMap { ($0["roleRef"] as? [String: Any])?["name"] as? String }
        #expect(Set(bound) == Set(roles))
        for binding in bindings {
            let subjects = binding["subjects"] as? [[String: Any]] ?? []
            #expect(subjects.count == 1 && subjects.first?["name"] as? String == "forescale" && subjects.first?["kind"] as? String == "ServiceAccount")
        }
    }

    @Test func controllerDeploymentIsHardenedAndProbed() throws {
        let deployment = try #require(Self.kind("Deployment", in: try Self.documents()).first)
        let spec = try #require(deployment["spec"] as? [String: Any])
        #expect(spec["replicas"] as? Int == 2)
        let pod = try #require((spec["template"] as? [String: Any])?["spec"] as? [String: Any])
        #expect(pod["serviceAccountName"] as? String == "forescale")
        #expect((pod["securityContext"] as? [String: Any])?["runAsNonRoot"] as? Bool == true)
        let container = try #require((pod["containers"] as? [[String: Any]])?.first)
        let security = try #require(container["securityContext"] as? [String: Any])
        #expect(security["readOnlyRootFilesystem"] as? Bool == true)
        #expect(security["allowPrivilegeEscalation"] as? Bool == false)
        let liveness = (container["livenessProbe"] as? [String: Any])?["httpGet"] as? [String: Any]
        let readiness = (container["readinessProbe"] as? [String: Any])?["httpGet"] as? [String: Any]
        #expect(liveness?["path"] as? String == "/healthz")
        #expect(readiness?["path"] as? String == "/readyz")
        let ports = container["ports"] as? [[String: Any]] ?? []
        #expect(ports.contains { $0["containerPort"] as? Int == 8080 && $0["name"] as? String == "status" })
        let requests = (container["resources"] as? [String: Any])?["requests"] as? [String: Any]
        #expect(requests?["cpu"] != nil && requests?["memory"] != nil)
        let env = (container["env"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(env.contains("POD_NAME"))
        #expect(Self.kind("Service", in: try Self.documents()).count == 1)
        #expect(Self.kind("ConfigMap", in: try Self.documents()).count == 1)
        #expect(Self.kind("Namespace", in: try Self.documents()).count == 1)
    }

    @Test func exampleConfigIsYAML() throws {
        let map = try #require(Self.kind("ConfigMap", in: try Self.documents()).first)
        let text = try #require((map["data"] as? [String: Any])?["config.yaml"] as? String)
        let config = try #require(try Yams.load(yaml: text) as? [String: Any])
        let orchestrators = config["orchestrators"] as? [String: Any]
        #expect((orchestrators?["k8s"] as? [String: Any])?["type"] as? String == "kubernetes")
    }

    static var kubectl: String? {
        ["/usr/bin/kubectl", "/usr/local/bin/kubectl"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test(.enabled(if: kubectl != nil, "kubectl is not installed"))
    func kustomizeRenders() async throws {
        let output = try await ProcessRunner.run(argv: [Self.kubectl!, "kustomize", Self.base.path], timeoutSeconds: 60, graceSeconds: 2)
        #expect(output.exitStatus == 0, "\(output.standardError)")
        #expect(output.standardOutput.contains("kind: ClusterRole"))
        #expect(output.standardOutput.contains("namespace: forescale"))
    }
}
