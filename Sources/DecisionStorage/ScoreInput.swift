import Planner

/// The few numbers of a decision the scorecard reads: the log keeps them in columns so that a
/// 14-day scorecard does not decode every row's JSON.
public struct ScoreInput: Sendable, Equatable {
    public var target: String
    public var timeSeconds: Double
    public var currentReplicas: Int
    public var finalReplicas: Int
    public var reactiveReplicas: Int?
    public var lag: Double?
    public var arrivalRate: Double?
    public var throughput: Double?
    public var capacityPerReplica: Double?
    public var latencySLOSeconds: Double
    public var forecast: ForecastInput?

    public init(
        target: String, timeSeconds: Double, currentReplicas: Int, finalReplicas: Int, reactiveReplicas: Int?, lag: Double?,
        arrivalRate: Double?, throughput: Double?, capacityPerReplica: Double?, latencySLOSeconds: Double, forecast: ForecastInput?
    ) {
        self.target = target
        self.timeSeconds = timeSeconds
        self.currentReplicas = currentReplicas
        self.finalReplicas = finalReplicas
        self.reactiveReplicas = reactiveReplicas
        self.lag = lag
        self.arrivalRate = arrivalRate
        self.throughput = throughput
        self.capacityPerReplica = capacityPerReplica
        self.latencySLOSeconds = latencySLOSeconds
        self.forecast = forecast
    }

    public init(_ record: DecisionRecord) {
        let observation = record.decision.inputs.observation
        self.init(
            target: record.target, timeSeconds: record.timeSeconds, currentReplicas: record.decision.currentReplicas,
            finalReplicas: record.finalReplicas, reactiveReplicas: record.decision.reactiveReplicas, lag: observation.lag?.value,
            arrivalRate: observation.arrivalRate?.value, throughput: observation.throughput?.value,
            capacityPerReplica: record.capacityPerReplica, latencySLOSeconds: record.latencySLOSeconds,
            forecast: record.forecast ?? record.decision.forecast)
    }
}
