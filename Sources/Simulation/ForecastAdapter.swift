import Forecast
import Planner

/// The production forecaster behind the simulator's and the replay protocol's `TickForecaster`.
///
/// An observation the forecaster rejects (out of order, not finite, negative) is not learned
/// from; the forecast carries on from what it had. `decide` checks the same values separately.
public struct ArrivalForecastAdapter: TickForecaster {
    var forecaster: ArrivalForecaster

    /// A forecaster calibrated at the policy's decision horizon: start-up plus one tick.
    public init?(policy: ScalingPolicy, tickSeconds: Double) {
        var configuration = ArrivalForecasterConfiguration()
        configuration.decisionHorizonSeconds = policy.startupSeconds + tickSeconds
        configuration.upperQuantile = policy.forecast.upperQuantile
        guard let forecaster = try? ArrivalForecaster(configuration: configuration) else { return nil }
        self.forecaster = forecaster
    }

    public mutating func observe(time: Double, rate: Double) {
        try? forecaster.observe(time: time, rate: rate)
    }

    public func forecast(horizonSeconds: Double) -> ForecastInput? {
        forecaster.forecast(horizonSeconds: horizonSeconds).map {
            ForecastInput(horizonSeconds: $0.horizonSeconds, p50: $0.p50, upper: $0.upper, upperQuantile: $0.upperQuantile, model: $0.model)
        }
    }
}
