import Foundation
import NIOConcurrencyHelpers
import Orchestrators

/// A clock tests move by hand. `sleep` suspends until `advance` passes its deadline, or, with
/// `autoAdvance`, moves time forward itself and returns at once (for code that only backs off).
/// Every requested sleep is recorded in `sleeps`.
public final class ManualClock: ControlClock {
    private struct Sleeper {
        var id: Int
        var deadline: Date
        var continuation: CheckedContinuation<Void, any Error>
    }
    private struct State {
        var now: Date
        var autoAdvance: Bool
        var sleepers: [Sleeper] = []
        var sleeps: [Double] = []
        var nextID = 0
        /// `waitForSleepers` calls: resumed (true) once that many sleepers wait, or (false) when cancelled.
        var waiters: [(id: Int, count: Int, continuation: CheckedContinuation<Bool, Never>)] = []
    }
    private let state: NIOLockedValueBox<State>

    public init(now: Date = Date(timeIntervalSince1970: 1_800_000_000), autoAdvance: Bool = false) {
        state = NIOLockedValueBox(State(now: now, autoAdvance: autoAdvance))
    }

    public func now() -> Date { state.withLockedValue { $0.now } }

    /// Durations passed to `sleep`, in order.
    public var sleeps: [Double] { state.withLockedValue { $0.sleeps } }

    /// How many sleepers are waiting for `advance`.
    public var sleeperCount: Int { state.withLockedValue { $0.sleepers.count } }

    public func sleep(seconds: Double) async throws {
        let id: Int? = state.withLockedValue { state in
            state.sleeps.append(seconds)
            if state.autoAdvance || seconds <= 0 {
                state.now += max(seconds, 0)
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let (cancelled, met) = state.withLockedValue { state -> (Bool, [CheckedContinuation<Bool, Never>]) in
                    if Task.isCancelled { return (true, []) }
                    state.sleepers.append(Sleeper(id: id, deadline: state.now + seconds, continuation: continuation))
                    let count = state.sleepers.count
                    let met = state.waiters.filter { $0.count <= count }
                    state.waiters.removeAll { $0.count <= count }
                    return (false, met.map(\.continuation))
                }
                if cancelled { continuation.resume(throwing: CancellationError()) }
                for waiter in met { waiter.resume(returning: true) }
            }
        } onCancel: {
            let sleeper = state.withLockedValue { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward and wakes every sleeper whose deadline has passed.
    public func advance(by seconds: Double) {
        let due = state.withLockedValue { state -> [Sleeper] in
            state.now += seconds
            let due = state.sleepers.filter { $0.deadline <= state.now }
            state.sleepers.removeAll { $0.deadline <= state.now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Waits until at least `count` sleepers are suspended: returns `true` as soon as the code under
    /// test calls `sleep` often enough (no polling, no real-time wait), `false` if the waiting task
    /// is cancelled first (a test's time limit).
    @discardableResult
    public func waitForSleepers(_ count: Int = 1) async -> Bool {
        let id = state.withLockedValue { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let resume: Bool? = state.withLockedValue { state in
                    if state.sleepers.count >= count { return true }
                    if Task.isCancelled { return false }
                    state.waiters.append((id, count, continuation))
                    return nil
                }
                if let resume { continuation.resume(returning: resume) }
            }
        } onCancel: {
            let waiter = state.withLockedValue { state -> CheckedContinuation<Bool, Never>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(returning: false)
        }
    }
}
