import Forecast
import Planner

/// A per-target forecaster as the step feeds it: the live controller, the replay protocol, the
/// simulator and the demo all go through `TargetStep`, which owns when it learns and how far
/// ahead it is asked.
public protocol TickForecaster: Sendable {
    /// Takes the arrival rate observed at `time` (Unix seconds).
    mutating func observe(time: Double, rate: Double)
    /// The forecast `horizonSeconds` after the last observation, or `nil` while warming up.
    func forecast(horizonSeconds: Double) -> ForecastInput?
    /// Whether the forecaster reports drift now (the circuit breaker may trip on it).
    var isDrifting: Bool { get }
}

extension TickForecaster {
    public var isDrifting: Bool { false }
}

/// The production forecaster behind `TickForecaster`.
///
/// An observation the forecaster rejects (out of order, not finite, negative) is not learned
/// from; the forecast carries on from what it had. `decide` checks the same values separately.
public struct ArrivalForecastAdapter: TickForecaster {
    public private(set) var forecaster: ArrivalForecaster
    /// The median and upper quantile calibrated again at the tick and horizon the step uses
    /// (`HorizonCalibration`); until a day's first 30 forecasts have come due, the forecaster's own.
    public private(set) var calibration: HorizonCalibration?

    /// A forecaster calibrated at the horizon the step asks it for: start-up plus one tick plus
    /// the age the arrival rate is expected to have when read (0 for a Prometheus instant query,
    /// the metric delay in the simulator).
    public init?(policy: ScalingPolicy, tickSeconds: Double, expectedAgeSeconds: Double = 0) {
        var configuration = ArrivalForecasterConfiguration()
        configuration.decisionHorizonSeconds = policy.startupSeconds + tickSeconds + max(0, expectedAgeSeconds)
        configuration.upperQuantile = policy.forecast.upperQuantile
        guard let forecaster = try? ArrivalForecaster(configuration: configuration) else { return nil }
        self.forecaster = forecaster
        if tickSeconds > 0 {
            calibration = try? HorizonCalibration(
                horizonSeconds: configuration.decisionHorizonSeconds, upperQuantile: configuration.upperQuantile,
                window: Int((86_400 / tickSeconds).rounded()))
        }
    }

    public mutating func observe(time: Double, rate: Double) {
        calibration?.observe(time: time, rate: rate)
        try? forecaster.observe(time: time, rate: rate)
        if calibration != nil, let issued = forecaster.forecast(horizonSeconds: forecaster.configuration.decisionHorizonSeconds) {
            calibration?.issue(time: time, point: issued.p50)
        }
    }

    public func forecast(horizonSeconds: Double) -> ForecastInput? {
        guard let f = forecaster.forecast(horizonSeconds: horizonSeconds) else { return nil }
        let (p50, upper) = calibration?.bounds(point: f.p50) ?? (f.p50, f.upper)
        return ForecastInput(
            horizonSeconds: f.horizonSeconds, p50: p50, upper: upper, upperQuantile: f.upperQuantile, model: f.model,
            expectedNow: forecaster.forecast(horizonSeconds: 0)?.p50)
    }

    public var isDrifting: Bool {
        if case .drift = forecaster.driftState { return true }
        return false
    }

    /// Seeds the forecaster with past arrival rates (oldest first). Returns the buckets it holds.
    public mutating func seed(history: [(time: Double, rate: Double)]) throws(ForecastError) -> Int {
        try forecaster.seed(history: history)
        return forecaster.historyCount
    }
}
