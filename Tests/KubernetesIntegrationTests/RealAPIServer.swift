import Foundation
@testable import Orchestrators
import Testing

/// The real kube-apiserver (v1.24, with etcd) of `scripts/k8s/start.sh`, and the rule for a
/// missing one: skipped with a note on a developer machine, a failure when CI=true.
enum RealAPIServer {
    /// Where `scripts/k8s/start.sh` keeps its state: `$FORESCALE_KUBE_DIR`, else `/tmp/forescale-kube`.
    static let directory: String = {
        let value = ProcessInfo.processInfo.environment["FORESCALE_KUBE_DIR"] ?? ""
        return value.isEmpty ? "/tmp/forescale-kube" : value
    }()

    static var adminKubeconfig: String { directory + "/kubeconfig" }
    /// User `scaler`, group `test-clients`: no rights until a test binds a Role to it.
    static var limitedKubeconfig: String { directory + "/kubeconfig-limited" }
    static var certificateAuthority: String { directory + "/pki/ca.crt" }
    static var adminToken: String? {
        (try? String(contentsOfFile: directory + "/admin.token", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The `server:` of the admin kubeconfig (`https://127.0.0.1:16443` by default).
    static var server: String {
        let text = (try? String(contentsOfFile: adminKubeconfig, encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("server:") {
                return trimmed.dropFirst("server:".count).trimmingCharacters(in: .whitespaces)
            }
        }
        return "https://127.0.0.1:16443"
    }

    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Whether the kubeconfig is there and `GET /readyz` answers 200 to the admin token; checked once.
    static var available: Bool {
        get async { await availability.value }
    }

    private static let availability = Task<Bool, Never> {
        guard FileManager.default.fileExists(atPath: adminKubeconfig), adminToken != nil else { return false }
        guard let answer = try? await AdminAPI().request("GET", "/readyz", timeoutSeconds: 5) else { return false }
        return answer.status == 200
    }

    /// The trait condition: run when available, and always under CI (where `require` then fails).
    @Sendable static func shouldRun() async -> Bool {
        if isCI { return true }
        return await available
    }

    static let skipNote: Comment =
        "no kube-apiserver in \(directory): skipped (start it with scripts/k8s/start.sh; under CI=true this fails)"

    /// Fails the test (under CI) when the API server is not running.
    static func require() async throws {
        let ok = await available
        try #require(
            ok,
            "no kube-apiserver answering /readyz with the kubeconfig in \(directory): start it with scripts/k8s/start.sh (CI=\(isCI))")
    }

    /// A client of the project's own from a kubeconfig of the server, the way the controller resolves one.
    static func client(kubeconfig: String, clock: any ControlClock = SystemControlClock()) throws -> KubernetesClient {
        let settings = KubernetesSettings(kubeconfigPath: kubeconfig, context: nil, requestTimeoutSeconds: 10)
        let connection = try KubernetesConnection.resolve(settings, environment: [:])
        return try KubernetesClient(connection: connection, settings: settings, clock: clock)
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test when the real API server is up, and always under CI=true (where a missing
    /// server then fails the test through `RealAPIServer.require()`); otherwise skips with a note.
    static var realAPIServer: Self {
        .enabled(RealAPIServer.skipNote) { await RealAPIServer.shouldRun() }
    }
}

/// Runs `body` with a client from `kubeconfig`, shutting it down afterwards.
func withClient<T>(
    _ kubeconfig: String = RealAPIServer.adminKubeconfig, clock: any ControlClock = SystemControlClock(),
    _ body: (KubernetesClient) async throws -> T
) async throws -> T {
    let client = try RealAPIServer.client(kubeconfig: kubeconfig, clock: clock)
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}

/// A fresh namespace for one test (so tests run concurrently and rerun on the same server),
/// deleted afterwards. Without a controller-manager it stays `Terminating`; its name is never reused.
func withNamespace<T>(_ body: (String) async throws -> T) async throws -> T {
    try await RealAPIServer.require()
    let admin = AdminAPI()
    let namespace = "fs-it-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
    try await admin.createNamespace(namespace)
    do {
        let result = try await body(namespace)
        _ = try? await admin.request("DELETE", "/api/v1/namespaces/\(namespace)")
        return result
    } catch {
        _ = try? await admin.request("DELETE", "/api/v1/namespaces/\(namespace)")
        throw error
    }
}

/// Waits, at most `seconds` of real time, for `condition` (e.g. an informer's `waitUntil`) to
/// return; fails the test with `what` otherwise. The wait is abandoned (not cancelled) on timeout.
func within(_ seconds: Double, _ what: String, _ condition: @escaping @Sendable () async -> Void) async throws {
    let (stream, continuation) = AsyncStream.makeStream(of: Bool.self)
    let waiter = Task {
        await condition()
        continuation.yield(true)
    }
    let timer = Task {
        try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
        continuation.yield(false)
    }
    var iterator = stream.makeAsyncIterator()
    let met = await iterator.next() ?? false
    continuation.finish()
    timer.cancel()
    if !met { waiter.cancel() }
    try #require(met, "not within \(seconds) s: \(what)")
}

/// Polls `read` (real requests) until `accept` holds or `seconds` pass, returning the last result.
func poll<T>(seconds: Double, _ read: () async -> T, until accept: (T) -> Bool) async throws -> T {
    let end = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
    var value = await read()
    while !accept(value) && ContinuousClock.now < end {
        try await Task.sleep(for: .milliseconds(100))
        value = await read()
    }
    return value
}

/// Admin (`system:masters`) set-up and inspection through `curl`, independent of the code under
/// test: its own TLS (`--cacert pki/ca.crt`), the admin bearer token, JSON in and out.
struct AdminAPI: Sendable {
    struct Answer: Sendable {
        var status: Int
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// One request; the status code and body, whatever the status.
    func request(
        _ method: String, _ path: String, json: String? = nil, contentType: String = "application/json",
        timeoutSeconds: Double = 20, accept: String = "application/json"
    ) async throws -> Answer {
        guard let token = RealAPIServer.adminToken else {
            throw Failure(description: "no admin token in \(RealAPIServer.directory)")
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fs-kube-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let output = scratch.appendingPathComponent("body")
        var arguments = [
            "curl", "-sS", "--max-time", String(timeoutSeconds), "--cacert", RealAPIServer.certificateAuthority,
            "-H", "Authorization: Bearer \(token)", "-H", "Accept: \(accept)",
            "-X", method, "-o", output.path, "-w", "%{http_code}",
        ]
        if let json {
            let input = scratch.appendingPathComponent("request")
            try Data(json.utf8).write(to: input)
            arguments += ["-H", "Content-Type: \(contentType)", "--data-binary", "@" + input.path]
        }
        arguments.append(RealAPIServer.server + path)
        let (exit, stdout, stderr) = try await Self.run(arguments, in: scratch)
        guard exit == 0, let status = Int(stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw Failure(description: "curl \(method) \(path) exited \(exit): \(stderr)")
        }
        return Answer(status: status, body: (try? Data(contentsOf: output)) ?? Data())
    }

    /// `request`, requiring a 2xx answer.
    @discardableResult
    func must(_ method: String, _ path: String, json: String? = nil, contentType: String = "application/json") async throws -> Answer {
        let answer = try await request(method, path, json: json, contentType: contentType)
        guard (200..<300).contains(answer.status) else {
            throw Failure(description: "admin \(method) \(path) answered \(answer.status): \(answer.text)")
        }
        return answer
    }

    func decode<T: Decodable>(_ type: T.Type, _ method: String, _ path: String) async throws -> T {
        let answer = try await must(method, path)
        return try JSONDecoder().decode(type, from: answer.body)
    }

    func createNamespace(_ name: String) async throws {
        try await must("POST", "/api/v1/namespaces", json: #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"\#(name)"}}"#)
    }

    static func deploymentPath(_ namespace: String, _ name: String? = nil) -> String {
        "/apis/apps/v1/namespaces/\(namespace)/deployments" + (name.map { "/" + $0 } ?? "")
    }

    /// A Deployment object (no controller runs, so no pods and a status of its own).
    @discardableResult
    func createDeployment(_ namespace: String, _ name: String, replicas: Int) async throws -> Deployment {
        let body = #"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"\#(name)"},
         "spec":{"replicas":\#(replicas),"selector":{"matchLabels":{"app":"\#(name)"}},
                 "template":{"metadata":{"labels":{"app":"\#(name)"}},"spec":{"containers":[{"name":"main","image":"busybox"}]}}}}
        """#
        let answer = try await must("POST", Self.deploymentPath(namespace), json: body)
        return try JSONDecoder().decode(Deployment.self, from: answer.body)
    }

    func deployment(_ namespace: String, _ name: String) async throws -> Deployment {
        try await decode(Deployment.self, "GET", Self.deploymentPath(namespace, name))
    }

    /// Another writer (`kubectl scale`): a merge patch of `spec.replicas` on the Deployment itself.
    @discardableResult
    func scale(_ namespace: String, _ name: String, to replicas: Int) async throws -> Deployment {
        let answer = try await must(
            "PATCH", Self.deploymentPath(namespace, name), json: #"{"spec":{"replicas":\#(replicas)}}"#,
            contentType: "application/merge-patch+json")
        return try JSONDecoder().decode(Deployment.self, from: answer.body)
    }

    /// What the deployment controller and kubelets would report: `PUT …/status` of the object read.
    @discardableResult
    func putStatus(_ namespace: String, _ name: String, replicas: Int, readyReplicas: Int) async throws -> Deployment {
        let path = Self.deploymentPath(namespace, name)
        let current = try await must("GET", path)
        guard var object = try JSONSerialization.jsonObject(with: current.body) as? [String: Any] else {
            throw Failure(description: "GET \(path): not a JSON object")
        }
        object["status"] = ["replicas": replicas, "readyReplicas": readyReplicas, "availableReplicas": readyReplicas, "updatedReplicas": replicas]
        let body = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        let answer = try await must("PUT", path + "/status", json: body)
        return try JSONDecoder().decode(Deployment.self, from: answer.body)
    }

    func deleteDeployment(_ namespace: String, _ name: String) async throws {
        try await must("DELETE", Self.deploymentPath(namespace, name))
    }

    func lease(_ namespace: String, _ name: String) async throws -> LeaseObject {
        try await decode(LeaseObject.self, "GET", "/apis/coordination.k8s.io/v1/namespaces/\(namespace)/leases/\(name)")
    }

    func leases(_ namespace: String) async throws -> [LeaseObject] {
        try await decode(LeaseList.self, "GET", "/apis/coordination.k8s.io/v1/namespaces/\(namespace)/leases").items
    }

    /// Creates in `namespace` a Role `name` with `rules` and binds it to the limited user (`scaler`).
    func bindRole(_ name: String, rules: [[String: Any]], in namespace: String) async throws {
        try await create(
            "/apis/rbac.authorization.k8s.io/v1/namespaces/\(namespace)/roles",
            ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": ["name": name], "rules": rules])
        try await create(
            "/apis/rbac.authorization.k8s.io/v1/namespaces/\(namespace)/rolebindings",
            [
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": ["name": name],
                "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name],
                "subjects": [["apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "scaler"]],
            ])
    }

    /// Creates a JSON object (a Role, a ClusterRole, a RoleBinding) at `collection`.
    func create(_ collection: String, _ object: [String: Any]) async throws {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        try await must("POST", collection, json: body)
    }

    /// Runs a command (found on PATH) with its output in files, without blocking a thread on it.
    private static func run(_ arguments: [String], in scratch: URL) async throws -> (Int32, String, String) {
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let exit: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let stdout = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return (exit, stdout, stderr)
    }
}

/// The fields of a Deployment the tests read back.
struct Deployment: Decodable, Sendable {
    struct Metadata: Decodable, Sendable { var name: String; var resourceVersion: String }
    struct Spec: Decodable, Sendable { var replicas: Int? }
    struct Status: Decodable, Sendable { var replicas: Int?; var readyReplicas: Int? }
    var metadata: Metadata
    var spec: Spec
    var status: Status?
}

/// A `coordination.k8s.io/v1` Lease as the server stores it.
struct LeaseObject: Decodable, Sendable {
    struct Metadata: Decodable, Sendable { var name: String; var resourceVersion: String }
    struct Spec: Decodable, Sendable {
        var holderIdentity: String?
        var leaseDurationSeconds: Int?
        var acquireTime: String?
        var renewTime: String?
        var leaseTransitions: Int?
    }
    var metadata: Metadata
    var spec: Spec
}

struct LeaseList: Decodable, Sendable {
    var items: [LeaseObject]
}
