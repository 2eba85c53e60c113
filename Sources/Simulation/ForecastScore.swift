import Planner

/// How good the forecasts the planner used were, scored where it used them: each tick's forecast
/// (made for its own horizon: start-up + tick + data age) against the arrival rate over the tick
/// that ends at that horizon, and against the naive forecast at the same horizon (the rate over
/// the tick that ended when the forecast was made). Pure.
public struct ForecastScore: Sendable, Equatable, Codable {
    /// Forecasts scored (those whose horizon fell within the run).
    public var scored: Int
    /// Mean absolute error of the median over that of the naive forecast (< 1: better than naive).
    public var mase: Double?
    /// Share of outcomes at or below the median (0.5 when calibrated).
    public var p50Coverage: Double
    /// Share of outcomes at or below the upper quantile (its nominal level when calibrated).
    public var upperCoverage: Double
    /// The upper quantile's nominal level.
    public var upperQuantile: Double
    /// Mean width of the band (upper − median) over the mean outcome.
    public var relativeBandWidth: Double?
    /// The mean horizon, seconds.
    public var meanHorizonSeconds: Double

    /// One tick: its time, the arrival rate over the tick that ends then, and the forecast made then.
    public struct Point: Sendable {
        public var time: Double
        public var arrivalRate: Double
        public var forecast: ForecastInput?

        public init(time: Double, arrivalRate: Double, forecast: ForecastInput?) {
            self.time = time
            self.arrivalRate = arrivalRate
            self.forecast = forecast
        }
    }

    /// `nil` when no forecast's horizon fell within the ticks.
    public static func score(_ ticks: [TickRecord]) -> ForecastScore? {
        score(ticks.map { Point(time: $0.time, arrivalRate: $0.arrivalRate, forecast: $0.forecast) })
    }

    /// `nil` when no forecast's horizon fell within the points (in time order).
    /// - Parameter ageSeconds: how old the arrival rate the forecaster last learned was when the
    ///   forecast was made (the simulator's metric delay): the horizon counts from then, and the
    ///   naive forecast is the rate then.
    public static func score(_ ticks: [Point], ageSeconds: Double = 0) -> ForecastScore? {
        guard !ticks.isEmpty else { return nil }
        /// The first tick ending at or after `time` (ticks are in time order).
        func index(atOrAfter time: Double) -> Int {
            var low = 0, high = ticks.count
            while low < high {
                let middle = (low + high) / 2
                if ticks[middle].time < time - 1e-6 { low = middle + 1 } else { high = middle }
            }
            return low
        }
        var scored = 0, below50 = 0, belowUpper = 0
        var errorSum = 0.0, naiveSum = 0.0, bandSum = 0.0, actualSum = 0.0, horizonSum = 0.0, quantileSum = 0.0
        for tick in ticks {
            guard let forecast = tick.forecast else { continue }
            let base = tick.time - max(0, ageSeconds)
            let j = index(atOrAfter: base + forecast.horizonSeconds)
            guard j < ticks.count else { continue }
            let naive = ticks[min(index(atOrAfter: base), ticks.count - 1)].arrivalRate
            let actual = ticks[j].arrivalRate
            guard actual.isFinite, forecast.p50.isFinite, forecast.upper.isFinite else { continue }
            scored += 1
            errorSum += abs(forecast.p50 - actual)
            naiveSum += abs(naive - actual)
            if actual <= forecast.p50 { below50 += 1 }
            if actual <= forecast.upper { belowUpper += 1 }
            bandSum += forecast.upper - forecast.p50
            actualSum += actual
            horizonSum += forecast.horizonSeconds
            quantileSum += forecast.upperQuantile
        }
        guard scored > 0 else { return nil }
        let n = Double(scored)
        return ForecastScore(
            scored: scored, mase: naiveSum > 0 ? errorSum / naiveSum : nil, p50Coverage: Double(below50) / n,
            upperCoverage: Double(belowUpper) / n, upperQuantile: quantileSum / n,
            relativeBandWidth: actualSum > 0 ? bandSum / actualSum : nil, meanHorizonSeconds: horizonSum / n)
    }
}
