import Foundation
import NIOCore

/// The one time source of the controller and its adapters: what "now" is (a value's age, a
/// lease's renew time, a tick's time), how long to wait (retry back-off, lease renewal, token
/// refresh, the reconcile loop), and the real-time deadline a span of its time allows for I/O.
/// Injected everywhere, so tests drive time with `ForescaleTestKit.ManualClock` instead of
/// sleeping, and the demo runs the whole controller on an accelerated clock.
public protocol ControlClock: Sendable {
    /// Wall-clock now (leases carry wall-clock MicroTime; sources compute ages from it).
    func now() -> Date
    /// Suspends for `seconds` of this clock's time; throws `CancellationError` when the task is cancelled.
    func sleep(seconds: Double) async throws
    /// The real-time deadline by which I/O started now must end to take `seconds` of this clock's
    /// time (network calls run in real time). The real clock: `seconds` from now.
    func deadline(afterSeconds seconds: Double) -> NIODeadline
}

extension ControlClock {
    public func deadline(afterSeconds seconds: Double) -> NIODeadline {
        NIODeadline.now() + .nanoseconds(Int64(max(0, seconds) * 1e9))
    }

    /// `now()` as Unix seconds.
    public var unixNow: Double { now().timeIntervalSince1970 }
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
