/// What `decide` concluded for one target in one tick, and why.
public struct Decision: Sendable, Equatable, Codable {
    /// The replica count to apply (equal to `currentReplicas` when nothing changes).
    public var desiredReplicas: Int
    /// The workload's desired count when the tick observed it.
    public var currentReplicas: Int
    /// What the reactive baseline (KEDA maths under HPA behaviour) asks for in the same tick;
    /// `nil` when it cannot be computed (no valid lag or rate, or no capacity for the rate trigger).
    public var reactiveReplicas: Int?
    /// The plan before any guardrail: replicas to serve the expected rate and drain the backlog.
    /// `nil` when the tick held the count (missing or stale data, unknown capacity).
    public var plannedReplicas: Int?
    /// The forecast the plan used, if any.
    public var forecast: ForecastInput?
    /// Bounded reason codes, in the order they applied: every guardrail that changed the number,
    /// and every condition that made the tick hold.
    public var reasons: [Reason]
    /// One line a person can read.
    public var explanation: String
    public var inputs: DecisionInputs

    public init(
        desiredReplicas: Int,
        currentReplicas: Int,
        reactiveReplicas: Int?,
        plannedReplicas: Int?,
        forecast: ForecastInput?,
        reasons: [Reason],
        explanation: String,
        inputs: DecisionInputs
    ) {
        self.desiredReplicas = desiredReplicas
        self.currentReplicas = currentReplicas
        self.reactiveReplicas = reactiveReplicas
        self.plannedReplicas = plannedReplicas
        self.forecast = forecast
        self.reasons = reasons
        self.explanation = explanation
        self.inputs = inputs
    }

    /// Whether the decision changes the workload.
    public var changesScale: Bool { desiredReplicas != currentReplicas }
}

/// The inputs of a decision and the quantities derived from them.
public struct DecisionInputs: Sendable, Equatable, Codable {
    public var observation: Observation
    public var nowSeconds: Double
    /// Messages per second per replica used by the plan and the rate trigger.
    public var capacityPerReplica: Double?
    public var capacitySource: CapacitySource
    /// The arrival rate the plan served, and where it came from.
    public var expectedArrivalRate: Double?
    public var arrivalRateSource: ArrivalRateSource?
    /// Fractional replicas for the arrival rate at the target utilisation.
    public var serveReplicas: Double?
    /// Fractional replicas to drain the backlog within the latency SLO.
    public var drainReplicas: Double?
    /// The backlog expected when a replica asked for now becomes useful: what `drainReplicas`
    /// drains (messages).
    public var projectedBacklog: Double?
    /// Values that were missing, stale or invalid in this tick.
    public var dataProblems: [DataProblem]

    public init(
        observation: Observation,
        nowSeconds: Double,
        capacityPerReplica: Double? = nil,
        capacitySource: CapacitySource = .unknown,
        expectedArrivalRate: Double? = nil,
        arrivalRateSource: ArrivalRateSource? = nil,
        serveReplicas: Double? = nil,
        drainReplicas: Double? = nil,
        projectedBacklog: Double? = nil,
        dataProblems: [DataProblem] = []
    ) {
        self.observation = observation
        self.nowSeconds = nowSeconds
        self.capacityPerReplica = capacityPerReplica
        self.capacitySource = capacitySource
        self.expectedArrivalRate = expectedArrivalRate
        self.arrivalRateSource = arrivalRateSource
        self.serveReplicas = serveReplicas
        self.drainReplicas = drainReplicas
        self.projectedBacklog = projectedBacklog
        self.dataProblems = dataProblems
    }
}

public enum CapacitySource: String, Sendable, Equatable, Codable {
    case configured
    case learned
    /// The configured starting guess, while too few saturated samples were seen.
    case initial
    case unknown
}

public enum ArrivalRateSource: String, Sendable, Equatable, Codable {
    /// The observed current arrival rate.
    case observed
    /// The forecast's upper quantile over the lead time.
    case forecast
}

/// A value the tick could not use.
public struct DataProblem: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Equatable, Codable {
        /// Not there: the source failed, timed out or answered empty.
        case missing
        /// Older than `ScalingPolicy.staleAfterSeconds`.
        case stale
        /// NaN, infinite, negative or absurdly large.
        case invalid
    }

    public var metric: MetricName
    public var kind: Kind

    public init(metric: MetricName, kind: Kind) {
        self.metric = metric
        self.kind = kind
    }
}

/// Why a decision is what it is. A bounded set: safe as a Prometheus label value.
public enum Reason: String, Sendable, Equatable, Codable, CaseIterable {
    /// A required value was missing: the count was held.
    case missingMetric = "missing_metric"
    /// A required value was older than the staleness limit: the count was held.
    case staleMetric = "stale_metric"
    /// A required value was NaN, infinite, negative or absurd: the count was held.
    case invalidMetric = "invalid_metric"
    /// Capacity is learned and not yet known: the count was held.
    case capacityUnknown = "capacity_unknown"
    /// The forecast was unusable (NaN, negative, absurd) and the current rate was used instead.
    case forecastRejected = "forecast_rejected"
    /// The forecast was below the current rate and forecast-driven scale-down is off.
    case forecastScaleDownBlocked = "forecast_scale_down_blocked"
    /// The change was within the tolerance of the current count.
    case withinTolerance = "within_tolerance"
    /// Raised to the minimum replica count.
    case belowMinReplicas = "below_min_replicas"
    /// Cut to the maximum replica count.
    case aboveMaxReplicas = "above_max_replicas"
    /// Cut to the partition count: more replicas would idle.
    case partitionCap = "partition_cap"
    /// A lower recommendation in the scale-up stabilisation window held the count down.
    case scaleUpStabilized = "scale_up_stabilized"
    /// A higher recommendation in the scale-down stabilisation window held the count up.
    case scaleDownStabilized = "scale_down_stabilized"
    /// The scale-up rate policy limited the increase.
    case scaleUpLimited = "scale_up_limited"
    /// The scale-down rate policy limited the decrease.
    case scaleDownLimited = "scale_down_limited"
    /// Scale-up is disabled (`selectPolicy: Disabled`).
    case scaleUpDisabled = "scale_up_disabled"
    /// Scale-down is disabled (`selectPolicy: Disabled`).
    case scaleDownDisabled = "scale_down_disabled"
    /// Raised to what the reactive baseline asks for.
    case reactiveFloor = "reactive_floor"
}
