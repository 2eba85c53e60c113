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
    /// Sleep and wake-up of a target that scales to zero (`minReplicas` 0); `nil` for the others.
    public var scaleToZero: SleepInputs?
    /// A burst seen this tick, or the hold after one; `nil` otherwise.
    public var burst: BurstInputs?
    /// The start-up the plan used (seconds): the configured one, or the observed one with
    /// `learnStartup`.
    public var startupSeconds: Double?
    /// The median observed start-up, once a few were seen (whether used or not).
    public var observedStartupSeconds: Double?
    /// When the scale-down window held the count this tick with plans made with a usable forecast
    /// only (`forecast.release`): how long such a plan holds in full before what it holds above
    /// the current plan fades out over as long again (`Guardrails.held`). `nil` otherwise: no
    /// hold, or one that lasts the whole window, as the HPA's.
    public var holdReleaseSeconds: Double?

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

/// Where a target that scales to zero stands: asleep since when, idle for how long, and what
/// wakes it. For the decision log, the status API and the dashboard.
public struct SleepInputs: Sendable, Equatable, Codable {
    /// Since when the workload has been at zero replicas (Unix seconds), while it is.
    public var asleepSince: Double?
    /// How long the target has been idle (no lag, no arrivals above the activation thresholds),
    /// seconds; `nil` while it is active or cannot tell (a metric missing or invalid).
    public var idleSeconds: Double?
    /// The idle period after which the last replica goes (seconds).
    public var idlePeriodSeconds: Double
    /// What wakes the target (or keeps it awake), in words: `lag > 0, arrival rate > 0/s or forecast p90 > 0.02/s`.
    public var wakesWhen: String

    public init(asleepSince: Double?, idleSeconds: Double?, idlePeriodSeconds: Double, wakesWhen: String) {
        self.asleepSince = asleepSince
        self.idleSeconds = idleSeconds
        self.idlePeriodSeconds = idlePeriodSeconds
        self.wakesWhen = wakesWhen
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
    /// Scale to zero: woken from zero by lag or arrivals above the activation thresholds, straight
    /// to the count the plan needs.
    case wakeOnActivity = "wake_on_activity"
    /// Scale to zero: woken from zero ahead of the traffic, by the forecast's upper quantile.
    case wakeOnForecast = "wake_on_forecast"
    /// Scale to zero: kept at zero, nothing to wake for.
    case asleep = "asleep"
    /// Scale to zero: the last replicas went after the idle period.
    case idleSleep = "idle_sleep"
    /// Scale to zero: idle, but not yet for the idle period; the last replicas stay.
    case idleCooldown = "idle_cooldown"
    /// Scale to zero: idle for the idle period, but the forecast says messages are coming; kept awake.
    case forecastKeepsAwake = "forecast_keeps_awake"
    /// Burst mode: the rate seen now is a multiple of the stable estimate; straight to what it
    /// needs, past the scale-up stabilisation and rate policies.
    case burst = "burst"
    /// Burst mode: no scale-down during a burst and for the hold after it.
    case burstHold = "burst_hold"
}
