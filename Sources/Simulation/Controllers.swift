import Pipeline
import Planner

/// Forescale as `forescale run` runs it: the production `TargetStep` (forecaster, circuit breaker,
/// `decide`, fallback), fed what the live loop would be given (`ControllerView.stepInput`).
public struct ForescaleController: ScalingController {
    public var name: String
    public private(set) var step: TargetStep
    public var policy: ScalingPolicy { step.policy }
    /// What the last tick decided, with its reasons and safety state.
    public private(set) var lastResult: StepResult?

    public init(
        name: String = "forescale", policy: ScalingPolicy, safety: SafetyPolicy = SafetyPolicy(), tickSeconds: Double = 15,
        forecaster: (any TickForecaster)? = nil
    ) {
        self.name = name
        self.step = TargetStep(policy: policy, safetyPolicy: safety, tickSeconds: tickSeconds, forecaster: forecaster)
    }

    public mutating func tick(_ view: ControllerView) -> ControllerOutput {
        let result = step.step(view.stepInput)
        lastResult = result
        return ControllerOutput(
            desiredReplicas: result.finalReplicas ?? view.observation.desiredReplicas.value,
            forecast: result.decision?.forecast ?? result.forecast, safety: result.safety)
    }
}

extension ControllerView {
    /// What the live loop would be given for this view: each value with its age, a failed read
    /// (`timeout`) for each metric in `failedMetrics`; the scale as read now.
    public var stepInput: StepInput {
        func report(_ metric: MetricName, _ sample: Sample<Double>?) -> MetricReport? {
            if failedMetrics.contains(metric) { return .failed(kind: "timeout", message: "simulated metric outage") }
            return sample.map { .value($0.value, ageSeconds: $0.ageSeconds) }
        }
        return StepInput(
            now: now, lag: report(.lag, observation.lag), arrivalRate: report(.arrivalRate, observation.arrivalRate),
            throughput: report(.throughput, observation.throughput),
            scale: .read(desired: observation.desiredReplicas.value, ready: observation.readyReplicas?.value, ageSeconds: 0))
    }
}

/// KEDA under HPA behaviour: the reactive baseline of `decide`, driving on its own.
///
/// KEDA's lag trigger with a threshold of 30 s of one replica's work, plus an arrival-rate trigger
/// at `utilization`; the HPA's 10 % tolerance, default scale-up (max of 4 pods and 100 % per 15 s)
/// and 300 s scale-down stabilisation. It is the same code that gives Forescale its reactive floor.
///
/// With `minReplicas` 0 it is KEDA's scale to zero, two controllers with a seam: KEDA owns 0 ↔ 1
/// (active while the lag or the arrival rate is above its activation threshold, 0 by default; an
/// active target at zero is set to 1; `cooldownPeriod`, 300 s, after the last active tick it is
/// set to 0 from whatever count it has), and the HPA, with a minimum of 1, owns 1 ↔ N. A metric
/// that cannot be read counts as active (KEDA keeps the scale on a scaler error).
public struct KEDAController: ScalingController {
    public var name: String
    var policy: ScalingPolicy
    var state = PlannerState()
    /// Scale to zero (`minReplicas` 0): KEDA's activation thresholds and cooldown.
    var scaleToZero: Bool
    var activationLag = 0.0
    var activationArrivalRate = 0.0
    var cooldownSeconds = 300.0
    var lastActive: Double?

    public init(capacity: Double, utilization: Double, minReplicas: Int, maxReplicas: Int) {
        name = "keda@\(Self.format(utilization))"
        scaleToZero = minReplicas == 0
        policy = ScalingPolicy(
            minReplicas: max(minReplicas, 1), maxReplicas: maxReplicas, capacity: .fixed(perReplica: capacity),
            targetUtilization: utilization, forecast: ForecastUse(enabled: false),
            reactive: ReactiveBaselinePolicy(lagThresholdSeconds: 30, targetUtilization: utilization))
    }

    public mutating func tick(_ view: ControllerView) -> ControllerOutput {
        let current = view.observation.desiredReplicas.value
        let (decision, next) = decide(observation: view.observation, state: state, policy: policy, now: view.now)
        state = next
        let desired = desired(hpa: decision.reactiveReplicas ?? current, current: current, view: view)
        // The state dates a change it sees applied by the decision that asked for it: KEDA's own,
        // not the plan `decide` also computed, so that KEDA's rate policies never depend on the plan.
        state.noteOverride(replicas: desired, current: current, now: view.now)
        return ControllerOutput(desiredReplicas: desired)
    }

    private mutating func desired(hpa: Int, current: Int, view: ControllerView) -> Int {
        guard scaleToZero else { return hpa }
        let active: Bool
        if let lag = view.observation.lag?.value, let rate = view.observation.arrivalRate?.value {
            active = lag > activationLag || rate > activationArrivalRate
        } else {
            active = true
        }
        if active || lastActive == nil { lastActive = view.now }
        if current == 0 { return active ? 1 : 0 }
        if view.now - (lastActive ?? view.now) >= cooldownSeconds { return 0 }
        return hpa
    }

    static func format(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return "0." + (hundredths % 100 < 10 ? "0" : "") + String(hundredths % 100)
    }
}

/// The HPA on CPU utilisation: a consumer's CPU tracks the work it does, and the HPA counts
/// replicas still starting as idle when scaling up, so the average utilisation is
/// throughput ÷ (current replicas × capacity) and desired = ceil(throughput ÷ (capacity × target)),
/// under the HPA's tolerance and default behaviour. No lag trigger.
public struct HPAController: ScalingController {
    public var name: String
    var keda: KEDAController

    /// The HPA cannot scale to zero: with `minReplicas` 0 it keeps 1.
    public init(capacity: Double, utilization: Double, minReplicas: Int, maxReplicas: Int) {
        name = "hpa@\(KEDAController.format(utilization))"
        keda = KEDAController(capacity: capacity, utilization: utilization, minReplicas: max(minReplicas, 1), maxReplicas: maxReplicas)
        keda.policy.reactive.lagThreshold = .greatestFiniteMagnitude
    }

    public mutating func tick(_ view: ControllerView) -> ControllerOutput {
        var view = view
        // The rate trigger at the target utilisation, fed with the work done instead of the arrivals.
        view.observation.arrivalRate = view.observation.throughput
        return keda.tick(view)
    }
}

/// A yardstick, not a policy anyone can run: it sees the future trace and the true backlog.
/// At each tick it keeps enough replicas for the highest arrival rate until a replica asked for
/// now could be useful (so it never removes a replica it will need before a new one could
/// start), plus what drains the true backlog within the SLO.
public struct ClairvoyantController: ScalingController {
    public let name = "clairvoyant (sees the future)"
    let arrivals: [Double]
    let capacity: Double
    let scenario: Scenario

    public init(arrivals: [Double], capacity: Double, scenario: Scenario) {
        self.arrivals = arrivals
        self.capacity = capacity
        self.scenario = scenario
    }

    public mutating func tick(_ view: ControllerView) -> ControllerOutput {
        let from = min(view.second, arrivals.count - 1)
        let to = min(view.second + scenario.startupSeconds + scenario.tickSeconds + scenario.rebalancePauseSeconds, arrivals.count)
        let peak = arrivals[from..<max(to, from + 1)].max() ?? 0
        let need = peak / capacity + view.trueLag / (capacity * Double(scenario.sloSeconds))
        return ControllerOutput(desiredReplicas: Int((need - 1e-9).rounded(.up)))
    }
}
