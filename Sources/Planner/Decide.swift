/// The decision core: one target, one tick. Pure and synchronous: no I/O, no clock, no logging.
///
/// - Parameters:
///   - observation: what the metric sources and the orchestrator reported this tick.
///   - state: what `decide` returned last tick for this target (`PlannerState()` at first).
///   - policy: the target's scaling policy.
///   - forecast: the arrival-rate forecast over the lead time, when a forecaster has one.
///   - now: the tick's time, Unix seconds.
/// - Returns: the decision and the state to pass to the next tick.
///
/// The plan: replicas to serve the expected arrival rate at the target utilisation, plus
/// replicas to drain, within the latency SLO, the backlog expected when a replica asked for now
/// becomes useful (see `Plan.projectedBacklog`); a plan below the current count drains today's
/// lag with the replicas it keeps. The expected rate is the
/// forecast's upper quantile when the policy uses forecasts (never below the observed rate unless
/// forecast-driven scale-down is allowed), else the observed rate. The guardrails then apply in
/// the order documented on `Guardrails`. A missing, stale or invalid lag, arrival rate or
/// current count holds the current count: it is never read as zero and never scales down.
public func decide(
    observation: Observation,
    state: PlannerState,
    policy: ScalingPolicy,
    forecast: ForecastInput? = nil,
    now: Double
) -> (decision: Decision, state: PlannerState) {
    var state = state
    var policy = policy
    let previousCount = state.lastObservedReplicas
    let learning: LearnedCapacity? = if case .learned(let settings) = policy.capacity { settings } else { nil }
    let data = CheckedObservation(observation, staleAfter: policy.staleAfterSeconds, learning: learning != nil)
    let current = data.current
    let currentKnown = !data.problems.contains { $0.metric == .desiredReplicas }
    if currentKnown {
        state.recordObservedReplicas(current, now: now)
        state.startup?.observe(desired: current, ready: data.readyReplicas, now: now)
    }
    state.prune(now: now, policy: policy)
    policy.startupSeconds = policy.startupSeconds(learned: state.startup)

    let capacity: CapacityEstimate
    if let learning {
        state.capacity.learn(lag: data.lag, throughput: data.throughput, readyReplicas: data.readyReplicas, settings: learning)
        capacity = state.capacity.estimate(settings: learning)
    } else if case .fixed(let perReplica) = policy.capacity {
        capacity = CapacityEstimate(perReplica: perReplica, source: .configured)
    } else {
        capacity = CapacityEstimate(perReplica: nil, source: .unknown)
    }

    let reactive = ReactiveBaseline.compute(
        data: data, capacity: capacity.perReplica, policy: policy, state: &state, now: now)
    var inputs = DecisionInputs(
        observation: observation, nowSeconds: now,
        capacityPerReplica: capacity.perReplica, capacitySource: capacity.source,
        dataProblems: data.problems
    )

    // Scale to zero: whether the target is active, and since when it has been idle or asleep.
    let sleeps = policy.sleeps
    let activity = Activity(data, policy: policy)
    if sleeps {
        if state.lastActiveAt == nil || activity != .idle { state.lastActiveAt = now }
        if currentKnown { state.asleepSince = current == 0 ? (state.asleepSince ?? now) : nil }
    }
    let forecastUsable = policy.forecast.enabled && forecast.map(Plan.usable) == true
    let forecastWakes = sleeps && policy.scaleToZero.predictiveWake && forecastUsable
        && forecast.map { $0.upper > policy.forecastActivationRate } == true

    // With a usable forecast the scale-down window releases a plan made with one once the time it
    // was planned for has passed (`Guardrails.held`); without one it holds for the whole window.
    let release = forecastUsable ? policy.releaseSeconds : nil

    var burstMemory = state.burst ?? BurstMemory()
    let steady = previousCount == current && data.readyReplicas == current
    let burst = Burst.detect(data: data, forecast: forecast, memory: &burstMemory, policy: policy, steady: steady, now: now)
    state.burst = burstMemory
    inputs.burst = burst
    inputs.startupSeconds = policy.startupSeconds
    inputs.observedStartupSeconds = state.startup?.estimate

    var steps: [Step] = []
    var planned: Int?
    var usedForecast: ForecastInput?
    var result: Int
    var asleepStaying = false
    let holdReasons = data.holdReasons
    func makePlan() -> Plan {
        let plan = Plan.make(
            data: data, lagAge: observation.lag?.ageSeconds ?? 0, capacity: capacity.perReplica ?? 0,
            policy: policy, forecast: forecast, burstRate: burst.flatMap { $0.triggered ? $0.rate : nil })
        inputs.expectedArrivalRate = plan.expectedRate
        inputs.arrivalRateSource = plan.rateSource
        inputs.serveReplicas = plan.serve
        inputs.drainReplicas = plan.drain
        inputs.projectedBacklog = plan.backlog
        usedForecast = plan.rateSource == .forecast ? forecast : nil
        planned = Guardrails.replicas(for: plan.need)
        steps += plan.steps
        return plan
    }
    // What the scale-down window holds of a plan: the replicas the arrival rate needs, not those
    // planned to drain a backlog once. A backlog drained is gone; holding its replicas for the
    // whole window paid for them ten minutes after every burst (Benchmarks/simulate/README.md).
    func sustained(_ plan: Plan) -> Int {
        let serve = Guardrails.tolerate(need: plan.serve, current: current, tolerance: policy.tolerance).replicas
        return Guardrails.bound(serve, policy: policy, minimum: policy.awakeFloor).replicas
    }
    if sleeps, current == 0, holdReasons.isEmpty {
        // Asleep. Activity wakes the target, and so does a forecast of traffic within the
        // start-up; either way straight to the count the plan needs (at least the awake floor),
        // past the stabilisation window and the rate policies, which govern a running group.
        // Without a known capacity a wake-up goes to the awake floor.
        let plan = capacity.perReplica != nil ? makePlan() : nil
        let wake: Reason? = activity == .active ? .wakeOnActivity : forecastWakes ? .wakeOnForecast : nil
        if let wake {
            let bounded = Guardrails.bound(max(policy.awakeFloor, planned ?? 0), policy: policy)
            result = bounded.replicas
            steps += bounded.steps
            steps.append(Step(reason: wake, replicas: result))
        } else {
            result = 0
            asleepStaying = true
            steps.append(Step(reason: .asleep, replicas: 0))
        }
        Guardrails.record(
            result, in: &state.planRecommendations, now: now, holding: plan.map(sustained), releasable: plan != nil && release != nil)
    } else if !holdReasons.isEmpty || capacity.perReplica == nil {
        // Hold. The held count enters the stabilisation window, so that when data returns the
        // plan cannot drop below it before a full scale-down window has passed.
        result = current
        steps = (holdReasons.isEmpty ? [.capacityUnknown] : holdReasons).map { Step(reason: $0, replicas: current) }
        _ = Guardrails.stabilize(
            current, current: current, window: &state.planRecommendations,
            up: policy.scaleUp, down: policy.scaleDown, now: now)
    } else {
        let plan = makePlan()
        let tolerated = Guardrails.tolerate(need: plan.need, current: current, tolerance: policy.tolerance)
        result = tolerated.replicas
        if tolerated.held { steps.append(Step(reason: .withinTolerance, replicas: result)) }
        // A target that sleeps keeps its awake floor while awake; it goes to zero only below.
        let bounded = Guardrails.bound(result, policy: policy, minimum: policy.awakeFloor)
        result = bounded.replicas
        steps += bounded.steps
        if let burst, burst.triggered, result > current, policy.scaleUp.selectPolicy != .disabled {
            // A burst: straight to what it needs, past the scale-up stabilisation and rate policies.
            Guardrails.record(result, in: &state.planRecommendations, now: now, holding: sustained(plan), releasable: release != nil)
            steps.append(Step(reason: .burst, replicas: result))
        } else {
            let stabilized = Guardrails.stabilize(
                result, current: current, window: &state.planRecommendations,
                up: policy.scaleUp, down: policy.scaleDown, now: now, holding: sustained(plan), release: release)
            result = stabilized.replicas
            if let step = stabilized.step { steps.append(step) }
            if stabilized.releasing { inputs.holdReleaseSeconds = release }
            let limited = Guardrails.limitRate(
                result, current: current, events: state.scaleEvents,
                up: policy.scaleUp, down: policy.scaleDown, now: now)
            result = limited.replicas
            if let step = limited.step { steps.append(step) }
        }
        if burst != nil, result < current {
            result = current
            steps.append(Step(reason: .burstHold, replicas: current))
        }
    }

    // The reactive floor (`ReactiveBaseline.floor`). A target asleep with nothing to wake for
    // stays asleep: the reactive baseline (KEDA's maths without its activation threshold) does not
    // wake it.
    if policy.reactiveFloor, !asleepStaying, let floor = reactive?.floor, floor > result {
        result = floor
        steps.append(Step(reason: .reactiveFloor, replicas: result))
    }

    // Scale to zero: the last replicas go once the rules have brought the group down to its
    // awake floor and the target has been idle for the idle period, unless the forecast says
    // messages are coming. Never on missing or invalid data (that is not idle).
    if sleeps, current > 0, current <= policy.awakeFloor, result <= policy.awakeFloor, holdReasons.isEmpty, activity == .idle {
        let idleFor = now - (state.lastActiveAt ?? now)
        if forecastWakes {
            steps.append(Step(reason: .forecastKeepsAwake, replicas: result))
        } else if idleFor >= policy.scaleToZero.idleSeconds {
            result = 0
            // The awake floor held the count until now; it does not explain the sleep.
            steps.removeAll { $0.reason == .belowMinReplicas }
            steps.append(Step(reason: .idleSleep, replicas: 0))
        } else {
            steps.append(Step(reason: .idleCooldown, replicas: result))
        }
    }
    if sleeps {
        inputs.scaleToZero = SleepInputs(
            asleepSince: state.asleepSince,
            idleSeconds: activity == .idle ? now - (state.lastActiveAt ?? now) : nil,
            idlePeriodSeconds: policy.scaleToZero.idleSeconds,
            wakesWhen: Explanation.wakeCondition(policy: policy, forecastUsable: forecast.map(Plan.usable) == true))
    }

    state.noteDecision(from: current, to: result, now: now)
    let decision = Decision(
        desiredReplicas: result,
        currentReplicas: current,
        reactiveReplicas: reactive?.replicas,
        plannedReplicas: planned,
        forecast: usedForecast,
        reasons: steps.map(\.reason),
        explanation: Explanation.line(
            current: current, desired: result, planned: planned, inputs: inputs, forecast: usedForecast,
            policy: policy, steps: steps),
        inputs: inputs
    )
    return (decision, state)
}

