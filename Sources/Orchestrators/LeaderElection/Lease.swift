import Foundation

/// A `coordination.k8s.io/v1` Lease, the fields leader election uses.
public struct Lease: Codable, Sendable, Equatable {
    public struct Metadata: Codable, Sendable, Equatable {
        public var name: String
        public var namespace: String?
        public var resourceVersion: String?
        public init(name: String, namespace: String?, resourceVersion: String? = nil) {
            self.name = name
            self.namespace = namespace
            self.resourceVersion = resourceVersion
        }
    }
    public struct Spec: Codable, Sendable, Equatable {
        public var holderIdentity: String?
        public var leaseDurationSeconds: Int?
        /// MicroTime, e.g. `2026-11-27T17:00:00.000000Z`.
        public var acquireTime: String?
        public var renewTime: String?
        public var leaseTransitions: Int?
        public init(
            holderIdentity: String? = nil, leaseDurationSeconds: Int? = nil, acquireTime: String? = nil, renewTime: String? = nil, leaseTransitions: Int? = nil
        ) {
            self.holderIdentity = holderIdentity
            self.leaseDurationSeconds = leaseDurationSeconds
            self.acquireTime = acquireTime
            self.renewTime = renewTime
            self.leaseTransitions = leaseTransitions
        }
    }

    public var apiVersion: String = "coordination.k8s.io/v1"
    public var kind: String = "Lease"
    public var metadata: Metadata
    public var spec: Spec

    public init(metadata: Metadata, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// Kubernetes `MicroTime`: RFC 3339 in UTC with exactly six fractional digits.
public enum MicroTime {
    public static func format(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
        let seconds = micros / 1_000_000
        let fraction = micros - seconds * 1_000_000
        let whole = Date(timeIntervalSince1970: TimeInterval(seconds))
        let components = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: whole)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
            components.year!, components.month!, components.day!,
            components.hour!, components.minute!, components.second!, Int(fraction)
        )
    }

    public static func parse(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = withFraction.date(from: text) { return date }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        return plain.date(from: text)
    }
}

/// Where leases live: the Kubernetes API, or a test double.
public protocol LeaseStore: Sendable {
    /// `nil` when the lease does not exist.
    func get() async throws -> Lease?
    /// Creates it; throws `.conflict` when it already exists.
    func create(_ lease: Lease) async throws -> Lease
    /// Replaces it (the lease carries the resourceVersion read); throws `.conflict` when stale.
    func update(_ lease: Lease) async throws -> Lease
    /// For messages, e.g. `lease forescale/forescale-leader`.
    var leaseDescription: String { get }
}
