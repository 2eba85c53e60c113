import Foundation
import NIOCore
import Orchestrators
import Synchronization

/// A wall clock that runs `speed` times faster than real time from `start` (Unix seconds):
/// the demo's controller, sources and simulated cluster all read it, so a day passes in minutes.
final class AcceleratedClock: ControlClock {
    let start: Double
    let speed: Double
    private let realStart = ContinuousClock.now

    init(start: Double, speed: Double) {
        self.start = start
        self.speed = speed
    }

    func now() -> Date {
        let elapsed = ContinuousClock.now - realStart
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Date(timeIntervalSince1970: start + seconds * speed)
    }

    func sleep(seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(nanoseconds: UInt64(seconds / speed * 1_000_000_000))
    }

    /// `seconds` of accelerated time in real time, so a tick's deadline keeps its share of the
    /// (accelerated) interval; never under one real second, because the simulated cluster's HTTP
    /// round trips take real time on a busy machine.
    func deadline(afterSeconds seconds: Double) -> NIODeadline {
        NIODeadline.now() + .nanoseconds(Int64(max(seconds / speed, Self.minimumRealDeadlineSeconds) * 1e9))
    }

    static let minimumRealDeadlineSeconds = 1.0
}
