/// What the capacity learner remembers: saturated samples of throughput per ready replica.
public struct CapacityLearnerState: Sendable, Equatable, Codable {
    /// The most recent saturated samples (messages per second per replica), oldest first.
    public internal(set) var samples: [Double] = []
    /// Lag seen in the previous tick that had a valid lag, to tell whether lag is growing.
    public internal(set) var lastLag: Double?

    public init() {}
}

/// The capacity a tick plans with, and where it came from.
struct CapacityEstimate {
    var perReplica: Double?
    var source: CapacitySource
}

extension CapacityLearnerState {
    /// Learns from one tick. The group counts as saturated when lag grew since the previous
    /// valid lag and replicas were processing: then throughput per ready replica is what a
    /// replica can do. Samples outside the policy's bounds are ignored (a misread throughput
    /// must not teach an absurd capacity), only the last `window` samples are kept, and the
    /// estimate is their median, robust to the odd outlier.
    mutating func learn(lag: Double?, throughput: Double?, readyReplicas: Int?, settings: LearnedCapacity) {
        guard let lag else { return }
        defer { lastLag = lag }
        guard let previous = lastLag, lag > previous,
              let throughput, throughput > 0,
              let ready = readyReplicas, ready > 0
        else { return }
        let sample = throughput / Double(ready)
        if let minimum = settings.minimum, sample < minimum { return }
        if let maximum = settings.maximum, sample > maximum { return }
        samples.append(sample)
        let window = max(1, settings.window)
        if samples.count > window { samples.removeFirst(samples.count - window) }
    }

    /// The learned value once `minimumSamples` are in, else the configured initial value.
    func estimate(settings: LearnedCapacity) -> CapacityEstimate {
        if samples.count >= max(1, settings.minimumSamples), let median = median(samples) {
            var value = median
            if let minimum = settings.minimum { value = max(value, minimum) }
            if let maximum = settings.maximum { value = min(value, maximum) }
            return CapacityEstimate(perReplica: value, source: .learned)
        }
        if let initial = settings.initial { return CapacityEstimate(perReplica: initial, source: .initial) }
        return CapacityEstimate(perReplica: nil, source: .unknown)
    }
}

/// The median of `values` (the mean of the middle two for an even count); nil when empty. The
/// learned capacity and the observed start-up both plan on it.
func median(_ values: [Double]) -> Double? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
