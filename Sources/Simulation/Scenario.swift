/// The standard simulation scenario (docs/simulation.md): a consumer group drains a FIFO queue
/// fed by a trace, in 1 s steps, with the controller deciding every tick.
public struct Scenario: Sendable, Equatable {
    public var tickSeconds = 15
    /// From asking for a replica to that replica consuming.
    public var startupSeconds = 120
    /// The controller sees metrics this late.
    public var metricDelaySeconds = 30
    /// Rates the controller sees are averaged over this window.
    public var rateWindowSeconds = 60
    /// Every change of the consuming replicas pauses the whole group this long (a rebalance).
    public var rebalancePauseSeconds = 5
    /// A message waiting longer than this is late.
    public var sloSeconds = 60
    /// Capacity per replica is sized so the trace's 99.9th-percentile tick rate needs this many replicas.
    public var peakReplicas = 40
    public var minReplicas = 1
    public var maxReplicas = 100
    /// Scored from here; `nil`: min(7 days, 30 % of the simulated span).
    public var warmupSeconds: Int?
    /// Simulate at most this much of the trace from its start (the reference uses 21 days).
    public var spanSeconds: Int? = 21 * 86_400
    /// Windows in which the metric backend is down: every metric read fails (seconds since the
    /// trace's start, `start..<start+duration`). None in the standard scenario.
    public var outages: [Outage] = []

    /// A metric outage: from `startSecond` for `durationSeconds`.
    public struct Outage: Sendable, Equatable, Codable {
        public var startSecond: Int
        public var durationSeconds: Int
        public init(startSecond: Int, durationSeconds: Int) {
            self.startSecond = startSecond
            self.durationSeconds = durationSeconds
        }
    }

    /// Whether the metrics are down at `second`.
    public func isOutage(second: Int) -> Bool {
        outages.contains { second >= $0.startSecond && second < $0.startSecond + $0.durationSeconds }
    }

    public init() {}

    public func warmup(span: Int) -> Int {
        warmupSeconds ?? min(7 * 86_400, Int(Double(span) * 0.3))
    }

    /// Messages per second per replica: the 99.9th percentile of the per-tick arrival rate ÷ `peakReplicas`.
    public func capacity(arrivals: [Double]) -> Double {
        var rates: [Double] = []
        rates.reserveCapacity(arrivals.count / tickSeconds + 1)
        var index = 0
        while index < arrivals.count {
            let end = min(index + tickSeconds, arrivals.count)
            rates.append(arrivals[index..<end].reduce(0, +) / Double(end - index))
            index = end
        }
        rates.sort()
        guard !rates.isEmpty else { return 1 }
        let p999 = rates[min(rates.count - 1, Int((Double(rates.count - 1) * 0.999).rounded()))]
        return max(p999 / Double(peakReplicas), 1e-9)
    }
}
