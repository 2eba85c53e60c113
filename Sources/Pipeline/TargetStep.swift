import Planner

/// One target's decision pipeline, pure: what `forescale run`, `forescale replay`, `forescale
/// simulate` and the demo each call once per tick, so that what replay and simulation prove is
/// what production decides.
///
/// It owns everything between the fetched outcomes and the count to apply: turning outcomes into
/// the observation (a value's age kept), feeding the forecaster (one rule for the sample's age),
/// choosing the horizon, the forecast circuit breaker, `decide`, the fallback, overrides, and the
/// bookkeeping of the planner state. No I/O, no clock reads, no logging: time is `input.now`.
public struct TargetStep: Sendable {
    public var policy: ScalingPolicy
    public var safetyPolicy: SafetyPolicy
    /// The tick interval in seconds.
    public var tickSeconds: Double
    public var planner: PlannerState
    public var memory: SafetyMemory
    /// `nil` plans from the observed rate only.
    public var forecaster: (any TickForecaster)?

    public init(
        policy: ScalingPolicy, safetyPolicy: SafetyPolicy = SafetyPolicy(), tickSeconds: Double, planner: PlannerState = PlannerState(),
        memory: SafetyMemory = SafetyMemory(), forecaster: (any TickForecaster)?
    ) {
        self.policy = policy
        self.safetyPolicy = safetyPolicy
        self.tickSeconds = tickSeconds
        self.planner = planner
        self.memory = memory
        self.forecaster = forecaster
    }

    /// The production forecaster for `policy`, calibrated at the horizon the step asks it for.
    /// It runs even when `forecast.enabled` is off (the plan then ignores it; the status API still
    /// shows its band and the scorecard its accuracy).
    public static func productionForecaster(policy: ScalingPolicy, tickSeconds: Double, expectedAgeSeconds: Double = 0) -> (any TickForecaster)? {
        ArrivalForecastAdapter(policy: policy, tickSeconds: tickSeconds, expectedAgeSeconds: expectedAgeSeconds)
    }

    /// The horizon the forecaster is asked for when the arrival rate is `ageSeconds` old: the
    /// rate at the moment a replica asked for now is useful (start-up plus one tick from now).
    /// With `learnStartup`, the start-up observed once a few were seen.
    public func horizon(ageSeconds: Double) -> Double {
        policy.startupSeconds(learned: planner.startup) + tickSeconds + max(0, ageSeconds)
    }

    /// What is wrong with a value the data check refused, with the value: `lag is stale (95 s old;
    /// staleAfter 60 s)`, `arrivalRate is invalid (NaN)`.
    static func describe(_ problem: DataProblem, in observation: Observation, staleAfter: Double) -> String {
        let sample: Sample<Double>? = switch problem.metric {
        case .lag: observation.lag
        case .arrivalRate: observation.arrivalRate
        case .throughput: observation.throughput
        case .readyReplicas: observation.readyReplicas.map { Sample(Double($0.value), ageSeconds: $0.ageSeconds) }
        case .desiredReplicas: Sample(Double(observation.desiredReplicas.value), ageSeconds: observation.desiredReplicas.ageSeconds)
        }
        let name = "\(problem.metric.rawValue) is \(problem.kind.rawValue)"
        guard let sample else { return name }
        switch problem.kind {
        case .stale: return "\(name) (\(Int(sample.ageSeconds.rounded())) s old; staleAfter \(Int(staleAfter.rounded())) s)"
        case .invalid: return "\(name) (\(MetricValidity.problem(sample.value) ?? "\(sample.value)"))"
        case .missing: return name
        }
    }

