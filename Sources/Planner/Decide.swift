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
    let learning: LearnedCapacity? = if case .learned(let settings) = policy.capacity { settings } else { nil }
    let data = CheckedObservation(observation, staleAfter: policy.staleAfterSeconds, learning: learning != nil)
    let current = data.current
    if !data.problems.contains(where: { $0.metric == .desiredReplicas }) {
        state.recordObservedReplicas(current, now: now)
    }
    state.prune(now: now, policy: policy)

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

    var steps: [Step] = []
    var planned: Int?
    var usedForecast: ForecastInput?
    var result: Int
    let holdReasons = data.holdReasons
    if !holdReasons.isEmpty || capacity.perReplica == nil {
        // Hold. The held count enters the stabilisation window, so that when data returns the
        // plan cannot drop below it before a full scale-down window has passed.
        result = current
        steps = (holdReasons.isEmpty ? [.capacityUnknown] : holdReasons).map { Step(reason: $0, replicas: current) }
        _ = Guardrails.stabilize(
            current, current: current, window: &state.planRecommendations,
            up: policy.scaleUp, down: policy.scaleDown, now: now)
    } else {
        let plan = Plan.make(
            data: data, lagAge: observation.lag?.ageSeconds ?? 0, capacity: capacity.perReplica ?? 0,
            policy: policy, forecast: forecast)
        inputs.expectedArrivalRate = plan.expectedRate
        inputs.arrivalRateSource = plan.rateSource
        inputs.serveReplicas = plan.serve
        inputs.drainReplicas = plan.drain
        inputs.projectedBacklog = plan.backlog
        usedForecast = plan.rateSource == .forecast ? forecast : nil
        planned = Guardrails.replicas(for: plan.need)
        steps += plan.steps

        let tolerated = Guardrails.tolerate(need: plan.need, current: current, tolerance: policy.tolerance)
        result = tolerated.replicas
        if tolerated.held { steps.append(Step(reason: .withinTolerance, replicas: result)) }
        let bounded = Guardrails.bound(result, policy: policy)
        result = bounded.replicas
        steps += bounded.steps
        let stabilized = Guardrails.stabilize(
            result, current: current, window: &state.planRecommendations,
            up: policy.scaleUp, down: policy.scaleDown, now: now)
        result = stabilized.replicas
        if let step = stabilized.step { steps.append(step) }
        let limited = Guardrails.limitRate(
            result, current: current, events: state.scaleEvents,
            up: policy.scaleUp, down: policy.scaleDown, now: now)
        result = limited.replicas
        if let step = limited.step { steps.append(step) }
    }

    if policy.reactiveFloor, let floor = reactive?.replicas, floor > result {
        result = floor
        steps.append(Step(reason: .reactiveFloor, replicas: result))
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
        data: CheckedObservation, lagAge: Double, capacity: Double, policy: ScalingPolicy, forecast: ForecastInput?
    ) -> Plan {
        let observed = data.arrivalRate ?? 0  // present: a missing rate holds before the plan is made
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
            let usable = forecast.upper.isFinite && forecast.upper >= 0 && forecast.upper <= CheckedObservation.absurd
            if !usable {
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
