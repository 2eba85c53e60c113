import Pipeline
import Planner
import Synchronization
import Testing

/// The step's one rule for the forecaster: a rate is learned at the time it was measured and the
/// forecast asked for start-up + tick + its age; a rate the data check refuses is neither learned
/// nor used to score forecasts.
@Suite("TargetStep feeds the forecaster")
struct TargetStepTests {
    final class Calls: Sendable {
        let observed = Mutex<[(time: Double, rate: Double)]>([])
        let asked = Mutex<[Double]>([])
    }

    struct Recording: TickForecaster {
        let calls: Calls
        mutating func observe(time: Double, rate: Double) { calls.observed.withLock { $0.append((time, rate)) } }
        func forecast(horizonSeconds: Double) -> ForecastInput? {
            calls.asked.withLock { $0.append(horizonSeconds) }
            return nil
        }
    }

    func input(rate: Double, age: Double, at now: Double) -> StepInput {
        StepInput(
            now: now, lag: .value(0, ageSeconds: 0), arrivalRate: .value(rate, ageSeconds: age),
            scale: .read(desired: 2, ready: 2, ageSeconds: 0))
    }

    @Test func freshRatesAreLearnedAtTheirTimeAndRefusedOnesAreNot() {
        let calls = Calls()
        var step = TargetStep(
            policy: ScalingPolicy(maxReplicas: 10, capacity: .fixed(perReplica: 10), startupSeconds: 120), tickSeconds: 15,
            forecaster: Recording(calls: calls))
        _ = step.step(input(rate: 40, age: 30, at: 1000))
        #expect(calls.observed.withLock { $0.map(\.time) } == [970])
        #expect(calls.asked.withLock { $0 } == [165])  // 120 + 15 + 30
        _ = step.step(input(rate: 40, age: 90, at: 1015))  // older than staleAfter (60 s)
        _ = step.step(input(rate: .nan, age: 0, at: 1030))
        _ = step.step(input(rate: -3, age: 0, at: 1045))
        #expect(calls.observed.withLock { $0.count } == 1, "a stale, NaN or negative rate is not learned")
        _ = step.step(input(rate: 50, age: 0, at: 1060))
        #expect(calls.observed.withLock { $0.map(\.time) } == [970, 1060])
        #expect(calls.asked.withLock { $0.last } == 135)
    }
}
