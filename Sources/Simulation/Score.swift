/// Running totals of a scored window.
struct ScoreAccumulator {
    let slo: Int
    var replicaSeconds = 0.0
    var arrived = 0.0
    var actions = 0
    /// Scored ticks in which Forescale's fallback applied.
    var fallbackTicks = 0
    var lateMass = 0.0
    var delayedMass = 0.0
    /// Mass by whole seconds of delay, for the percentile.
    var histogram: [Double] = []
    /// Wake-ups from zero in the scored window, in order.
    var wakeUps: [WakeUp] = []

    init(slo: Int) { self.slo = slo }

    mutating func record(delay: Int, mass: Double) {
        let delay = max(delay, 0)
        if delay > slo { lateMass += mass }
        delayedMass += mass
        if delay >= histogram.count { histogram += Array(repeating: 0, count: delay - histogram.count + 1) }
        histogram[delay] += mass
    }

    func result(name: String, capacity: Double, scoredSeconds: Int) -> RunResult {
        var p99 = 0.0
        if delayedMass > 0 {
            var cumulative = 0.0
            for (delay, mass) in histogram.enumerated() {
                cumulative += mass
                if cumulative >= 0.99 * delayedMass {
                    p99 = Double(delay)
                    break
                }
            }
        }
        let floor = arrived / capacity
        return RunResult(
            policy: name,
            replicaHours: replicaSeconds / 3600,
            floorReplicaHours: floor / 3600,
            latePercent: delayedMass > 0 ? 100 * lateMass / delayedMass : 0,
            p99DelaySeconds: p99,
            scaleActions: actions,
            scoredSeconds: scoredSeconds,
            fallbackTicks: fallbackTicks,
            wakeUps: wakeUps)
    }
}

/// The score of one policy over the scored window.
public struct RunResult: Sendable, Equatable, Codable {
    public var policy: String
    /// Replicas billed (consuming or starting), in replica-hours.
    public var replicaHours: Double
    /// The work-conserving floor: arrivals ÷ capacity per replica, in replica-hours.
    public var floorReplicaHours: Double
    /// Share of messages that waited longer than the SLO.
    public var latePercent: Double
    public var p99DelaySeconds: Double
    public var scaleActions: Int
    public var scoredSeconds: Int
    /// Scored ticks in which the fallback applied (Forescale under a metric outage; 0 otherwise).
    public var fallbackTicks = 0

    /// Wake-ups from zero in the scored window (a target with `minReplicas` 0), each with the
    /// delay of the first message the woken group served.
    public var wakeUps: [WakeUp] = []

    /// Cost as a multiple of the floor.
    public var costRatio: Double { floorReplicaHours > 0 ? replicaHours / floorReplicaHours : 0 }
}

/// A wake-up from zero replicas and what its first message paid for it.
public struct WakeUp: Sendable, Equatable, Codable {
    /// When the controller asked for replicas again, in seconds since the trace's start.
    public var second: Int
    /// How long the first message served after the wake-up had waited (the cold-start delay it
    /// paid); `nil` when the group slept again before serving one (a wake-up for nothing).
    public var firstMessageDelaySeconds: Double?

    public init(second: Int, firstMessageDelaySeconds: Double?) {
        self.second = second
        self.firstMessageDelaySeconds = firstMessageDelaySeconds
    }
}

extension RunResult {
    /// The first-message delays of the wake-ups that served one.
    public var firstMessageDelays: [Double] { wakeUps.compactMap(\.firstMessageDelaySeconds) }
    /// Their mean, or `nil` without any.
    public var meanFirstMessageDelay: Double? {
        firstMessageDelays.isEmpty ? nil : firstMessageDelays.reduce(0, +) / Double(firstMessageDelays.count)
    }
}
