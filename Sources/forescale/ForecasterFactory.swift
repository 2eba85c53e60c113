import Pipeline
import Planner

/// The forecaster the CLI gives each replayed target: the production one, as `forescale run` does.
enum ForecasterFactory {
    static func make(_ policy: ScalingPolicy, tickSeconds: Double) -> (any TickForecaster)? {
        TargetStep.productionForecaster(policy: policy, tickSeconds: tickSeconds)
    }
}
