import Foundation
import NIOHTTP1

/// A `coordination.k8s.io/v1` Lease through the API server.
public struct KubernetesLeaseStore: LeaseStore {
    public let client: KubernetesClient
    public let namespace: String
    public let name: String

    public init(client: KubernetesClient, namespace: String? = nil, name: String) {
        self.client = client
        self.namespace = namespace ?? client.connection.defaultNamespace
        self.name = name
    }

    public var leaseDescription: String { "lease \(namespace)/\(name)" }

    private var collectionPath: String { "/apis/coordination.k8s.io/v1/namespaces/\(namespace)/leases" }

    private func call(_ method: HTTPMethod, verb: String, path: String) -> KubernetesAPICall {
        KubernetesAPICall(method: method, path: path, verb: verb, group: "coordination.k8s.io", resource: "leases", namespace: namespace, name: name)
    }

    public func get() async throws -> Lease? {
        let get = call(.GET, verb: "get", path: "\(collectionPath)/\(name)")
        do {
            return try client.decode(Lease.self, from: try await client.send(get), call: get)
        } catch let error as OrchestratorError where error.kind == .notFound {
            return nil
        }
    }

    public func create(_ lease: Lease) async throws -> Lease {
        let post = call(.POST, verb: "create", path: collectionPath)
        var lease = lease
        lease.metadata.resourceVersion = nil
        return try client.decode(Lease.self, from: try await client.send(post, body: try encode(lease)), call: post)
    }

    public func update(_ lease: Lease) async throws -> Lease {
        let put = call(.PUT, verb: "update", path: "\(collectionPath)/\(name)")
        return try client.decode(Lease.self, from: try await client.send(put, body: try encode(lease)), call: put)
    }

    private func encode(_ lease: Lease) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Array(try encoder.encode(lease))
    }
}

extension KubernetesClient {
    public func leaseStore(namespace: String? = nil, name: String) -> KubernetesLeaseStore {
        KubernetesLeaseStore(client: self, namespace: namespace, name: name)
    }
}
