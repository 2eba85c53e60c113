import Clocks
import Orchestrators
import Planner
import Synchronization

/// An orchestrator that keeps the workload's count in memory and records every write: the test
/// double of an adapter, for tests of the reconcile loop that need no Kubernetes API. Ready
/// replicas follow the desired count at once unless a test sets them; a failure set with
/// `failWrites(_:)` makes every write throw it (reads still answer).
public final class RecordingOrchestrator: Orchestrator {
    struct State {
        var desired: Int
        var ready: Int?
        var writes: [Int] = []
        var writeFailure: OrchestratorError?
        var readFailure: OrchestratorError?
    }

    private let state: Mutex<State>
    private let clock: any ControlClock
    public let targetDescription: String

    public init(replicas: Int, ready: Int? = nil, clock: any ControlClock = SystemControlClock(), description: String = "recording") {
        state = Mutex(State(desired: replicas, ready: ready))
        self.clock = clock
        targetDescription = description
    }

    /// The desired count the workload has now.
    public var replicas: Int { state.withLock { $0.desired } }
    /// Every count written, in order (a write of the count already there is not one).
    public var writes: [Int] { state.withLock { $0.writes } }

    /// Sets the workload's counts as someone else would (`ready` nil: ready follows desired).
    public func set(replicas: Int, ready: Int? = nil) {
        state.withLock { $0.desired = replicas; $0.ready = ready }
    }

    /// Makes every later write (nil: none) fail with `error`.
    public func failWrites(_ error: OrchestratorError?) { state.withLock { $0.writeFailure = error } }
    /// Makes every later read (nil: none) fail with `error`.
    public func failReads(_ error: OrchestratorError?) { state.withLock { $0.readFailure = error } }

    public func currentScale() async throws -> WorkloadScale {
        let (desired, ready, failure) = state.withLock { ($0.desired, $0.ready ?? $0.desired, $0.readFailure) }
        if let failure { throw failure }
        return WorkloadScale(desiredReplicas: desired, readyReplicas: ready, observedAt: clock.now())
    }

    public func apply(replicas: Int, decision: Decision?) async throws -> ApplyOutcome {
        let outcome: Result<ApplyOutcome, OrchestratorError> = state.withLock { s in
            if let failure = s.writeFailure { return .failure(failure) }
            guard s.desired != replicas else { return .success(.unchanged(replicas: replicas)) }
            let from = s.desired
            s.desired = replicas
            s.writes.append(replicas)
            return .success(.scaled(from: from, to: replicas))
        }
        return try outcome.get()
    }
}
