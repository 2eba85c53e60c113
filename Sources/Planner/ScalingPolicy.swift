/// How one target may be scaled: bounds, capacity, service level and guardrails.
///
/// Every field has the default a new install gets; `ScalingPolicy(maxReplicas:capacity:)` is a
/// complete policy. Durations are seconds.
public struct ScalingPolicy: Sendable, Equatable, Codable {
    public var minReplicas: Int
    public var maxReplicas: Int
    /// Messages per second one replica drains: configured, or learned online.
    public var capacity: CapacityPolicy
    /// Share of a replica's capacity the plan may use for arrivals (0 < u ≤ 1). The default, 1.0,
    /// plans on full capacity because the forecast's upper quantile already carries the margin
    /// for what is not known, and the backlog term catches what it misses
    /// (Benchmarks/simulate/README.md records how it was chosen).
    public var targetUtilization: Double
    /// A message should wait no longer than this; the backlog is planned to drain within it.
    public var latencySLOSeconds: Double
    /// From asking for a replica to that replica being useful.
    public var startupSeconds: Double
    /// Partition count: replicas above it would idle. `nil` when the workload has no partitions.
    public var partitions: Int?
    /// A change smaller than this share of the current count is not made (15 %; HPA's is 10 %).
    public var tolerance: Double
    public var scaleUp: ScalingRules
    public var scaleDown: ScalingRules
    public var forecast: ForecastUse
    /// The plan never goes below the reactive baseline's count, or what its triggers ask for at
    /// the tick when that is lower (`ReactiveBaseline.floor`), unless this is off.
    public var reactiveFloor: Bool
    public var reactive: ReactiveBaselinePolicy
    /// A value older than this is stale: the tick holds the current count.
    public var staleAfterSeconds: Double
    /// How the target sleeps at zero replicas and wakes: in force only when `minReplicas` is 0.
    public var scaleToZero: ScaleToZero
    /// Burst mode: a rate far above the stable estimate goes to what it needs at once.
    public var burst: BurstPolicy
    /// Use the start-up observed from the orchestrator's ready count instead of `startupSeconds`
    /// once a few were seen (`StartupMemory`).
    public var learnStartup: Bool

    public init(
        minReplicas: Int = 1,
        maxReplicas: Int,
        capacity: CapacityPolicy,
        targetUtilization: Double = 1.0,
        latencySLOSeconds: Double = 60,
        startupSeconds: Double = 120,
        partitions: Int? = nil,
        tolerance: Double = 0.15,
        scaleUp: ScalingRules = .defaultScaleUp,
        scaleDown: ScalingRules = .planScaleDown,
        forecast: ForecastUse = ForecastUse(),
        reactiveFloor: Bool = true,
        reactive: ReactiveBaselinePolicy = ReactiveBaselinePolicy(),
        staleAfterSeconds: Double = 60,
        scaleToZero: ScaleToZero = ScaleToZero(),
        burst: BurstPolicy = BurstPolicy(),
        learnStartup: Bool = false
    ) {
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.capacity = capacity
        self.targetUtilization = targetUtilization
        self.latencySLOSeconds = latencySLOSeconds
        self.startupSeconds = startupSeconds
        self.partitions = partitions
        self.tolerance = tolerance
        self.scaleUp = scaleUp
        self.scaleDown = scaleDown
        self.forecast = forecast
        self.reactiveFloor = reactiveFloor
        self.reactive = reactive
        self.staleAfterSeconds = staleAfterSeconds
        self.scaleToZero = scaleToZero
        self.burst = burst
        self.learnStartup = learnStartup
    }

    /// Whether the target may sleep at zero replicas (`minReplicas` 0).
    public var sleeps: Bool { minReplicas == 0 }

    /// The fewest replicas while awake: `minReplicas`, or for a target that sleeps,
    /// `scaleToZero.minWhenActive` (at least 1), within the ceiling.
    public var awakeFloor: Int {
        guard sleeps else { return minReplicas }
        return min(max(1, scaleToZero.minWhenActive), max(1, ceilingReplicas))
    }

    /// How long the scale-down window holds a plan made with a usable forecast in full before it
    /// fades out (`ForecastUse.release`): the start-up, the time it was planned for, and at least
    /// `shortestRelease`, so that a start-up of seconds does not follow the plan tick by tick.
    /// `nil` when `forecast.release` is off, or when that is no shorter than the scale-down window
    /// (a release that would change nothing).
    public var releaseSeconds: Double? {
        let seconds = max(startupSeconds, Self.shortestRelease)
        return forecast.release && seconds < scaleDown.stabilizationWindowSeconds ? seconds : nil
    }

