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

    /// With `learnStartup`, the horizon is the start-up observed from the ready count (three
    /// scale-ups ready 60 s after they were seen) plus the tick.
    @Test func theHorizonUsesTheObservedStartUpWithLearnStartup() {
        let calls = Calls()
        var policy = ScalingPolicy(maxReplicas: 20, capacity: .fixed(perReplica: 10), startupSeconds: 120)
        policy.learnStartup = true
        var step = TargetStep(policy: policy, tickSeconds: 15, forecaster: Recording(calls: calls))
        var now = 1000.0, desired = 2
        func tick(ready: Int) {
            _ = step.step(StepInput(
                now: now, lag: .value(0, ageSeconds: 0), arrivalRate: .value(5, ageSeconds: 0),
                scale: .read(desired: desired, ready: ready, ageSeconds: 0)))
            now += 15
        }
        tick(ready: 2)
        for _ in 0 ..< 3 {
            let before = desired
            desired += 2
            for _ in 0 ..< 4 { tick(ready: before) }  // seen, then starting for 45 s more
            tick(ready: desired)  // ready 60 s after it was seen
        }
        tick(ready: desired)  // the first tick after the third start-up was measured
        let asked = calls.asked.withLock { $0 }
        #expect(asked.first == 135)  // 120 + 15 before anything was observed
        #expect(asked.last == 75, "\(asked)")  // 60 + 15
        #expect(step.planner.startup?.estimate == 60)
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
