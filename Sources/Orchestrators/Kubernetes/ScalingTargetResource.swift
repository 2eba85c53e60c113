import Foundation
import JSON
import NIOHTTP1

/// A `ScalingTarget` object (`forescale.io/v1alpha1`) as a LIST or watch carries it: its identity
/// and its spec, which the config validator reads as a target.
public struct ScalingTargetObject: KubernetesListItem {
    /// A condition as the object's status holds it (what a controller wrote before, maybe another
    /// replica or process): its transition time carries over.
    public struct Condition: Decodable, Sendable, Equatable {
        public var type: String
        public var status: String
        public var lastTransitionTime: String?
    }

    public struct Status: Decodable, Sendable, Equatable {
        public var conditions: [Condition]?
    }

    public var metadata: KubernetesObjectMeta?
    public var spec: JSONValue?
    public var status: Status?

    public init(metadata: KubernetesObjectMeta?, spec: JSONValue?, status: Status? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    enum CodingKeys: String, CodingKey { case metadata, spec, status }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(KubernetesObjectMeta.self, forKey: .metadata)
        spec = try container.decodeIfPresent(JSONValue.self, forKey: .spec)
        // A status someone else wrote in another shape is not a reason to drop the object.
        status = try? container.decodeIfPresent(Status.self, forKey: .status)
    }
}

/// The `ScalingTarget` custom resource: where it lives in the API and how its status is written.
public enum ScalingTargetResource {
    public static let group = "forescale.io"
    public static let version = "v1alpha1"
    public static let resource = "scalingtargets"
    public static let kind = "ScalingTarget"
    public static var apiVersion: String { "\(group)/\(version)" }

    /// The objects in `namespace`, or in every namespace when it is `nil`.
    public static func collection(namespace: String?) -> KubernetesCollection {
        KubernetesCollection(group: group, version: version, resource: resource, namespace: namespace ?? "")
    }
}

/// An object an Event is about (`involvedObject`).
public struct KubernetesObjectReference: Sendable, Hashable, Codable {
    public var apiVersion: String
    public var kind: String
    public var namespace: String
    public var name: String
    /// `kubectl describe` shows an object's Events by uid: without one, it shows none.
    public var uid: String?

    public init(apiVersion: String, kind: String, namespace: String, name: String, uid: String?) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
    }
}

/// Kubernetes `Time`: RFC 3339 in UTC, whole seconds.
public enum KubernetesTime {
    public static func format(_ seconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: seconds.rounded(.down)))
    }
}

extension KubernetesClient {
    /// A LIST+WATCH of the `ScalingTarget` objects in `namespace` (every namespace when `nil`).
    /// The caller runs it; it ends when this client is retired (`stop()`).
    public func scalingTargetInformer(namespace: String?) -> KubernetesObjectInformer<ScalingTargetObject> {
        let informer = KubernetesObjectInformer<ScalingTargetObject>(
            client: self, collection: ScalingTargetResource.collection(namespace: namespace), watchSeconds: Self.watchSeconds)
        let retired = otherInformers.withLock { state -> Bool in
            if state.stopped { return true }
            state.stops.append { informer.stop() }
            return false
        }
        // Made on a client a reload already retired: it ends at once, and its caller takes the new client.
        if retired { informer.stop() }
        return informer
    }

    /// Replaces a `ScalingTarget`'s status (a merge patch of the `status` subresource: the fields
    /// given replace theirs, `null` removes one).
    public func patchScalingTargetStatus(namespace: String, name: String, status: [UInt8]) async throws {
        let path = ScalingTargetResource.collection(namespace: namespace).path + "/\(name)/status"
        let call = KubernetesAPICall(
            method: .PATCH, path: path, verb: "patch", group: ScalingTargetResource.group,
            resource: ScalingTargetResource.resource + "/status", namespace: namespace, name: name)
        var body = Array(#"{"status":"#.utf8)
        body += status
        body += Array("}".utf8)
        _ = try await send(call, body: body, contentType: "application/merge-patch+json")
    }

    /// Creates a core/v1 Event; returns its name (to count repeats on it).
    public func createEvent(_ event: KubernetesEventBody) async throws -> String {
        let path = "/api/v1/namespaces/\(event.metadata.namespace)/events"
        let call = KubernetesAPICall(method: .POST, path: path, verb: "create", group: "", resource: "events", namespace: event.metadata.namespace, name: nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        _ = try await send(call, body: Array(try encoder.encode(event)))
        return event.metadata.name
    }

    /// Counts a repeat of an Event: its count, last time and message.
    public func patchEvent(namespace: String, name: String, count: Int, lastTimestamp: String, message: String) async throws {
        let path = "/api/v1/namespaces/\(namespace)/events/\(name)"
        let call = KubernetesAPICall(method: .PATCH, path: path, verb: "patch", group: "", resource: "events", namespace: namespace, name: name)
        struct Patch: Encodable { var count: Int; var lastTimestamp: String; var message: String }
        let body = try JSONEncoder().encode(Patch(count: count, lastTimestamp: lastTimestamp, message: message))
        _ = try await send(call, body: Array(body), contentType: "application/merge-patch+json")
    }
}

/// A core/v1 Event as created.
public struct KubernetesEventBody: Sendable, Equatable, Encodable {
    public struct Metadata: Sendable, Equatable, Encodable {
        public var name: String
        public var namespace: String
    }
    public struct Source: Sendable, Equatable, Encodable {
        public var component: String
    }
    public var metadata: Metadata
    public var involvedObject: KubernetesObjectReference
    public var reason: String
    public var message: String
    /// `Normal` or `Warning`.
    public var type: String
    public var count: Int
    public var firstTimestamp: String
    public var lastTimestamp: String
    public var source: Source
    public var reportingComponent: String
    public var reportingInstance: String

    public init(name: String, involvedObject: KubernetesObjectReference, reason: String, message: String, warning: Bool, time: Double, instance: String) {
        metadata = Metadata(name: name, namespace: involvedObject.namespace)
        self.involvedObject = involvedObject
        self.reason = reason
        self.message = message
        type = warning ? "Warning" : "Normal"
        count = 1
        firstTimestamp = KubernetesTime.format(time)
        lastTimestamp = firstTimestamp
        source = Source(component: "forescale")
        reportingComponent = "forescale"
        reportingInstance = instance
    }
}

extension KubernetesClient {
    /// A built-in workload as an Event's subject, with the uid its collection's watch last saw
    /// (`nil` for a custom kind, or while no watch of its collection has listed it: `kubectl
    /// describe` finds Events by uid).
    public func reference(to target: KubernetesTarget) -> KubernetesObjectReference? {
        let kind: String
        switch target.kind {
        case .deployment: kind = "Deployment"
        case .statefulSet: kind = "StatefulSet"
        case .replicaSet: kind = "ReplicaSet"
        case .custom: return nil
        }
        let collection = orchestrator(for: target).collection
        guard let informer = informers.withLock({ $0[collection] }),
              let uid = informer.snapshot.objects[target.name]?.metadata?.uid else { return nil }
        return KubernetesObjectReference(
            apiVersion: "\(target.group)/\(target.version)", kind: kind, namespace: collection.namespace, name: target.name, uid: uid)
    }
}