    /// The shortest full hold of `releaseSeconds` (60 s: four ticks at the default interval).
    public static let shortestRelease = 60.0

    /// The highest count the bounds and the partition cap allow.
    public var ceilingReplicas: Int {
        if let partitions { return min(maxReplicas, partitions) }
        return maxReplicas
    }
}

/// Sleeping at zero replicas and waking (a target with `minReplicas` 0). KEDA's semantics are the
/// reference: the target is *active* while its lag or arrival rate is above its activation
/// threshold; an active target asleep wakes, and the last replicas go only once it has been idle
/// (not active) for `idleSeconds`. Unlike KEDA, one planner owns both legs: a wake-up goes
/// straight to the count the plan needs, the way down to `minWhenActive` follows the scale-down
/// rules, and the forecast can wake the target before the traffic arrives.
public struct ScaleToZero: Sendable, Equatable, Codable {
    /// Active while the lag is above this many messages (KEDA's `activationLagThreshold`; 0: any message).
    public var activationLag: Double
    /// Active while the arrival rate is above this (messages per second; 0: any arrival).
    public var activationArrivalRate: Double
    /// The last replicas go (`minWhenActive` → 0) only after this long idle: no lag and no
    /// arrivals above the thresholds (KEDA's `cooldownPeriod`).
    public var idleSeconds: Double
    /// The fewest replicas while awake (at least 1).
    public var minWhenActive: Int
    /// Wake ahead of the traffic: when the forecast's upper quantile at the plan's horizon
    /// (start-up plus one tick) is above `forecastActivationRate`; and never sleep while it is.
    public var predictiveWake: Bool
    /// The forecast rate (messages per second) that wakes a sleeping target ahead of time; `nil`:
    /// the larger of `activationArrivalRate` and one message per latency SLO (a forecast of less
    /// is not worth a replica).
    public var forecastActivationRate: Double?

    public init(
        activationLag: Double = 0, activationArrivalRate: Double = 0, idleSeconds: Double = 300, minWhenActive: Int = 1,
        predictiveWake: Bool = true, forecastActivationRate: Double? = nil
    ) {
        self.activationLag = activationLag
        self.activationArrivalRate = activationArrivalRate
        self.idleSeconds = idleSeconds
        self.minWhenActive = minWhenActive
        self.predictiveWake = predictiveWake
        self.forecastActivationRate = forecastActivationRate
    }
}

extension ScalingPolicy {
    /// The forecast rate above which a sleeping target wakes ahead of time (see `ScaleToZero`).
    public var forecastActivationRate: Double {
        scaleToZero.forecastActivationRate
            ?? max(scaleToZero.activationArrivalRate, latencySLOSeconds > 0 ? 1 / latencySLOSeconds : 0)
    }
}

/// Where the capacity of one replica (messages per second) comes from.
public enum CapacityPolicy: Sendable, Equatable, Codable {
    /// Configured by the user and never changed.
    case fixed(perReplica: Double)
    /// Learned online from throughput per ready replica while the group is saturated.
    case learned(LearnedCapacity)
}

/// Settings of online capacity learning.
public struct LearnedCapacity: Sendable, Equatable, Codable {
    /// Used until enough saturated samples are seen; without it the planner holds until then.
    public var initial: Double?
    /// Bounds on the learned value (messages per second per replica).
    public var minimum: Double?
    public var maximum: Double?
    /// Saturated samples kept; the estimate is their median.
    public var window: Int
    /// Samples needed before the learned value replaces `initial`.
    public var minimumSamples: Int

    public init(initial: Double? = nil, minimum: Double? = nil, maximum: Double? = nil, window: Int = 31, minimumSamples: Int = 5) {
        self.initial = initial
        self.minimum = minimum
        self.maximum = maximum
        self.window = window
        self.minimumSamples = minimumSamples
    }
}

/// HPA-style behaviour for one direction: a stabilisation window and rate policies.
public struct ScalingRules: Sendable, Equatable, Codable {
    public var stabilizationWindowSeconds: Double
    public var selectPolicy: SelectPolicy
    public var policies: [RatePolicy]

    public init(stabilizationWindowSeconds: Double, selectPolicy: SelectPolicy = .max, policies: [RatePolicy]) {
        self.stabilizationWindowSeconds = stabilizationWindowSeconds
        self.selectPolicy = selectPolicy
        self.policies = policies
    }

