import Foundation
import NIOSSL
import Orchestrators

/// An in-process fake Kubernetes API server for tests: scale subresources of Deployments,
/// StatefulSets, ReplicaSets and custom resources, workload status, LIST and WATCH of workload
/// collections (FakeKubernetesWatch.swift), and Leases. It checks paths,
/// verbs, the merge-patch content type and the bearer token, keeps `resourceVersion`s, answers
/// stale writes with 409, and returns real-shaped `Status` objects. Faults are injected by the test.
public struct FakeKubernetesAPIServer: Sendable {
    let state: FakeKubernetesState
    /// `http://127.0.0.1:<port>`.
    public let baseURL: String

    /// Runs a server for the duration of `body`. `acceptedTokens` empty means no token is checked.
    public static func withRunning<R: Sendable>(
        acceptedTokens: Set<String> = [],
        tls: TLSConfiguration? = nil,
        _ body: (FakeKubernetesAPIServer) async throws -> R
    ) async throws -> R {
        let state = FakeKubernetesState(acceptedTokens: acceptedTokens)
        return try await InProcessHTTPServer.withRunning(tls: tls, handler: { request in
            try await state.handle(request)
        }) { baseURL in
            try await body(FakeKubernetesAPIServer(state: state, baseURL: baseURL))
        }
    }

    /// A kubeconfig with one context: `server` (this fake's `baseURL`), a bearer token, and the
    /// context's namespace when given. For a `forescale` process or a config that talks to the fake.
    public static func kubeconfig(server: String, token: String, namespace: String? = nil) -> String {
        let context = namespace.map { "{ cluster: c, user: u, namespace: \($0) }" } ?? "{ cluster: c, user: u }"
        return """
            apiVersion: v1
            kind: Config
            current-context: fake
            clusters: [{ name: c, cluster: { server: \(server) } }]
            users: [{ name: u, user: { token: \(token) } }]
            contexts: [{ name: fake, context: \(context) }]

            """
    }

    /// A connection to this server with a static token (or none).
    public func connection(token: String? = nil, namespace: String = "default") -> KubernetesConnection {
        KubernetesConnection(server: baseURL, credential: token.map { .token($0) } ?? .none, defaultNamespace: namespace, source: "fake API server")
    }

    /// Adds (or replaces) a workload. `group` `apps` and `resource` `deployments` by default.
    /// `readyReplicas` `nil` means all replicas are ready; `reportsReadyReplicas: false` omits the field.
    public func addWorkload(
        group: String = "apps", version: String = "v1", resource: String = "deployments", namespace: String = "default", name: String, replicas: Int,
        readyReplicas: Int? = nil, reportsReadyReplicas: Bool = true
    ) async {
        await state.put(
            FakeWorkload(
                group: group, version: version, resource: resource, namespace: namespace, name: name, replicas: replicas,
                readyReplicas: readyReplicas ?? replicas, resourceVersion: 0, reportsReadyReplicas: reportsReadyReplicas))
    }

    public func workload(group: String = "apps", resource: String = "deployments", namespace: String = "default", name: String) async -> FakeWorkload? {
        await state.workloads[FakeKubernetesState.key(group, resource, namespace, name)]
    }

    public func setReadyReplicas(_ ready: Int, group: String = "apps", resource: String = "deployments", namespace: String = "default", name: String) async {
        await state.setReady(ready, key: FakeKubernetesState.key(group, resource, namespace, name))
    }

    /// Deletes a workload (a `DELETED` event for watches).
    public func deleteWorkload(group: String = "apps", resource: String = "deployments", namespace: String = "default", name: String) async {
        await state.deleteWorkload(key: FakeKubernetesState.key(group, resource, namespace, name))
    }

    /// Ends every open watch (an API server restart); clients resume from their last version.
    public func dropWatches() async {
        await state.dropWatches()
    }

    /// Forgets the change history up to now: a watch resuming from an older version gets `410 Expired`.
    public func compactHistory() async {
        await state.compactHistory()
    }

    /// Sends a `BOOKMARK` event with the current version to every watch that allowed bookmarks.
    public func sendBookmarks() async {
        await state.sendBookmarks()
    }

    /// Watches open now.
    public func openWatches() async -> Int {
        await state.openWatchCount
    }

    public func lease(namespace: String, name: String) async -> Lease? {
        await state.leases["\(namespace)/\(name)"]
    }

    public func inject(_ fault: FakeKubernetesFault) async {
        await state.addFault(fault)
    }

    /// Tokens the server accepts from now on (token rotation).
    public func setAcceptedTokens(_ tokens: Set<String>) async {
        await state.setTokens(tokens)
    }

    /// RBAC: only these `"verb resource"` pairs (e.g. `"patch deployments/scale"`, `"get leases"`) are
    /// allowed; `nil` allows everything.
    public func setAllowed(_ allowed: Set<String>?) async {
        await state.setAllowed(allowed)
    }

    /// Every request received, in order.
    public func requests() async -> [RecordedRequest] {
        await state.requests
    }
}

extension FakeKubernetesState {
    /// A status update: like the real API server's, it bumps the object's resourceVersion.
    func setReady(_ ready: Int, key: String) { modify(key) { $0.readyReplicas = ready } }
    func addFault(_ fault: FakeKubernetesFault) { faults.append(fault) }
    func setTokens(_ tokens: Set<String>) { acceptedTokens = tokens }
    func setAllowed(_ allowed: Set<String>?) { self.allowed = allowed }
}
