/// The start-up learned from what the orchestrator reports: the time from a scale-up being seen
/// applied (the desired count rising, dated when this core decided it) to the ready count reaching
/// it. Kept in `PlannerState`; with `ScalingPolicy.learnStartup` the plan and the forecast horizon
/// use it instead of the configured `startupSeconds` once `minimumSamples` start-ups were seen.
///
/// A sample is measured at the first tick that sees the replicas ready, so it includes up to one
/// tick of polling. A scale-up overtaken by a scale-down below its count is dropped, and so is one
/// whose replicas are not ready within `abandonAfterSeconds` (a crash loop is not a start-up time).
public struct StartupMemory: Sendable, Equatable, Codable {
    /// Scale-ups waiting for their replicas: when, and the count asked for.
    public internal(set) var pending: [TimedCount] = []
    /// Observed start-ups in seconds, oldest first, at most `window`.
    public internal(set) var samples: [Double] = []

    public static let window = 20
    public static let minimumSamples = 3
    public static let abandonAfterSeconds = 3600.0
    public static let maxPending = 20

    public init() {}

    /// The median of the observed start-ups; nil before `minimumSamples`.
    public var estimate: Double? {
        guard samples.count >= Self.minimumSamples else { return nil }
        return median(samples)
    }

    /// A scale-up to `replicas` seen applied, dated `time`.
    mutating func noteScaleUp(to replicas: Int, at time: Double) {
        pending.append(TimedCount(time: time, replicas: replicas))
        if pending.count > Self.maxPending { pending.removeFirst(pending.count - Self.maxPending) }
    }

    /// This tick's counts: a pending scale-up whose count is ready gives a sample; one the desired
    /// count went below, or too old, is dropped. `ready` nil (not reported or invalid) waits.
    mutating func observe(desired: Int, ready: Int?, now: Double) {
        pending.removeAll { $0.replicas > desired || now - $0.time > Self.abandonAfterSeconds }
        guard let ready else { return }
        let done = pending.filter { $0.replicas <= ready }
        guard !done.isEmpty else { return }
        pending.removeAll { $0.replicas <= ready }
        // A scale-up ready at the tick it was seen (an echo of a count already there) is no start-up.
        for scaleUp in done where now > scaleUp.time {
            samples.append(now - scaleUp.time)
        }
        if samples.count > Self.window { samples.removeFirst(samples.count - Self.window) }
    }
}

extension ScalingPolicy {
    /// The start-up the plan and the horizon use: the observed one when `learnStartup` is on and
    /// enough start-ups were seen, else the configured one.
    public func startupSeconds(learned: StartupMemory?) -> Double {
        guard learnStartup, let estimate = learned?.estimate, estimate.isFinite, estimate >= 0 else { return startupSeconds }
        return estimate
    }
}
