/// A value read for one tick, with how old it was when the tick used it.
///
/// `ageSeconds` is the time between the value's own timestamp (as the metric source reported it)
/// and the tick's `now`. A value older than `ScalingPolicy.staleAfterSeconds` is stale.
public struct Sample<Value: Sendable & Equatable & Codable>: Sendable, Equatable, Codable {
    public var value: Value
    public var ageSeconds: Double

    public init(_ value: Value, ageSeconds: Double = 0) {
        self.value = value
        self.ageSeconds = ageSeconds
    }
}

/// Everything the decision core sees of one target in one tick.
///
/// A metric value is `nil` when it is missing: the source failed, timed out or answered empty.
/// A missing value is never read as zero; `decide` holds the current count instead.
public struct Observation: Sendable, Equatable, Codable {
    /// Messages waiting to be consumed (consumer lag, queue depth).
    public var lag: Sample<Double>?
    /// Messages arriving per second, averaged over the source's rate window.
    public var arrivalRate: Sample<Double>?
    /// Messages processed per second by the whole group.
    public var throughput: Sample<Double>?
    /// Replicas that serve now.
    public var readyReplicas: Sample<Int>?
    /// The workload's current desired count (its spec). Required: a tick that cannot read
    /// the workload's scale has nothing to decide from and produces no decision.
    public var desiredReplicas: Sample<Int>

    public init(
        lag: Sample<Double>? = nil,
        arrivalRate: Sample<Double>? = nil,
        throughput: Sample<Double>? = nil,
        readyReplicas: Sample<Int>? = nil,
        desiredReplicas: Sample<Int>
    ) {
        self.lag = lag
        self.arrivalRate = arrivalRate
        self.throughput = throughput
        self.readyReplicas = readyReplicas
        self.desiredReplicas = desiredReplicas
    }
}

/// The values an observation carries, as named in reasons, problems and explanations.
public enum MetricName: String, Sendable, Codable, CaseIterable {
    case lag
    case arrivalRate
    case throughput
    case readyReplicas
    case desiredReplicas
}

/// The arrival-rate forecast a forecaster hands to `decide`.
///
/// `upper` is the upper quantile (`upperQuantile`, 0.9 by default) of the arrival rate expected
/// `horizonSeconds` after the tick (start-up time plus one interval).
public struct ForecastInput: Sendable, Equatable, Codable {
    public var horizonSeconds: Double
    public var p50: Double
    public var upper: Double
    public var upperQuantile: Double
    /// The model that made it, for the decision log and explanations (e.g. `holt-winters(add, 1440)`).
    public var model: String
    /// The median the forecaster expected for the time the arrival rate was measured (what burst
    /// mode compares the rate seen with, beside `p50`); nil when the forecaster does not say.
    public var expectedNow: Double?

    public init(
        horizonSeconds: Double, p50: Double, upper: Double, upperQuantile: Double = 0.9, model: String, expectedNow: Double? = nil
    ) {
        self.horizonSeconds = horizonSeconds
        self.p50 = p50
        self.upper = upper
        self.upperQuantile = upperQuantile
        self.model = model
        self.expectedNow = expectedNow
    }
}
