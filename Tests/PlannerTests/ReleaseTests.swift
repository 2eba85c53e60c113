import Testing
@testable import Planner

/// The scale-down window with a usable forecast: a past plan holds in full until the time it was
/// planned for (the start-up), then fades out over as long again; without a forecast, or with
/// `forecast.release` off, it holds for the whole window as the HPA's does.
@Suite("Releasing held plans")
struct ReleaseTests {
    @Test func anEntryHoldsForTheReleaseThenFadesOutLinearly() {
        let entry = TimedCount(time: 0, replicas: 10)
        func held(at age: Double, release: Double?) -> Int {
            Guardrails.held(entry, above: 4, now: age, release: release)
        }
        #expect([0, 60, 120].map { held(at: $0, release: 120) } == [10, 10, 10])
        // 180 s: half of the 6 above the plan is left; 210 s: a quarter (1.5, rounded up).
        #expect(held(at: 180, release: 120) == 7)
        #expect(held(at: 210, release: 120) == 6)
        #expect(held(at: 240, release: 120) == 4)
        #expect(held(at: 500, release: 120) == 4)
        // The HPA's rule without a release; nothing to fade when the plan is as high.
        #expect(held(at: 500, release: nil) == 10)
        #expect(Guardrails.held(entry, above: 12, now: 500, release: 120) == 10)
        // What an entry holds is its sustained part, faded the same way.
        let drain = TimedCount(time: 0, replicas: 10, held: 8)
        #expect(Guardrails.held(drain, above: 4, now: 180, release: 120) == 6)
    }

    /// 100/s per replica at full utilisation, a 120 s start-up and the default 600 s window.
    private func policy(startup: Double = 120) -> ScalingPolicy {
        var policy = plainPolicy(utilization: 1, startup: startup)
        policy.scaleDown = .planScaleDown
        return policy
    }

    private func forecast(_ upper: Double) -> ForecastInput {
        ForecastInput(horizonSeconds: 135, p50: upper * 0.8, upper: upper, model: "test")
    }

    /// Ten replicas asked for by the forecast, then a forecast that needs four; the count each
    /// 15 s tick after.
    private func countsAfterAForecastPeak(_ policy: ScalingPolicy, forecastAfter: Bool = true, ticks: Int = 40) -> [Decision] {
        var run = Run(policy: policy, replicas: 4)
        #expect(run.tick(lag: 0, rate: 300, forecast: forecast(1000)).desiredReplicas == 10)
        return (0..<ticks).map { _ in run.tick(lag: 0, rate: 300, forecast: forecastAfter ? forecast(400) : nil) }
    }

    @Test func withAForecastThePeakIsHeldForTheStartUpThenFades() throws {
        let decisions = countsAfterAForecastPeak(policy())
        let counts = decisions.map(\.desiredReplicas)
        // Ticks 1–8 are 15–120 s after the peak: held in full. Then 6 fades over 120 s, and by
        // 240 s (tick 16) the plan's 4 stands.
        #expect(counts[..<8].allSatisfy { $0 == 10 }, "\(counts)")
        #expect(counts[11] == 7, "180 s after: half the excess, \(counts)")
        #expect(counts[15...].allSatisfy { $0 == 4 }, "\(counts)")
        #expect(counts == counts.sorted(by: >), "never back up while fading: \(counts)")
        let held = decisions[11]
        #expect(held.reasons == [.scaleDownStabilized])
        #expect(held.inputs.holdReleaseSeconds == 120)
        #expect(held.explanation.contains("a past plan holds 120s, until the time it was planned for, then fades out over 120s"), "\(held.explanation)")
    }

    @Test func offOrWithoutAForecastTheWholeWindowHolds() {
        var off = policy()
        off.forecast.release = false
        for (policy, forecastAfter) in [(off, true), (policy(), false)] {
            let decisions = countsAfterAForecastPeak(policy, forecastAfter: forecastAfter)
            let counts = decisions.map(\.desiredReplicas)
            // Held through tick 39 (585 s); at 600 s the peak leaves the window.
            #expect(counts[..<39].allSatisfy { $0 == 10 }, "\(counts)")
            #expect(counts[39] < 10, "\(counts)")
            #expect(decisions.allSatisfy { $0.inputs.holdReleaseSeconds == nil })
            #expect(!decisions[11].explanation.contains("fades"))
        }
    }

    @Test func aStartUpOfSecondsStillHoldsAMinute() {
        let decisions = countsAfterAForecastPeak(policy(startup: 5))
        let counts = decisions.map(\.desiredReplicas)
        #expect(decisions[0].inputs.holdReleaseSeconds == ScalingPolicy.shortestRelease)
        #expect(counts[..<4].allSatisfy { $0 == 10 }, "60 s in full: \(counts)")
        #expect(counts[8...].allSatisfy { $0 == 4 }, "gone after 120 s: \(counts)")
    }

    @Test func theReactiveFloorIsWhatTheTriggersAskForAtTheTick() {
        // KEDA's lag trigger (100 messages per replica) asks for 30 while 3000 wait; once they are
        // drained the baseline's own 300 s window still says 30, but the floor follows the
        // triggers: the plan's count stands.
        var policy = plainPolicy()
        policy.reactive = ReactiveBaselinePolicy(lagThreshold: 100)
        policy.reactiveFloor = true
        policy.reactive.scaleUp = unlimited
        policy.reactive.scaleDown = ScalingRules(stabilizationWindowSeconds: 300, policies: [])
        var run = Run(policy: policy, replicas: 6)
        let floored = run.tick(lag: 3000, rate: 400)
        #expect(floored.desiredReplicas == 30)
        #expect(floored.reasons == [.reactiveFloor])
        let drained = run.tick(lag: 0, rate: 400)
        #expect(drained.reactiveReplicas == 30)
        #expect(drained.desiredReplicas == 5)
        #expect(!drained.reasons.contains(.reactiveFloor))
    }
}