    /// Kubernetes HPA's default scale-up: no stabilisation, at most max(4 pods, 100 %) per 15 s.
    public static let defaultScaleUp = ScalingRules(
        stabilizationWindowSeconds: 0,
        selectPolicy: .max,
        policies: [RatePolicy(kind: .pods, value: 4, periodSeconds: 15), RatePolicy(kind: .percent, value: 100, periodSeconds: 15)]
    )
    /// Kubernetes HPA's default scale-down: 300 s stabilisation, at most 100 % per 15 s. The
    /// reactive baseline's default.
    public static let defaultScaleDown = ScalingRules(
        stabilizationWindowSeconds: 300,
        selectPolicy: .max,
        policies: [RatePolicy(kind: .percent, value: 100, periodSeconds: 15)]
    )
    /// The plan's default scale-down: the HPA's, with a 600 s stabilisation window. A replica
    /// removed too early costs a full start-up to get back; in the simulations the longer window
    /// halved the scale actions on bursty traces and made them more punctual, for a few percent
    /// more replica-hours (Benchmarks/simulate/README.md).
    public static let planScaleDown: ScalingRules = {
        var rules = defaultScaleDown
        rules.stabilizationWindowSeconds = 600
        return rules
    }()
}

/// Which of several rate policies wins, as HPA's `selectPolicy`.
public enum SelectPolicy: String, Sendable, Equatable, Codable, CaseIterable {
    /// The policy allowing the largest change.
    case max = "Max"
    /// The policy allowing the smallest change.
    case min = "Min"
    /// No change in this direction at all.
    case disabled = "Disabled"
}

/// At most `value` pods, or `value` percent of the count at the period's start, per period.
public struct RatePolicy: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
        case pods = "Pods"
        case percent = "Percent"
    }

    public var kind: Kind
    public var value: Int
    public var periodSeconds: Double

    public init(kind: Kind, value: Int, periodSeconds: Double) {
        self.kind = kind
        self.value = value
        self.periodSeconds = periodSeconds
    }
}

/// How the forecast may steer the plan.
public struct ForecastUse: Sendable, Equatable, Codable {
    /// Plan on the forecast's upper quantile when one is given; otherwise on the current rate.
    public var enabled: Bool
    /// Let a forecast lower than the current rate scale the workload down ahead of time.
    /// Off by default: the forecast can then only raise the plan.
    public var allowScaleDown: Bool
    /// The quantile of the arrival rate the plan provisions for (0.5 < q < 1); the forecaster
    /// calibrates its upper bound to it.
    public var upperQuantile: Double
    /// While a usable forecast is in hand, the scale-down window releases a past plan made with a
    /// usable forecast once the time it was planned for has passed: it holds in full for the
    /// start-up, then fades out over as long again (`Guardrails.held`). Off: the whole window for
    /// every plan, as the HPA.
    public var release: Bool

    public init(enabled: Bool = true, allowScaleDown: Bool = false, upperQuantile: Double = 0.9, release: Bool = true) {
        self.enabled = enabled
        self.allowScaleDown = allowScaleDown
        self.upperQuantile = upperQuantile
        self.release = release
    }
}

/// The reactive baseline: what KEDA under HPA behaviour would ask for in the same tick.
public struct ReactiveBaselinePolicy: Sendable, Equatable, Codable {
    /// KEDA's `lagThreshold`: messages of lag per replica. `nil` derives it from the capacity
    /// as `lagThresholdSeconds` of one replica's work.
    public var lagThreshold: Double?
    public var lagThresholdSeconds: Double
    /// The rate trigger's target utilisation; `nil` uses the policy's `targetUtilization`.
    public var targetUtilization: Double?
    public var tolerance: Double
    public var scaleUp: ScalingRules
    public var scaleDown: ScalingRules

    public init(
        lagThreshold: Double? = nil,
        lagThresholdSeconds: Double = 30,
        targetUtilization: Double? = nil,
        tolerance: Double = 0.1,
        scaleUp: ScalingRules = .defaultScaleUp,
        scaleDown: ScalingRules = .defaultScaleDown
    ) {
        self.lagThreshold = lagThreshold
        self.lagThresholdSeconds = lagThresholdSeconds
        self.targetUtilization = targetUtilization
        self.tolerance = tolerance
        self.scaleUp = scaleUp
        self.scaleDown = scaleDown
    }
}
