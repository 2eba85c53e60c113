import DecisionStorage
import Forecast
import ForescaleConfig
import MetricSources
import NIOCore
import Orchestrators
import Pipeline
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

/// One target's I/O around its pure step: fetch the values and the scale, call `TargetStep`
/// (forecast, `decide`, safety, overrides — the same step replay and simulation call), act, and
/// keep what the status API shows.
///
/// Ticks of one worker never overlap (the scheduler runs one at a time per target); status
/// reads may interleave at the awaits and see the state of the last completed tick.
actor TargetWorker {
    let name: String
    private(set) var config: TargetConfig
    private var requests: [BoundRequest]
    private(set) var orchestrator: any Orchestrator
    private var interval: Double
    private var step: TargetStep
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
        self.step = TargetStep(
            policy: config.policy, safetyPolicy: config.safety, tickSeconds: interval, planner: planner ?? PlannerState(),
            forecaster: TargetStep.productionForecaster(policy: config.policy, tickSeconds: interval))
    }

    var memory: SafetyMemory { step.memory }

    /// The production forecaster, for its view and its backfill.
    private var adapter: ArrivalForecastAdapter? { step.forecaster as? ArrivalForecastAdapter }
    private var forecaster: ArrivalForecaster? { adapter?.forecaster }

    /// Takes a reloaded config. The planner state is kept; the forecaster is kept unless its
    /// horizon or quantile changed (then it starts again and `true` asks for a backfill).
    func reconfigure(config: TargetConfig, requests: [BoundRequest], orchestrator: any Orchestrator, interval: Double) -> Bool {
        let old = (self.config.policy.startupSeconds + self.interval, self.config.policy.forecast.upperQuantile)
        self.config = config
        self.requests = requests
        self.orchestrator = orchestrator
        self.interval = interval
        step.policy = config.policy
        step.safetyPolicy = config.safety
        step.tickSeconds = interval
        guard old != (config.policy.startupSeconds + interval, config.policy.forecast.upperQuantile) else { return false }
        step.forecaster = TargetStep.productionForecaster(policy: config.policy, tickSeconds: interval)
        return true
    }

    var plannerState: PlannerState { step.planner }

    /// What the worker runs with: its target, metric requests and orchestrator.
    var wiring: (TargetConfig, [BoundRequest], any Orchestrator) { (config, requests, orchestrator) }

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
        guard var adapter else { return 0 }
        let count = try adapter.seed(history: history)
        step.forecaster = adapter
        return count
    }

    /// One tick. `actuator` is the live or the shadow actuator, as the target's mode says.
    func tick(now: Double, deadline: NIODeadline, actuator: any Actuator, override: TargetOverride?) async -> TickReport {
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
        var reports: [MetricName: MetricReport] = [:]
        for bound in requests {
            guard let reading = readings[bound.request.metric] else { continue }
            let report = reading.outcome.report(now: now)
            reports[bound.request.metric] = report
            let errorKind: String? = switch report {
            case .value: nil
            case .empty: "empty"
            case .failed(let kind, _): kind
            }
            fetches.append(FetchTiming(
                source: bound.source.settings.name, metric: bound.request.metric.rawValue, seconds: reading.latencySeconds,
                errorKind: errorKind))
        }
        let scale: ScaleReport = switch scaleResult {
        case .success(let value):
            .read(desired: value.desiredReplicas, ready: value.readyReplicas, ageSeconds: max(0, now - value.observedAt.timeIntervalSince1970))
        case .failure(let error): .failed(kind: error.label, message: error.message)
        }
        let result = step.step(StepInput(
            now: now, lag: reports[.lag], arrivalRate: reports[.arrivalRate], throughput: reports[.throughput], scale: scale,
            override: override))
        lastTickSeconds = now
        completedTicks += 1
        // A value read but refused by the step (stale, invalid) counts as a failed read in the
        // fetch-error metric, with the step's kind.
        for problem in result.decision?.inputs.dataProblems ?? [] where problem.kind != .missing {
            if let index = fetches.firstIndex(where: { $0.metric == problem.metric.rawValue && $0.errorKind == nil }) {
                fetches[index].errorKind = problem.kind == .stale ? "stale" : "invalidValue"
            }
        }
        guard let decision = result.decision, let finalReplicas = result.finalReplicas, case .success(let observed) = scaleResult else {
            lastFailure = result.failure
            return TickReport(
                target: name, record: nil, failure: result.failure, transitions: result.transitions, fetches: fetches, forecastError: nil)
        }

        var failure = result.failure
        let outcome: ActOutcome
        if finalReplicas == decision.currentReplicas && actuator.mode == .live {
            outcome = ActOutcome(applied: false, answer: "unchanged \(finalReplicas)")
        } else if NIODeadline.now() > deadline {
            outcome = ActOutcome(applied: false, answer: "deadline passed before acting: nothing applied", failureKind: "deadline")
        } else {
            outcome = await actuator.act(replicas: finalReplicas, observed: observed, decision: decision)
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
            target: name, timeSeconds: now, mode: actuator.mode, decision: decision, finalReplicas: finalReplicas,
            safety: result.safety, safetyNote: result.safetyNote, model: result.forecast?.model, forecast: result.forecast,
            fetchErrors: result.fetchErrors, applied: outcome.applied, orchestratorAnswer: outcome.answer,
            latencySLOSeconds: config.policy.latencySLOSeconds, capacityPerReplica: decision.inputs.capacityPerReplica)
        last = record
        lastFailure = failure
        return TickReport(
            target: name, record: record, failure: failure, transitions: result.transitions, fetches: fetches,
            forecastError: result.forecastError, writeFailure: writeFailure, consecutiveWriteFailures: consecutiveWriteFailures)
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
