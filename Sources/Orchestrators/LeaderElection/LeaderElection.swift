import Foundation

/// Timing and identity of leader election; defaults are client-go's.
public struct LeaderElectionSettings: Sendable, Equatable {
    /// This replica's identity (the pod name, usually), written as `holderIdentity`.
    public var identity: String
    /// How long a lease stays valid without renewal (followers wait this long after the last change they saw).
    public var leaseDurationSeconds: Double
    /// A leader that has not renewed for this long steps down. Must be less than the lease duration.
    public var renewDeadlineSeconds: Double
    /// Period between attempts to acquire or renew.
    public var retryPeriodSeconds: Double

    public init(identity: String, leaseDurationSeconds: Double = 15, renewDeadlineSeconds: Double = 10, retryPeriodSeconds: Double = 2) {
        self.identity = identity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.renewDeadlineSeconds = renewDeadlineSeconds
        self.retryPeriodSeconds = retryPeriodSeconds
    }

    /// The identity of this process: `POD_NAME` (downward API), else `HOSTNAME`, else the host
    /// name, then `_` and a random UUID, as client-go does. Two processes that share a name (two
    /// controllers on one host, a pod restarted in place, a copied manifest) would otherwise both
    /// read the lease as their own and both write.
    public static func defaultIdentity(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        "\(identityBase(environment: environment))_\(UUID().uuidString.lowercased())"
    }

    /// The readable part of `defaultIdentity`: the pod or host name.
    static func identityBase(environment: [String: String]) -> String {
        for key in ["POD_NAME", "HOSTNAME"] {
            if let value = environment[key], !value.isEmpty { return value }
        }
        let host = ProcessInfo.processInfo.hostName
        return host.isEmpty ? "forescale" : host
    }

    public func validate() throws {
        guard !identity.isEmpty else {
            throw OrchestratorError(.config, "leader election needs a non-empty identity (e.g. the pod name from the downward API)")
        }
        guard leaseDurationSeconds > renewDeadlineSeconds, renewDeadlineSeconds > retryPeriodSeconds, retryPeriodSeconds > 0 else {
            throw OrchestratorError(
                .config,
                "leader election needs leaseDuration > renewDeadline > retryPeriod > 0 (got \(leaseDurationSeconds), \(renewDeadlineSeconds), \(retryPeriodSeconds))"
            )
        }
    }
}

/// What happened, fed to the state machine.
public enum LeaderElectionEvent: Sendable, Equatable {
    /// Start of an attempt (every retry period).
    case tick
    /// The lease as read; `nil` when it does not exist.
    case read(Lease?)
    /// A create or update succeeded with this stored lease.
    case written(Lease)
    /// A call failed (conflict, network, RBAC...).
    case failed(OrchestratorError)
}

/// What the driver must do next.
public enum LeaderElectionAction: Sendable, Equatable {
    case read
    case create(Lease)
    case update(Lease)
    /// Sleep this long, then send `.tick`.
    case wait(seconds: Double)
}

/// Leader election over a Lease as a pure state machine, like client-go's `leaderelection`:
/// acquire when the lease is absent or has not changed for a lease duration, renew while leader,
/// step down when renewing fails for longer than the renew deadline. Time is passed in; no I/O.
public struct LeaderElectionMachine: Sendable {
    public let settings: LeaderElectionSettings
    public let leaseNamespace: String
    public let leaseName: String
    /// The last lease read or written, and when (our clock) its spec last changed.
    public private(set) var observed: Lease?
    public private(set) var observedChangedAt: Date?
    private var leading = false
    private var lastRenewAt: Date?
    public private(set) var lastError: OrchestratorError?

    public init(settings: LeaderElectionSettings, leaseNamespace: String, leaseName: String) {
        self.settings = settings
        self.leaseNamespace = leaseNamespace
        self.leaseName = leaseName
    }

    /// Whether this replica may act as leader at `now`: it holds the lease and renewed it within the renew deadline.
    public func isLeader(at now: Date) -> Bool {
        guard leading, let lastRenewAt else { return false }
        return now.timeIntervalSince(lastRenewAt) < settings.renewDeadlineSeconds
    }

    /// The holder of the last lease seen (for the status API), or `nil` when none.
    public var leaderIdentity: String? {
        guard let holder = observed?.spec.holderIdentity, !holder.isEmpty else { return nil }
        return holder
    }

    public mutating func event(_ event: LeaderElectionEvent, now: Date) -> LeaderElectionAction {
        stepDownIfPastDeadline(now: now)
        switch event {
        case .tick:
            return .read
        case .read(nil):
            return .create(record(now: now, previous: nil))
        case .read(let lease?):
            observe(lease, now: now)
            let holder = lease.spec.holderIdentity ?? ""
            if !holder.isEmpty, holder != settings.identity, !expired(lease, now: now) {
                leading = false
                return .wait(seconds: settings.retryPeriodSeconds)
            }
            return .update(record(now: now, previous: lease))
        case .written(let lease):
            observe(lease, now: now)
            leading = true
            lastRenewAt = now
            lastError = nil
            return .wait(seconds: settings.retryPeriodSeconds)
        case .failed(let error):
            lastError = error
            stepDownIfPastDeadline(now: now)
            return .wait(seconds: settings.retryPeriodSeconds)
        }
    }

    /// The lease to write when giving up leadership on shutdown (holder cleared, 1 s duration),
    /// so a follower takes over at once; `nil` when not leader.
    public mutating func releaseRecord(now: Date) -> Lease? {
        guard leading, var lease = observed else { return nil }
        leading = false
        lease.spec.holderIdentity = ""
        lease.spec.leaseDurationSeconds = 1
        lease.spec.renewTime = MicroTime.format(now)
        return lease
    }

    private mutating func stepDownIfPastDeadline(now: Date) {
        if leading, let lastRenewAt, now.timeIntervalSince(lastRenewAt) >= settings.renewDeadlineSeconds {
            leading = false
        }
    }

    private mutating func observe(_ lease: Lease, now: Date) {
        if observed?.spec != lease.spec || observedChangedAt == nil {
            observedChangedAt = now
        }
        observed = lease
    }

    private func expired(_ lease: Lease, now: Date) -> Bool {
        let duration = lease.spec.leaseDurationSeconds.map(Double.init) ?? settings.leaseDurationSeconds
        guard let changedAt = observedChangedAt else { return true }
        return now.timeIntervalSince(changedAt) >= duration
    }

    private func record(now: Date, previous: Lease?) -> Lease {
        let stamp = MicroTime.format(now)
        let previousHolder = previous?.spec.holderIdentity ?? ""
        let keepsHolder = previousHolder == settings.identity
        var transitions = previous?.spec.leaseTransitions ?? 0
        if previous != nil, !keepsHolder { transitions += 1 }
        return Lease(
            metadata: Lease.Metadata(name: leaseName, namespace: leaseNamespace, resourceVersion: previous?.metadata.resourceVersion),
            spec: Lease.Spec(
                holderIdentity: settings.identity,
                leaseDurationSeconds: Int(settings.leaseDurationSeconds.rounded(.up)),
                acquireTime: keepsHolder ? (previous?.spec.acquireTime ?? stamp) : stamp,
                renewTime: stamp,
                leaseTransitions: transitions
            )
        )
    }
}
