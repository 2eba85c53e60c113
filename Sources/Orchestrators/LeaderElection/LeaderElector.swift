import Foundation
import Planner

/// Drives a `LeaderElectionMachine` against a `LeaseStore` with an injected clock.
/// `run()` loops until cancelled; then the owner calls `release()` (from a task that is not cancelled,
/// since it writes to the API server) so a follower takes over at once. Tests call `attempt()` step by step.
public actor LeaderElector {
    public private(set) var store: any LeaseStore
    public let clock: any ControlClock
    private var machine: LeaderElectionMachine
    private let onChange: (@Sendable (Bool) -> Void)?
    private let onNote: (@Sendable (LeaderElectionNote) -> Void)?
    private var reportedLeader = false
    /// Attempts in a row that failed talking to the lease (a lost race, 409, is not a failure).
    public private(set) var consecutiveFailures = 0
    /// The last failure, while `consecutiveFailures > 0`.
    public private(set) var failure: OrchestratorError?
    /// Set when `run()` ends: a stopped elector never claims leadership.
    private var stopped = false

    /// `onChange` is called with `true` when this replica becomes leader and `false` when it stops;
    /// `onNote` with every change of leadership and of the lease's health, for logs and metrics.
    public init(
        settings: LeaderElectionSettings, store: any LeaseStore, namespace: String, name: String,
        clock: any ControlClock = SystemControlClock(), onChange: (@Sendable (Bool) -> Void)? = nil,
        onNote: (@Sendable (LeaderElectionNote) -> Void)? = nil
    ) throws {
        try settings.validate()
        self.store = store
        self.clock = clock
        self.machine = LeaderElectionMachine(settings: settings, leaseNamespace: namespace, leaseName: name)
        self.onChange = onChange
        self.onNote = onNote
    }

    public var identity: String { machine.settings.identity }

    /// Talks to the lease through `store` from the next call on (a reload replaced the client of
    /// the orchestrator the election runs on: new credentials, server or CA).
    public func use(store: any LeaseStore) { self.store = store }

    /// Whether this replica may actuate now.
    public var isLeader: Bool { !stopped && machine.isLeader(at: clock.now()) }

    /// The holder of the lease as last seen, for the status API.
    public var leaderIdentity: String? { machine.leaderIdentity }

    /// The last error talking to the lease, if the last attempt failed.
    public var lastError: OrchestratorError? { machine.lastError }

    /// One acquire-or-renew attempt; returns how long to wait before the next.
    @discardableResult
    public func attempt() async -> Double {
        var action = machine.event(.tick, now: clock.now())
        attemptFailure = nil
        while true {
            switch action {
            case .wait(let seconds):
                noteAttempt()
                report()
                return seconds
            case .read:
                action = await perform { try await .read(self.store.get()) }
            case .create(let lease):
                action = await perform { try await .written(self.store.create(lease)) }
            case .update(let lease):
                action = await perform { try await .written(self.store.update(lease)) }
            }
        }
    }

    /// Runs one call and feeds its outcome to the machine. A successful write counts as a renewal at
    /// the time the request was sent (the conservative end of a slow round trip), so this replica stops
    /// claiming leadership no later than the renew deadline after the lease's `renewTime`.
    private func perform(_ call: @Sendable () async throws -> LeaderElectionEvent) async -> LeaderElectionAction {
        let sentAt = clock.now()
        let event: LeaderElectionEvent
        do {
            event = try await call()
        } catch let error as OrchestratorError {
            event = .failed(error)
        } catch {
            event = .failed(OrchestratorError(.connection, "\(store.leaseDescription): \(error)"))
        }
        if case .written = event {
            return machine.event(event, now: sentAt)
        }
        if case .failed(let error) = event, error.kind != .conflict { attemptFailure = error }
        return machine.event(event, now: clock.now())
    }

    /// The failure of the attempt in progress, if one of its calls failed.
    private var attemptFailure: OrchestratorError?

    /// Counts the attempt's outcome; notes the first failure, each new message, and the recovery.
    private func noteAttempt() {
        if let error = attemptFailure {
            consecutiveFailures += 1
            let changed = failure?.message != error.message
            failure = error
            if consecutiveFailures == 1 || changed {
                onNote?(.leaseFailing(error, description: store.leaseDescription, consecutive: consecutiveFailures))
            }
        } else if consecutiveFailures > 0 {
            let count = consecutiveFailures
            consecutiveFailures = 0
            failure = nil
            onNote?(.leaseRecovered(description: store.leaseDescription, afterFailures: count))
        }
        onNote?(.attempted(failure: attemptFailure))
    }

    private func report() {
        let now = isLeader
        if now != reportedLeader {
            reportedLeader = now
            onChange?(now)
            onNote?(.leadership(leading: now, identity: identity, holder: machine.leaderIdentity))
        }
    }

    /// Attempts every retry period until the task is cancelled. Leadership is then reported lost.
    public func run() async {
        while !Task.isCancelled {
            let wait = await attempt()
            do {
                try await clock.sleep(seconds: wait)
            } catch {
                break
            }
        }
        stopped = true
        report()
    }

    /// Gives up leadership now (holder cleared, 1 s lease) so a follower takes over without waiting
    /// for expiry. Returns whether a lease was released.
    @discardableResult
    public func release() async -> Bool {
        guard let lease = machine.releaseRecord(now: clock.now()) else { return false }
        report()
        do {
            _ = try await store.update(lease)
            return true
        } catch {
            return false
        }
    }
}

/// What a `LeaderElector` has to say, for the controller's log, metrics and status.
public enum LeaderElectionNote: Sendable, Equatable {
    /// This replica became leader (`leading`) or stopped leading; `holder` as last seen.
    case leadership(leading: Bool, identity: String, holder: String?)
    /// An attempt could not read or write the lease (said on the first failure and when the
    /// message changes; `consecutive` counts the attempts in a row).
    case leaseFailing(OrchestratorError, description: String, consecutive: Int)
    /// The lease answered again after `afterFailures` failed attempts.
    case leaseRecovered(description: String, afterFailures: Int)
    /// One attempt ended (every retry period), with its failure if it had one: for counters.
    case attempted(failure: OrchestratorError?)
}

/// Applies only while `elector` says this replica leads; reads always pass through (warm standby).
public struct LeaderGatedOrchestrator: Orchestrator {
    public let base: any Orchestrator
    public let elector: LeaderElector

    public init(base: any Orchestrator, elector: LeaderElector) {
        self.base = base
        self.elector = elector
    }

    public var targetDescription: String { base.targetDescription }

    public func currentScale() async throws -> WorkloadScale {
        try await base.currentScale()
    }

    public func apply(replicas: Int, decision: Decision?) async throws -> ApplyOutcome {
        guard await elector.isLeader else { return .notLeader }
        return try await base.apply(replicas: replicas, decision: decision)
    }

    public func apply(replicas: Int, decision: Decision?, observed: WorkloadScale) async throws -> ApplyOutcome {
        guard await elector.isLeader else { return .notLeader }
        return try await base.apply(replicas: replicas, decision: decision, observed: observed)
    }
}
