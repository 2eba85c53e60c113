import Forecast
import ForescaleConfig
import MetricSources
import NIOCore
import Orchestrators
import Planner

/// How long one metric read took, for `/metrics`.
public struct FetchTiming: Sendable, Equatable {
    public var source: String
    public var metric: String
    public var seconds: Double
    public var errorKind: String?
}

/// What one tick of one target produced.
public struct TickReport: Sendable {
    public var target: String
    /// `nil` when the workload's scale could not be read: there was nothing to decide from.
    public var record: DecisionRecord?
    /// The first failure of the tick (a metric, the scale, the orchestrator), if any.
    public var failure: TargetFailure?
    /// Safety transitions (fallback, circuit breaker) to audit.
    public var transitions: [Safety.Transition]
    public var fetches: [FetchTiming]
    /// The absolute error of the forecast that came due this tick, if one did.
    public var forecastError: Double?
    /// Set when the tick was live and writing the count failed (the orchestrator refused or could
    /// not be reached, or the deadline passed before it was asked).
    public var writeFailure: TargetFailure?
    /// Live ticks in a row whose write failed, this one included.
    public var consecutiveWriteFailures = 0
}

/// One target's state and its tick: fetch, forecast, `decide`, safety, act.
///
/// Ticks of one worker never overlap (the scheduler runs one at a time per target); status
/// reads may interleave at the awaits and see the state of the last completed tick.
actor TargetWorker {
    let name: String
    private(set) var config: TargetConfig
    private var requests: [BoundRequest]
    private(set) var orchestrator: any Orchestrator
    private var interval: Double
    private var planner: PlannerState
    private var forecaster: ArrivalForecaster?
    private(set) var memory = SafetyMemory()
    private(set) var last: DecisionRecord?
    private(set) var lastFailure: TargetFailure?
    /// Live ticks in a row whose write failed; a successful write or a shadow tick resets it, a
    /// tick that had nothing to write leaves it as it is.
    private(set) var consecutiveWriteFailures = 0
    /// The last failed write, while `consecutiveWriteFailures > 0`.
    private(set) var lastWriteFailure: TargetFailure?
    private(set) var lastTickSeconds: Double?
    private(set) var completedTicks = 0

    init(config: TargetConfig, requests: [BoundRequest], orchestrator: any Orchestrator, interval: Double, planner: PlannerState?) {
        self.name = config.name
        self.config = config
        self.requests = requests
        self.orchestrator = orchestrator
        self.interval = interval
        self.planner = planner ?? PlannerState()
        self.forecaster = Self.makeForecaster(config.policy, interval: interval)
    }

    static func makeForecaster(_ policy: ScalingPolicy, interval: Double) -> ArrivalForecaster? {
        var configuration = ArrivalForecasterConfiguration()
        configuration.decisionHorizonSeconds = policy.startupSeconds + interval
        configuration.upperQuantile = policy.forecast.upperQuantile
        return try? ArrivalForecaster(configuration: configuration)
    }

    /// Takes a reloaded config. The planner state is kept; the forecaster is kept unless its
    /// horizon or quantile changed (then it starts again and `true` asks for a backfill).
    func reconfigure(config: TargetConfig, requests: [BoundRequest], orchestrator: any Orchestrator, interval: Double) -> Bool {
        let old = (self.config.policy.startupSeconds + self.interval, self.config.policy.forecast.upperQuantile)
        self.config = config
        self.requests = requests
        self.orchestrator = orchestrator
        self.interval = interval
        guard old != (config.policy.startupSeconds + interval, config.policy.forecast.upperQuantile) else { return false }
        forecaster = Self.makeForecaster(config.policy, interval: interval)
        return true
    }

    var plannerState: PlannerState { planner }

    /// What the status API shows of this worker, as of its last tick.
    struct View: Sendable {
        var last: DecisionRecord?
        var memory: SafetyMemory
        var lastFailure: TargetFailure?
        var workload: String
        var consecutiveWriteFailures = 0
        var lastWriteFailure: TargetFailure?
    }

    var view: View {
        View(
            last: last, memory: memory, lastFailure: lastFailure, workload: orchestrator.targetDescription,
            consecutiveWriteFailures: consecutiveWriteFailures, lastWriteFailure: lastWriteFailure)
    }

    /// The request whose history seeds the forecaster: the arrival rate, when its source keeps history.
    var backfillRequest: (source: any RangeMetricSource, query: PrometheusQuery)? {
        guard let bound = requests.first(where: { $0.request.metric == .arrivalRate }),
              let source = bound.source as? any RangeMetricSource,
              case .prometheus(let query) = bound.request.query else { return nil }
        return (source, query)
    }

    /// Seeds the forecaster with past arrival rates (oldest first). Returns the buckets it holds.
    func seed(history: [(time: Double, rate: Double)]) throws(ForecastError) -> Int {
        guard var forecaster else { return 0 }
        try forecaster.seed(history: history)
        self.forecaster = forecaster
        return forecaster.historyCount
    }

    /// One tick. `actuator` is the live or the shadow actuator, as the target's mode says.
    func tick(now: Double, deadline: NIODeadline, actuator: any Actuator, override: TargetOverride?) async -> TickReport {
        let policy = config.policy
        async let readingsTask = TargetFetch.readAll(requests, deadline: deadline)
        let scaleResult: Result<WorkloadScale, OrchestratorError>
        do {
            scaleResult = .success(try await orchestrator.currentScale())
        } catch let error as OrchestratorError {
            scaleResult = .failure(error)
        } catch {
            scaleResult = .failure(OrchestratorError(.connection, "\(error)"))
        }
        let readings = await readingsTask

        var fetches: [FetchTiming] = []
        var fetchErrors: [String: String] = [:]
        var failure: TargetFailure?
        for bound in requests {
            guard let reading = readings[bound.request.metric] else { continue }
            // A failed read, an empty answer and a stale value are all a value the tick cannot use.
            let problem: (kind: String, message: String)? = switch reading.outcome {
            case .failed(let error): (error.kind.rawValue, error.message)
            case .empty(let why): ("empty", why)
            case .stale(_, _, let age): ("stale", "the newest value is \(Int(age)) s old")
            case .value: nil
            }
            fetches.append(FetchTiming(
                source: bound.source.settings.name, metric: bound.request.metric.rawValue, seconds: reading.latencySeconds,
                errorKind: problem?.kind))
            if let problem {
                fetchErrors[bound.request.metric.rawValue] = "\(problem.kind): \(problem.message)"
                if failure == nil {
                    failure = TargetFailure(
                        stage: "source", metric: bound.request.metric.rawValue, kind: problem.kind, message: problem.message, atSeconds: now)
                }
            }
        }

        let scale: WorkloadScale
        switch scaleResult {
        case .failure(let error):
            let scaleFailure = TargetFailure(stage: "orchestrator", kind: error.label, message: error.message, atSeconds: now)
            var transitions: [Safety.Transition] = []
            if let t = Safety.noteTick(memory: &memory, failed: true, failure: "scale: \(error.label)", policy: config.safety) { transitions.append(t) }
            lastFailure = scaleFailure
            lastTickSeconds = now
            completedTicks += 1
            return TickReport(target: name, record: nil, failure: scaleFailure, transitions: transitions, fetches: fetches, forecastError: nil)
        case .success(let value): scale = value
        }

        let samples = TargetFetch.samples(readings, now: now)
        let scaleAge = max(0, now - scale.observedAt.timeIntervalSince1970)
        let observation = Observation(
            lag: samples.lag, arrivalRate: samples.arrivalRate, throughput: samples.throughput,
            readyReplicas: scale.readyReplicas.map { Sample($0, ageSeconds: scaleAge) },
            desiredReplicas: Sample(scale.desiredReplicas, ageSeconds: scaleAge))

        // Forecast: learn the observed rate, then forecast over the lead time.
        let observedRate = samples.arrivalRate?.value
        if let rate = observedRate, rate.isFinite, rate >= 0 { try? forecaster?.observe(time: now, rate: rate) }
        let output = forecaster?.forecast(horizonSeconds: policy.startupSeconds + interval)
        let forecast = output.map {
            ForecastInput(horizonSeconds: $0.horizonSeconds, p50: $0.p50, upper: $0.upper, upperQuantile: $0.upperQuantile, model: $0.model)
        }
        let drifting: Bool = if case .drift? = output?.drift { true } else { false }
        let scoredBefore = memory.scored
        var transitions: [Safety.Transition] = []
        let judged = Safety.judgeForecast(
            memory: &memory, observedRate: observedRate, forecast: forecast, drifting: drifting, policy: config.safety, now: now)
        if let t = judged.transition { transitions.append(t) }
        let forecastError = memory.scored != scoredBefore ? memory.scored.last?.forecast : nil

        let (decision, state) = decide(
            observation: observation, state: planner, policy: policy, forecast: judged.useForecast ? forecast : nil, now: now)
        planner = state

        let tickFailed = !fetchErrors.isEmpty || !decision.inputs.dataProblems.isEmpty
        if failure == nil, let problem = decision.inputs.dataProblems.first {
            failure = TargetFailure(
                stage: "source", metric: problem.metric.rawValue, kind: problem.kind.rawValue,
                message: "\(problem.metric.rawValue) is \(problem.kind.rawValue)", atSeconds: now)
        }
        let failureText = failure.map { "\($0.metric ?? $0.stage): \($0.kind)" }
        if let t = Safety.noteTick(memory: &memory, failed: tickFailed, failure: failureText, policy: config.safety) { transitions.append(t) }
        let final = Safety.finalCount(
            decision: decision, memory: memory, tickFailed: tickFailed, override: override, policy: config.safety, now: now)
        if final.replicas != decision.desiredReplicas {
            planner.noteOverride(replicas: final.replicas, current: decision.currentReplicas, now: now)
        }

        let outcome: ActOutcome
        if final.replicas == decision.currentReplicas && actuator.mode == .live {
            outcome = ActOutcome(applied: false, answer: "unchanged \(final.replicas)")
        } else if NIODeadline.now() > deadline {
            outcome = ActOutcome(applied: false, answer: "deadline passed before acting: nothing applied", failureKind: "deadline")
        } else {
            outcome = await actuator.act(replicas: final.replicas, observed: scale, decision: decision)
        }
        var writeFailure: TargetFailure?
        if let kind = outcome.failureKind {
            failure = TargetFailure(stage: "orchestrator", kind: kind, message: outcome.answer, atSeconds: now)
            if actuator.mode == .live { writeFailure = failure }
        }
        if let writeFailure {
            consecutiveWriteFailures += 1
            lastWriteFailure = writeFailure
        } else if outcome.applied || actuator.mode != .live {
            consecutiveWriteFailures = 0
            lastWriteFailure = nil
        }

        let record = DecisionRecord(
            target: name, timeSeconds: now, mode: actuator.mode, decision: decision, finalReplicas: final.replicas,
            safety: final.state, safetyNote: final.note, model: output?.model, forecast: forecast, fetchErrors: fetchErrors,
            applied: outcome.applied, orchestratorAnswer: outcome.answer, latencySLOSeconds: policy.latencySLOSeconds,
            capacityPerReplica: decision.inputs.capacityPerReplica)
        last = record
        lastFailure = failure
        lastTickSeconds = now
        completedTicks += 1
        return TickReport(
            target: name, record: record, failure: failure, transitions: transitions, fetches: fetches, forecastError: forecastError,
            writeFailure: writeFailure, consecutiveWriteFailures: consecutiveWriteFailures)
    }

    /// The forecaster's view for the status API: the next hour every 5 minutes from `now`.
    func forecastView(now: Double) -> ForecastView {
        let drift: String = switch forecaster?.driftState {
        case .drift?: "drift"
        case .stable?: "stable"
        case .warmingUp?, nil: "warming_up"
        }
        var points: [ForecastPoint] = []
        if let forecaster {
            for minutes in stride(from: 5, through: 60, by: 5) {
                let horizon = Double(minutes) * 60
                if let f = forecaster.forecast(horizonSeconds: horizon) {
                    points.append(ForecastPoint(timeSeconds: now + horizon, p50: f.p50, upper: f.upper))
                }
            }
        }
        return ForecastView(
            model: forecaster?.modelName, drift: drift, upperQuantile: config.policy.forecast.upperQuantile,
            history: forecaster?.historyCount ?? 0, nextHour: points)
    }
}
