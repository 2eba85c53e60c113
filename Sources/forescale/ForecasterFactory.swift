import Planner
import Simulation

/// The forecaster the CLI gives each replayed or simulated target.
enum ForecasterFactory {
    static func make(_ policy: ScalingPolicy, tickSeconds: Double) -> (any TickForecaster)? {
        ArrivalForecastAdapter(policy: policy, tickSeconds: tickSeconds)
    }
}
