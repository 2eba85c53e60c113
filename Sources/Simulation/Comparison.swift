import Foundation
import Pipeline
import Planner
import Synchronization

/// Every policy of the standard comparison run on one trace, side by side.
public struct Comparison: Sendable, Codable {
    public var trace: String
    public var capacityPerReplica: Double
    public var simulatedSeconds: Int
    public var warmupSeconds: Int
    public var forescale: RunResult
    /// KEDA swept over target utilisations.
    public var keda: [RunResult]
    public var hpa: RunResult
    public var clairvoyant: RunResult
    /// The scenario's metric outages, if any.
    public var outages: [Scenario.Outage] = []
    /// The scenario's minimum replicas (0: every policy may scale to zero).
    public var minReplicas = 1
    /// The trace's first timestamp (Unix seconds), to date the wake-ups.
    public var traceStart = 0.0
    /// The forecasts Forescale's planner had after the warm-up, scored at their own horizon
    /// (start-up + tick + the metric delay) against the arrivals of the tick that ends there.
    public var forecast: ForecastScore?

    /// The cheapest swept KEDA setting no later than Forescale; `nil` when none is that punctual.
    public var bestTunedReactive: RunResult? {
        keda.filter { $0.latePercent <= forescale.latePercent + 1e-9 }.min { $0.replicaHours < $1.replicaHours }
    }

    /// The target utilisations KEDA is swept over.
    public static let sweep: [Double] = stride(from: 0.5, through: 0.951, by: 0.05).map { ($0 * 100).rounded() / 100 }

    /// The policy Forescale runs with in the simulation: its defaults, sized to the scenario.
    public static func defaultPolicy(capacity: Double, scenario: Scenario) -> ScalingPolicy {
        ScalingPolicy(
            minReplicas: scenario.minReplicas, maxReplicas: scenario.maxReplicas, capacity: .fixed(perReplica: capacity),
            latencySLOSeconds: Double(scenario.sloSeconds), startupSeconds: Double(scenario.startupSeconds))
    }

    /// Forescale as it runs by default: its default policy and the production forecaster,
    /// calibrated at the horizon it is asked for (start-up + one tick + the metric delay).
    public static func defaultController(
        capacity: Double, scenario: Scenario, adjust: (ScalingPolicy) -> ScalingPolicy = { $0 }, safety: SafetyPolicy = SafetyPolicy()
    ) -> ForescaleController {
        let policy = adjust(defaultPolicy(capacity: capacity, scenario: scenario))
        let tick = Double(scenario.tickSeconds)
        return ForescaleController(
            policy: policy, safety: safety, tickSeconds: tick,
            forecaster: TargetStep.productionForecaster(
                policy: policy, tickSeconds: tick, expectedAgeSeconds: Double(scenario.metricDelaySeconds)))
    }

    /// Runs the comparison. `adjust` may change Forescale's policy (it receives the default one,
    /// sized to the scenario).
    public static func run(
        trace: Trace, scenario: Scenario, adjust: (ScalingPolicy) -> ScalingPolicy = { $0 }, safety: SafetyPolicy = SafetyPolicy(),
        record: ((String, TickRecord) -> Void)? = nil,
        progress: ((_ done: Int, _ total: Int, _ running: String) -> Void)? = nil
    ) -> Comparison {
        let total = sweep.count + 3
        var done = 0
        func step(_ name: String) {
            progress?(done, total, name)
            done += 1
        }
        let arrivals = trace.arrivalsPerSecond(spanSeconds: scenario.spanSeconds.map(Double.init))
        let capacity = scenario.capacity(arrivals: arrivals)
        let model = QueueModel(arrivals: arrivals, startTime: trace.start, capacity: capacity, scenario: scenario)
        var ours = defaultController(capacity: capacity, scenario: scenario, adjust: adjust, safety: safety)
        let oursName = ours.name
        step(oursName)
        let warmup = Double(scenario.warmup(span: arrivals.count))
        var points: [ForecastScore.Point] = []
        let oursResult = model.run(&ours) { tick in
            record?(oursName, tick)
            if tick.time - trace.start >= warmup { points.append(ForecastScore.Point(time: tick.time, arrivalRate: tick.arrivalRate, forecast: tick.forecast)) }
        }
        // The baselines are independent runs over the same model: run them side by side.
        step("\(total - 1) baselines, side by side")
        let baselines = Self.runBaselines(model: model, arrivals: arrivals, capacity: capacity, scenario: scenario)
        progress?(total, total, "")
        return Comparison(
            trace: trace.name, capacityPerReplica: capacity, simulatedSeconds: arrivals.count,
            warmupSeconds: scenario.warmup(span: arrivals.count),
            forescale: oursResult, keda: Array(baselines.prefix(sweep.count)), hpa: baselines[sweep.count],
            clairvoyant: baselines[sweep.count + 1], outages: scenario.outages, minReplicas: scenario.minReplicas,
            traceStart: trace.start, forecast: ForecastScore.score(points, ageSeconds: Double(scenario.metricDelaySeconds)))
    }

    /// The KEDA sweep, then the HPA, then the clairvoyant, each on its own core when one is free.
    static func runBaselines(model: QueueModel, arrivals: [Double], capacity: Double, scenario: Scenario) -> [RunResult] {
        let count = sweep.count + 2
        let results = Mutex<[Int: RunResult]>([:])
        DispatchQueue.concurrentPerform(iterations: count) { index in
            let result: RunResult
            if index < sweep.count {
                var controller = KEDAController(
                    capacity: capacity, utilization: sweep[index], minReplicas: scenario.minReplicas, maxReplicas: scenario.maxReplicas)
                result = model.run(&controller)
            } else if index == sweep.count {
                var controller = HPAController(
                    capacity: capacity, utilization: 0.7, minReplicas: scenario.minReplicas, maxReplicas: scenario.maxReplicas)
                result = model.run(&controller)
            } else {
                var controller = ClairvoyantController(arrivals: arrivals, capacity: capacity, scenario: scenario)
                result = model.run(&controller)
            }
            results.withLock { $0[index] = result }
        }
        return results.withLock { all in (0..<count).map { all[$0]! } }
    }
}
