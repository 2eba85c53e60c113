@testable import Planner

/// Rules that never limit: for tests of everything but the rate policies.
let unlimited = ScalingRules(stabilizationWindowSeconds: 0, selectPolicy: .max, policies: [])

/// A policy with no tolerance, no stabilisation, no rate limits and no floor, so a test sees the
/// plan itself; each test turns on what it checks. The start-up time (the plan's lead) is the
/// default 120 s unless given.
func plainPolicy(
    min: Int = 1, max: Int = 100, capacity: Double = 100, utilization: Double = 0.8, slo: Double = 60,
    startup: Double = 120, partitions: Int? = nil
) -> ScalingPolicy {
    ScalingPolicy(
        minReplicas: min, maxReplicas: max, capacity: .fixed(perReplica: capacity),
        targetUtilization: utilization, latencySLOSeconds: slo, startupSeconds: startup, partitions: partitions, tolerance: 0,
        scaleUp: unlimited, scaleDown: unlimited, reactiveFloor: false
    )
}

/// An observation with every value `age` seconds old, the lag `lagAge` when given; `ready`
/// defaults to `current` (every replica ready).
func observe(
    lag: Double? = 0, rate: Double? = 0, throughput: Double? = nil, ready: Int? = nil, current: Int,
    age: Double = 0, lagAge: Double? = nil
) -> Observation {
    Observation(
        lag: lag.map { Sample($0, ageSeconds: lagAge ?? age) },
        arrivalRate: rate.map { Sample($0, ageSeconds: age) },
        throughput: throughput.map { Sample($0, ageSeconds: age) },
        readyReplicas: Sample(ready ?? current, ageSeconds: age),
        desiredReplicas: Sample(current, ageSeconds: age)
    )
}

/// Drives `decide` tick by tick like a controller whose decisions are applied at once.
struct Run {
    var policy: ScalingPolicy
    var state = PlannerState()
    var replicas: Int
    var now: Double = 1_000_000

    init(policy: ScalingPolicy, replicas: Int) {
        self.policy = policy
        self.replicas = replicas
    }

    /// One tick; the decision is applied (the workload's count becomes the decision).
    @discardableResult
    mutating func tick(
        lag: Double? = 0, rate: Double? = 0, throughput: Double? = nil, ready: Int? = nil,
        forecast: ForecastInput? = nil, after seconds: Double = 15, apply: Bool = true
    ) -> Decision {
        now += seconds
        let observation = observe(lag: lag, rate: rate, throughput: throughput, ready: ready, current: replicas)
        let (decision, next) = decide(observation: observation, state: state, policy: policy, forecast: forecast, now: now)
        state = next
        if apply { replicas = decision.desiredReplicas }
        return decision
    }
}
