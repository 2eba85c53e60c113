import Pipeline
import Planner

/// What a controller is shown at a tick, and may answer.
public struct ControllerView: Sendable {
    public var observation: Observation
    /// Unix seconds of the tick.
    public var now: Double
    /// Seconds since the simulation began.
    public var second: Int
    /// The backlog right now, not delayed: only the clairvoyant yardstick may look.
    public var trueLag: Double
    /// The metrics whose read failed this tick (all of them in a `Scenario.outages` window); the
    /// observation has none of them.
    public var failedMetrics: Set<MetricName>

    public init(observation: Observation, now: Double, second: Int, trueLag: Double, failedMetrics: Set<MetricName> = []) {
        self.observation = observation
        self.now = now
        self.second = second
        self.trueLag = trueLag
        self.failedMetrics = failedMetrics
    }
}

public struct ControllerOutput: Sendable {
    public var desiredReplicas: Int
    /// The forecast the controller used, for plots.
    public var forecast: ForecastInput?
    /// What the controller's safety layer did (Forescale only).
    public var safety: SafetyState?

    public init(desiredReplicas: Int, forecast: ForecastInput? = nil, safety: SafetyState? = nil) {
        self.desiredReplicas = desiredReplicas
        self.forecast = forecast
        self.safety = safety
    }
}

/// A scaling policy under simulation.
public protocol ScalingController {
    var name: String { get }
    mutating func tick(_ view: ControllerView) -> ControllerOutput
}

/// The queue, the replicas and the score of one simulated run.
public struct QueueModel: Sendable {
    public let scenario: Scenario
    public let capacity: Double
    let arrivals: [Double]
    let startTime: Double
    let warmup: Int

    public init(arrivals: [Double], startTime: Double, capacity: Double, scenario: Scenario) {
        self.arrivals = arrivals
        self.startTime = startTime
        self.capacity = capacity
        self.scenario = scenario
        self.warmup = scenario.warmup(span: arrivals.count)
    }

    /// Runs `controller` over the whole trace. `record` is called once per tick for plots.
    public func run(_ controller: inout some ScalingController, record: ((TickRecord) -> Void)? = nil) -> RunResult {
        var state = RunState(scenario: scenario, initialReplicas: scenario.minReplicas, warmup: warmup)
        let history = scenario.metricDelaySeconds + scenario.rateWindowSeconds + 2
        var lagRing = Ring(size: history)
        var arrivedRing = Ring(size: history)
        var processedRing = Ring(size: history)
        var readyRing = Ring(size: history)
        var tickArrivals = 0.0
        for second in 0..<arrivals.count {
            if second > 0, second % scenario.tickSeconds == 0 {
                let seen = second - scenario.metricDelaySeconds
                var output: ControllerOutput?
                var seenInput: StepInput?
                if seen - scenario.rateWindowSeconds >= 0 {
                    let window = Double(scenario.rateWindowSeconds)
                    let outage = scenario.isOutage(second: second)
                    var observation = Observation(
                        lag: Sample(lagRing[seen], ageSeconds: Double(scenario.metricDelaySeconds)),
                        arrivalRate: Sample(
                            (arrivedRing[seen] - arrivedRing[seen - scenario.rateWindowSeconds]) / window,
                            ageSeconds: Double(scenario.metricDelaySeconds)),
                        throughput: Sample(
                            (processedRing[seen] - processedRing[seen - scenario.rateWindowSeconds]) / window,
                            ageSeconds: Double(scenario.metricDelaySeconds)),
                        readyReplicas: Sample(Int(readyRing[seen]), ageSeconds: Double(scenario.metricDelaySeconds)),
                        desiredReplicas: Sample(state.desired))
                    if outage {
                        observation.lag = nil
                        observation.arrivalRate = nil
                        observation.throughput = nil
                    }
                    let view = ControllerView(
                        observation: observation, now: startTime + Double(second), second: second,
                        trueLag: state.queue.total, failedMetrics: outage ? [.lag, .arrivalRate, .throughput] : [])
                    let out = controller.tick(view)
                    state.scale(to: out.desiredReplicas, at: second)
                    if second >= warmup, out.safety == .fallback { state.score.fallbackTicks += 1 }
                    output = out
                    seenInput = view.stepInput
                }
                record?(TickRecord(
                    time: startTime + Double(second), arrivalRate: tickArrivals / Double(scenario.tickSeconds),
                    desired: state.desired, ready: state.ready, lag: state.queue.total, capacity: capacity,
                    arrivedTotal: state.arrivedTotal, processedTotal: state.processedTotal, forecast: output?.forecast,
                    input: seenInput, safety: output?.safety))
                tickArrivals = 0
            }
            state.step(second: second, arrivals: arrivals[second], capacity: capacity)
            tickArrivals += arrivals[second]
            lagRing.set(second, state.queue.total)
            arrivedRing.set(second, state.arrivedTotal)
            processedRing.set(second, state.processedTotal)
            readyRing.set(second, Double(state.ready))
        }
        return state.result(end: arrivals.count, capacity: capacity, name: controller.name)
    }
}

/// One tick of a run, for plots and reports.
public struct TickRecord: Sendable {
    public var time: Double
    public var arrivalRate: Double
    public var desired: Int
    public var ready: Int
    public var lag: Double
    public var capacity: Double
    /// Messages arrived and processed since the start (conservation: arrived = processed + lag).
    public var arrivedTotal: Double
    public var processedTotal: Double
    public var forecast: ForecastInput?
    /// What the controller was given at this tick, as the live loop would be (`nil` before it first decides).
    public var input: StepInput?
    /// What Forescale's safety layer did at this tick (`fallback` during a long metric outage).
    public var safety: SafetyState?
}

/// A fixed-size ring of per-second values, indexed by absolute second.
struct Ring {
    private var values: [Double]
    init(size: Int) { values = Array(repeating: 0, count: size) }
    subscript(second: Int) -> Double { values[second % values.count] }
    mutating func set(_ second: Int, _ value: Double) { values[second % values.count] = value }
}
