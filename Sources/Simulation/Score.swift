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
            fallbackTicks: fallbackTicks)
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

    /// Cost as a multiple of the floor.
    public var costRatio: Double { floorReplicaHours > 0 ? replicaHours / floorReplicaHours : 0 }
}
