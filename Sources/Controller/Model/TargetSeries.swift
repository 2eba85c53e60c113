import DecisionStorage
/// One point of a target's chart series (`GET /v1/targets/{name}/series`).
///
/// Each point is the last decision of its time bucket. `forecastP50` and `forecastUpper` are the
/// forecast the decision used, made at `time` for `time + forecastHorizon`.
public struct SeriesPoint: Sendable, Equatable, Codable {
    /// Unix seconds of the decision.
    public var time: Double
    /// Observed arrival rate (messages per second).
    public var arrivalRate: Double?
    public var forecastP50: Double?
    public var forecastUpper: Double?
    /// Seconds ahead of `time` the forecast is for.
    public var forecastHorizon: Double?
    /// `capacityPerReplica × replicas` (messages per second).
    public var capacity: Double?
    /// The replicas that ran (the workload's observed count).
    public var replicas: Int
    /// The decision's final count (applied in live mode, recorded in shadow mode).
    public var planned: Int
    /// What the reactive baseline asked for.
    public var reactive: Int?

    public init(
        time: Double, arrivalRate: Double? = nil, forecastP50: Double? = nil, forecastUpper: Double? = nil, forecastHorizon: Double? = nil,
        capacity: Double? = nil, replicas: Int, planned: Int, reactive: Int? = nil
    ) {
        self.time = time
        self.arrivalRate = arrivalRate
        self.forecastP50 = forecastP50
        self.forecastUpper = forecastUpper
        self.forecastHorizon = forecastHorizon
        self.capacity = capacity
        self.replicas = replicas
        self.planned = planned
        self.reactive = reactive
    }

    public init(_ input: ScoreInput) {
        self.init(
            time: input.timeSeconds, arrivalRate: input.arrivalRate, forecastP50: input.forecast?.p50, forecastUpper: input.forecast?.upper,
            forecastHorizon: input.forecast?.horizonSeconds, capacity: input.capacityPerReplica.map { $0 * Double(input.currentReplicas) },
            replicas: input.currentReplicas, planned: input.finalReplicas, reactive: input.reactiveReplicas)
    }
}

/// A target's decisions over a window, downsampled for the dashboard's chart.
public struct TargetSeries: Sendable, Equatable, Codable {
    public var target: String
    public var fromSeconds: Double
    public var toSeconds: Double
    /// Oldest first, at most `maxPoints`.
    public var points: [SeriesPoint]

    /// The most points a series holds, whatever its window.
    public static let maxPoints = 720

    public init(target: String, fromSeconds: Double, toSeconds: Double, points: [SeriesPoint]) {
        self.target = target
        self.fromSeconds = fromSeconds
        self.toSeconds = toSeconds
        self.points = points
    }

    /// The series of `inputs` within `from...to`: the window is cut into `maxPoints` equal
    /// buckets and each bucket keeps its last decision, so a 14-day window stays small.
    public static func downsample(
        target: String, inputs: [ScoreInput], from: Double, to: Double, maxPoints: Int = TargetSeries.maxPoints
    ) -> TargetSeries {
        let sorted = inputs.filter { $0.timeSeconds >= from && $0.timeSeconds <= to }.sorted { $0.timeSeconds < $1.timeSeconds }
        let limit = max(1, maxPoints)
        guard sorted.count > limit, to > from else {
            return TargetSeries(target: target, fromSeconds: from, toSeconds: to, points: sorted.suffix(limit).map(SeriesPoint.init))
        }
        let width = (to - from) / Double(limit)
        var points: [SeriesPoint] = []
        points.reserveCapacity(limit)
        var currentBucket = -1
        for input in sorted {
            let bucket = min(limit - 1, Int((input.timeSeconds - from) / width))
            if bucket == currentBucket {
                points[points.count - 1] = SeriesPoint(input)
            } else {
                points.append(SeriesPoint(input))
                currentBucket = bucket
            }
        }
        return TargetSeries(target: target, fromSeconds: from, toSeconds: to, points: points)
    }
}
