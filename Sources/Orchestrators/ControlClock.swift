import Foundation

/// The time source of adapters that wait (retry back-off, lease renewal, token refresh).
/// Injected so tests drive time with a manual clock instead of sleeping.
public protocol ControlClock: Sendable {
    /// Wall-clock now (leases carry wall-clock MicroTime).
    func now() -> Date
    /// Suspends for `seconds`; throws `CancellationError` when the task is cancelled.
    func sleep(seconds: Double) async throws
}

/// The real clock.
public struct SystemControlClock: ControlClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
    }
}
