/// Burst mode, in the spirit of Knative's panic mode: when the arrival rate seen now is a
/// multiple of what the forecast expected, the plan goes to what the burst needs at once (past
/// the scale-up stabilisation and rate policies, within min/max) and no replica is removed while
/// the burst lasts and for `holdSeconds` after it; the forecast, which learns the new level, and
/// the scale-down window then carry the count out of it instead of letting it collapse when the
/// burst ends.
///
/// The stable estimate is the forecast's median: at the horizon, or the one expected for now when
/// higher (a forecast of a fall is no burst). A hold in force outlives a forecast switched off by
/// the circuit breaker. Scale-up `Disabled` is never bypassed. Without a forecast in use (warming up, circuit
/// open, forecasts off) there is no burst mode: the plan is on the observed rate already, and a
/// recent average measured as the stable estimate made the short Azure LLM trace 1.2–2.3× dearer
/// with no message less late (Benchmarks/simulate/README.md).
public struct BurstPolicy: Sendable, Equatable, Codable {
    public var enabled: Bool
    /// A burst: the rate seen now is at least this multiple of the forecast's median (Knative's
    /// panic threshold is 200 %).
    public var ratio: Double
    /// No scale-down for this long after the last tick of a burst (Knative's stable window, 60 s).
    public var holdSeconds: Double

    public init(enabled: Bool = true, ratio: Double = 2, holdSeconds: Double = 60) {
        self.enabled = enabled
        self.ratio = ratio
        self.holdSeconds = holdSeconds
    }
}

/// What a burst was measured from, for the decision log and the explanation.
public struct BurstInputs: Sendable, Equatable, Codable {
    public enum RateSource: String, Sendable, Equatable, Codable {
        /// The arrival rate metric.
        case observed
        /// Throughput plus the backlog's growth since the last tick (d lag/dt), which may show a
        /// burst before a rate averaged over a window does.
        case backlogGrowth = "backlog_growth"
    }

    /// The rate seen now (messages/s).
    public var rate: Double
    public var rateSource: RateSource
    /// What it is compared with (messages/s): the forecast's median at the horizon, or for now
    /// when that is higher.
    public var expected: Double
    /// Whether this tick is a burst (`rate ≥ ratio × expected`); otherwise the count is only held
    /// because a burst ended less than `holdSeconds` ago.
    public var triggered: Bool
    /// Until when no scale-down happens (Unix seconds).
    public var holdUntil: Double

    /// `rate / expected`; infinite when nothing was expected.
    public var multiple: Double { expected > 0 ? rate / expected : .infinity }
}

/// The burst detector's memory, kept in `PlannerState`.
public struct BurstMemory: Sendable, Equatable, Codable {
    /// The last valid lag and when it was read, for the backlog's growth.
    public var lastLag: Double?
    public var lastLagAt: Double?
    /// No scale-down before this time (the last burst tick plus the hold).
    public var holdUntil: Double?
    /// The expected rate of the last tick that had a forecast (for a hold without one).
    public var lastExpected: Double?

    public init() {}
}

enum Burst {
    /// The burst seen this tick (or the hold after one); the memory is updated with this tick's
    /// lag. Nil when burst mode is off, or neither a burst nor its hold is in force. A missing or
    /// invalid value, or no usable forecast, never triggers a burst; a hold in force stays.
    ///
    /// - Parameter steady: whether the group was steady since the last tick (the same desired
    ///   count, every replica ready). Only then does the backlog's growth count: a rebalance
    ///   while replicas join pauses consumption and grows the lag without more arrivals.
    static func detect(
        data: CheckedObservation, forecast: ForecastInput?, memory: inout BurstMemory, policy: ScalingPolicy, steady: Bool,
        now: Double
    ) -> BurstInputs? {
        let lastLag = memory.lastLag, lastLagAt = memory.lastLagAt
        if let lag = data.lag {
            memory.lastLag = lag
            memory.lastLagAt = now
        }
        // A clock stepped back must not stretch the hold.
        if let until = memory.holdUntil, until - now > policy.burst.holdSeconds { memory.holdUntil = now + policy.burst.holdSeconds }
        guard policy.burst.enabled else {
            memory.holdUntil = nil
            return nil
        }
        guard let observed = data.arrivalRate, policy.forecast.enabled, let forecast, Plan.usable(forecast), forecast.p50.isFinite else {
            return hold(rate: data.arrivalRate ?? 0, memory: &memory, now: now)
        }
        var rate = observed
        var rateSource = BurstInputs.RateSource.observed
        // Arrivals = what was served + what the backlog grew by, since the last tick (or two).
        if steady, let lag = data.lag, let throughput = data.throughput, let lastLag, let lastLagAt,
           now > lastLagAt, now - lastLagAt <= 2 * max(policy.staleAfterSeconds, 1) {
            let fromBacklog = throughput + (lag - lastLag) / (now - lastLagAt)
            if fromBacklog > rate {
                rate = fromBacklog
                rateSource = .backlogGrowth
            }
        }
        // Against what was expected for now as well as at the horizon: a forecast of a fall is no burst.
        var expected = forecast.p50
        if let forNow = forecast.expectedNow, forNow.isFinite, forNow > expected { expected = forNow }
        memory.lastExpected = expected
        // A burst is a multiple of something: from an expected zero, the plan and the activation suffice.
        let triggered = expected > 0 && rate >= policy.burst.ratio * expected
        if triggered { memory.holdUntil = now + policy.burst.holdSeconds }
        guard let holdUntil = memory.holdUntil, triggered || now < holdUntil else {
            memory.holdUntil = nil
            return nil
        }
        return BurstInputs(rate: rate, rateSource: rateSource, expected: expected, triggered: triggered, holdUntil: holdUntil)
    }

    /// Without a burst measurable this tick, the hold after an earlier one while it lasts.
    private static func hold(rate: Double, memory: inout BurstMemory, now: Double) -> BurstInputs? {
        guard let until = memory.holdUntil, now < until else {
            memory.holdUntil = nil
            return nil
        }
        return BurstInputs(
            rate: rate, rateSource: .observed, expected: memory.lastExpected ?? 0, triggered: false, holdUntil: until)
    }
}
