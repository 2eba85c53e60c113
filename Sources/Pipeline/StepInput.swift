import Planner

/// What a metric source answered for one value this tick, as the live loop sees it. Validity
/// (stale, NaN, negative, absurd) is not judged here: the step judges it, once, for every path.
public enum MetricReport: Sendable, Equatable {
    /// A value measured `ageSeconds` before the tick.
    case value(Double, ageSeconds: Double)
    /// The source answered with no value (no series, no such consumer group), saying why.
    case empty(String)
    /// The read failed; `kind` is bounded (`timeout`, `connection`, `httpStatus`, `decode`, …).
    case failed(kind: String, message: String)
}

/// The workload's scale as the orchestrator answered it this tick.
public enum ScaleReport: Sendable, Equatable {
    /// Desired (and ready, when reported) replicas, read `ageSeconds` before the tick.
    case read(desired: Int, ready: Int?, ageSeconds: Double)
    /// The scale could not be read: nothing can be decided this tick.
    case failed(kind: String, message: String)
}

/// Everything one tick of one target is decided from. `nil` metrics are not configured.
public struct StepInput: Sendable, Equatable {
    public var now: Double
    public var lag: MetricReport?
    public var arrivalRate: MetricReport?
    public var throughput: MetricReport?
    public var scale: ScaleReport
    /// The override in force, if any (the step applies it only while active at `now`).
    public var override: TargetOverride?

    public init(
        now: Double, lag: MetricReport? = nil, arrivalRate: MetricReport? = nil, throughput: MetricReport? = nil, scale: ScaleReport,
        override: TargetOverride? = nil
    ) {
        self.now = now
        self.lag = lag
        self.arrivalRate = arrivalRate
        self.throughput = throughput
        self.scale = scale
        self.override = override
    }
}

/// What one tick decided: the decision, the count to apply after safety and overrides, and what
/// changed in the target's safety state.
public struct StepResult: Sendable {
    /// `nil` when the scale could not be read: there was nothing to decide from.
    public var decision: Decision?
    /// The count to apply: `decide`'s, then the fallback, then the override. `nil` without a decision.
    public var finalReplicas: Int?
    public var safety: SafetyState
    /// What safety or an override did, for the explanation (empty when nothing).
    public var safetyNote: String
    /// Changes of the fallback or the circuit breaker, for the audit log.
    public var transitions: [Safety.Transition]
    /// The forecast offered to the plan this tick (before the circuit breaker), and its model.
    public var forecast: ForecastInput?
    /// Each value the tick could not use: metric name → `kind: message`.
    public var fetchErrors: [String: String]
    /// The first failure of the tick (a metric, the scale, invalid data), if any.
    public var failure: TargetFailure?
    /// |p50 − actual| of a forecast that came due this tick, if one did.
    public var forecastError: Double?
}