/// The plan before guardrails: the fractional replicas the expected load needs.
struct Plan {
    var expectedRate: Double
    var rateSource: ArrivalRateSource
    var serve: Double
    var drain: Double
    /// The backlog `drain` plans for.
    var backlog: Double
    var steps: [Step]

    var need: Double { serve + drain }

    static func make(
        data: CheckedObservation, lagAge: Double, capacity: Double, policy: ScalingPolicy, forecast: ForecastInput?,
        burstRate: Double? = nil
    ) -> Plan {
        // Present: a missing rate holds before the plan is made. In a burst, the rate it was seen at
        // (the backlog's growth may show it before the rate metric does).
        let observed = max(data.arrivalRate ?? 0, burstRate ?? 0)
        let lag = data.lag ?? 0
        let perReplica = capacity * policy.targetUtilization
        let drainedInSLO = capacity * policy.latencySLOSeconds  // by one replica
        let lead = max(0, policy.startupSeconds) + max(0, lagAge)
        var backlog = projectedBacklog(
            lag: lag, arrivalRate: observed, capacity: capacity, current: data.current, ready: data.readyReplicas, lead: lead)
        let drain = backlog / drainedInSLO
        var steps: [Step] = []
        var rate = observed
        var source = ArrivalRateSource.observed
        if policy.forecast.enabled, let forecast {
            if !usable(forecast) {
                steps.append(Step(reason: .forecastRejected, replicas: Guardrails.replicas(for: observed / perReplica + drain)))
            } else if forecast.upper >= observed || policy.forecast.allowScaleDown {
                rate = forecast.upper
                source = .forecast
            } else {
                let withForecast = Guardrails.replicas(for: forecast.upper / perReplica + drain)
                let withObserved = Guardrails.replicas(for: observed / perReplica + drain)
                if withForecast < withObserved {
                    steps.append(Step(reason: .forecastScaleDownBlocked, replicas: withObserved))
                }
            }
        }
        let serve = rate / perReplica
        // A plan below the current count removes replicas at once, not after the lead: the
        // replicas it keeps must drain today's lag within the SLO, so it never plans on less than
        // the lag. Between the two it holds.
        // Capped at what the current count drains: the projection showed no need to scale up.
        // (Never below the projection: that plan was below the current count.)
        if backlog < lag, Guardrails.replicas(for: serve + drain) < data.current {
            backlog = min(lag, max(0, Double(data.current) - serve) * drainedInSLO)
        }
        return Plan(
            expectedRate: rate, rateSource: source, serve: serve, drain: backlog / drainedInSLO, backlog: backlog, steps: steps)
    }