    /// One tick.
    public mutating func step(_ input: StepInput) -> StepResult {
        let now = input.now
        var fetchErrors: [String: String] = [:]
        var failure: TargetFailure?
        func sample(_ metric: MetricName, _ report: MetricReport?) -> Sample<Double>? {
            let problem: (kind: String, message: String)
            switch report {
            case nil: return nil
            case .value(let value, let age)?: return Sample(value, ageSeconds: max(0, age))
            case .empty(let why)?: problem = ("empty", why)
            case .failed(let kind, let message)?: problem = (kind, message)
            }
            fetchErrors[metric.rawValue] = "\(problem.kind): \(problem.message)"
            if failure == nil {
                failure = TargetFailure(stage: "source", metric: metric.rawValue, kind: problem.kind, message: problem.message, atSeconds: now)
            }
            return nil
        }
        let lag = sample(.lag, input.lag)
        let rate = sample(.arrivalRate, input.arrivalRate)
        let throughput = sample(.throughput, input.throughput)

        let desired: Int, ready: Int?, scaleAge: Double
        switch input.scale {
        case .failed(let kind, let message):
            let scaleFailure = TargetFailure(stage: "orchestrator", kind: kind, message: message, atSeconds: now)
            let transition = Safety.noteTick(memory: &memory, failed: true, failure: "scale: \(kind)", policy: safetyPolicy)
            return StepResult(
                decision: nil, finalReplicas: nil, safety: memory.fallbackActive ? .fallback : .holding, safetyNote: "",
                transitions: transition.map { [$0] } ?? [], forecast: nil, fetchErrors: fetchErrors, failure: scaleFailure,
                forecastError: nil)
        case .read(let d, let r, let age):
            (desired, ready, scaleAge) = (d, r, max(0, age))
        }
        let observation = Observation(
            lag: lag, arrivalRate: rate, throughput: throughput, readyReplicas: ready.map { Sample($0, ageSeconds: scaleAge) },
            desiredReplicas: Sample(desired, ageSeconds: scaleAge))

        // The rate was measured `age` seconds ago: the forecaster learns it then, and is asked for
        // the rate when a replica asked for now is useful. A rate the data check refuses (stale,
        // NaN, negative) is neither learned nor used to score past forecasts.
        let usableRate = rate.flatMap { MetricValidity.problem($0, staleAfter: policy.staleAfterSeconds) == nil ? $0 : nil }
        var forecast: ForecastInput?
        var drifting = false
        if var model = forecaster {
            // Released while it learns, so that the model's buffers (days of history) are mutated
            // in place rather than copied on write every tick.
            forecaster = nil
            let age = usableRate?.ageSeconds ?? 0
            if let usableRate { model.observe(time: now - age, rate: usableRate.value) }
            forecast = model.forecast(horizonSeconds: horizon(ageSeconds: age))
            drifting = model.isDrifting
            forecaster = model
        }
        let scoredBefore = memory.scored
        var transitions: [Safety.Transition] = []
        let judged = Safety.judgeForecast(
            memory: &memory, observedRate: usableRate?.value, forecast: forecast, drifting: drifting, policy: safetyPolicy, now: now)
        if let transition = judged.transition { transitions.append(transition) }
        let forecastError = memory.scored != scoredBefore ? memory.scored.last?.forecast : nil

        let (decision, next) = decide(
            observation: observation, state: planner, policy: policy, forecast: judged.useForecast ? forecast : nil, now: now)
        planner = next

        let tickFailed = !fetchErrors.isEmpty || !decision.inputs.dataProblems.isEmpty
        if failure == nil, let problem = decision.inputs.dataProblems.first {
            failure = TargetFailure(
                stage: "source", metric: problem.metric.rawValue, kind: problem.kind.rawValue,
                message: Self.describe(problem, in: observation, staleAfter: policy.staleAfterSeconds), atSeconds: now)
        }
        let failureText = failure.map { "\($0.metric ?? $0.stage): \($0.kind)" }
        if let transition = Safety.noteTick(memory: &memory, failed: tickFailed, failure: failureText, policy: safetyPolicy) {
            transitions.append(transition)
        }
        let final = Safety.finalCount(
            decision: decision, memory: memory, tickFailed: tickFailed, override: input.override, policy: safetyPolicy, now: now)
        if final.replicas != decision.desiredReplicas {
            planner.noteOverride(replicas: final.replicas, current: decision.currentReplicas, now: now)
        }
        return StepResult(
            decision: decision, finalReplicas: final.replicas, safety: final.state, safetyNote: final.note, transitions: transitions,
            forecast: forecast, fetchErrors: fetchErrors, failure: failure, forecastError: forecastError)
    }
}
