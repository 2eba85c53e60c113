import Foundation
import Planner

/// Drives a `LeaderElectionMachine` against a `LeaseStore` with an injected clock.
/// `run()` loops until cancelled and then releases the lease; tests can call `attempt()` step by step.
public actor LeaderElector {
    public let store: any LeaseStore
    public let clock: any ControlClock
    private var machine: LeaderElectionMachine
    private let onChange: (@Sendable (Bool) -> Void)?
    private var reportedLeader = false

    /// `onChange` is called with `true` when this replica becomes leader and `false` when it stops.
    public init(settings: LeaderElectionSettings, store: any LeaseStore, namespace: String, name: String, clock: any ControlClock = SystemControlClock(), onChange: (@Sendable (Bool) -> Void)? = nil) throws {
        try settings.validate()
        self.store = store
        self.clock = clock
        self.machine = LeaderElectionMachine(settings: settings, leaseNamespace: namespace, leaseName: name)
        self.onChange = onChange
    }

    public var identity: String { machine.settings.identity }

    /// Whether this replica may actuate now.
    public var isLeader: Bool { machine.isLeader(at: clock.now()) }

    /// The holder of the lease as last seen, for the status API.
    public var leaderIdentity: String? { machine.leaderIdentity }

    /// The last error talking to the lease, if the last attempt failed.
    public var lastError: OrchestratorError? { machine.lastError }

    /// One acquire-or-renew attempt; returns how long to wait before the next.
    @discardableResult
    public func attempt() async -> Double {
        var action = machine.event(.tick, now: clock.now())
        while true {
            switch action {
            case .wait(let seconds):
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

    private func perform(_ call: @Sendable () async throws -> LeaderElectionEvent) async -> LeaderElectionAction {
        let event: LeaderElectionEvent
        do {
            event = try await call()
        } catch let error as OrchestratorError {
            event = .failed(error)
        } catch {
            event = .failed(OrchestratorError(.connection, "\(store.leaseDescription): \(error)"))
        }
        return machine.event(event, now: clock.now())
    }

    private func report() {
        let now = machine.isLeader(at: clock.now())
        if now != reportedLeader {
            reportedLeader = now
            onChange?(now)
        }
    }

    /// Attempts every retry period until the task is cancelled, then releases the lease if leader.
    public func run() async {
        while !Task.isCancelled {
            let wait = await attempt()
            do {
                try await clock.sleep(seconds: wait)
            } catch {
                break
            }
        }
        await release()
    }

    /// Gives up leadership now so a follower can take over without waiting for expiry.
    public func release() async {
        guard let lease = machine.releaseRecord(now: clock.now()) else { return }
        _ = try? await store.update(lease)
        report()
    }
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
}