    /// Whether a forecast can be planned on: finite, not negative, not absurd.
    static func usable(_ forecast: ForecastInput) -> Bool {
        forecast.upper.isFinite && forecast.upper >= 0 && forecast.upper <= CheckedObservation.absurd
    }

    /// The backlog expected when a replica asked for now becomes useful, `lead` seconds after the
    /// lag was read (start-up plus the lag's age): the lag, plus what arrives at the observed rate,
    /// minus what the replicas serving meanwhile drain at full capacity; never below zero.
    ///
    /// Replicas serving meanwhile: the ready ones (at most the desired count: a scale-down removes
    /// replicas at once), plus half of those still starting — they join during the lead time, on
    /// average half-way through. Without a valid ready count the current replicas are not
    /// credited at all: the backlog is never planned below the lag (as before the projection).
    ///
    /// Planning on the projection rather than on today's lag adds no replicas for a backlog the
    /// current ones will have drained before a new one could help, and plans earlier for a
    /// backlog that grows (Benchmarks/simulate/README.md records the effect). It never lowers
    /// the count: `make` keeps today's lag as the floor of any plan below the current count.
    static func projectedBacklog(lag: Double, arrivalRate: Double, capacity: Double, current: Int, ready: Int?, lead: Double) -> Double {
        guard let ready else { return max(lag, lag + (arrivalRate - Double(current) * capacity) * lead) }
        let serving = Double(min(ready, current)) + Double(max(0, current - ready)) / 2
        return max(0, lag + (arrivalRate - serving * capacity) * lead)
    }
}

/// Scale to zero: whether a target is active this tick (KEDA's activation: lag or arrival rate
/// above its threshold), idle, or cannot tell because a value is missing, stale or invalid —
/// which is never read as idle.
enum Activity: Equatable {
    case active
    case idle
    case unknown

    init(_ data: CheckedObservation, policy: ScalingPolicy) {
        let thresholds = policy.scaleToZero
        if let lag = data.lag, lag > thresholds.activationLag {
            self = .active
        } else if let rate = data.arrivalRate, rate > thresholds.activationArrivalRate {
            self = .active
        } else if data.lag == nil || data.arrivalRate == nil {
            self = .unknown
        } else {
            self = .idle
        }
    }
}
