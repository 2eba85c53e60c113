import Testing
@testable import Planner

/// The scale-down window with a usable forecast: a past plan holds in full until the time it was
/// planned for (the start-up), then fades out over as long again; without a forecast, or with
/// `forecast.release` off, it holds for the whole window as the HPA's does.
@Suite("Releasing held plans")
struct ReleaseTests {
    @Test func anEntryHoldsForTheReleaseThenFadesOutLinearly() {
        let entry = TimedCount(time: 0, replicas: 10, releasable: true)
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
        let drain = TimedCount(time: 0, replicas: 10, held: 8, releasable: true)
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

    @Test func onlyPlansMadeWithAForecastAreReleased() {
        // A seed, a hold and an override hold for the whole window whatever the forecast says:
        // a restart, a metric outage or a fallback never scales down before a full window.
        #expect(Guardrails.held(TimedCount(time: 0, replicas: 10), above: 4, now: 300, release: 120) == 10)
        #expect(Guardrails.held(TimedCount(time: 0, replicas: 10, releasable: true), above: 4, now: 300, release: 120) == 4)

        // A fresh state: the window is seeded with the current 10; a forecast needing 4 keeps 10
        // for the whole 600 s.
        var fresh = Run(policy: policy(), replicas: 10)
        let seeded = (0..<39).map { _ in fresh.tick(lag: 0, rate: 300, forecast: forecast(400)) }
        let counts = seeded.map(\.desiredReplicas)
        #expect(counts.allSatisfy { $0 == 10 }, "\(counts)")
        // Nothing is being released, and the explanation does not say so.
        #expect(seeded.allSatisfy { $0.inputs.holdReleaseSeconds == nil && !$0.explanation.contains("fades") })

        // A metric outage holds 10 (the rate is missing); when it returns with a forecast that
        // needs 4, the held ticks keep 10 for a full window after the last of them.
        var outage = Run(policy: policy(), replicas: 4)
        _ = outage.tick(lag: 0, rate: 300, forecast: forecast(1000))
        for _ in 0..<4 { #expect(outage.tick(lag: 0, rate: nil, forecast: forecast(1000)).desiredReplicas == 10) }
        let after = (0..<38).map { _ in outage.tick(lag: 0, rate: 300, forecast: forecast(400)).desiredReplicas }
        #expect(after.allSatisfy { $0 == 10 }, "\(after)")

        // An override (a fallback, a pin) enters the window whole and is never released.
        var overridden = Run(policy: policy(), replicas: 4)
        _ = overridden.tick(lag: 0, rate: 300, forecast: forecast(400))
        overridden.state.noteOverride(replicas: 10, current: 4, now: overridden.now)
        overridden.replicas = 10
        #expect(overridden.state.planRecommendations.last?.releasable == nil)
        let overriddenTicks = (0..<38).map { _ in overridden.tick(lag: 0, rate: 300, forecast: forecast(400)) }
        let held = overriddenTicks.map(\.desiredReplicas)
        #expect(held.allSatisfy { $0 == 10 }, "\(held)")
        #expect(overriddenTicks.allSatisfy { $0.inputs.holdReleaseSeconds == nil && !$0.explanation.contains("fades") })
    }

    @Test func aReleaseAsLongAsTheWindowIsNotReported() {
        let decisions = countsAfterAForecastPeak(policy(startup: 600))
        #expect(decisions.allSatisfy { $0.inputs.holdReleaseSeconds == nil })
        #expect(decisions[..<39].allSatisfy { $0.desiredReplicas == 10 })
        #expect(!decisions[11].explanation.contains("fades"))
    }

    @Test func theReactiveFloorIsKEDAsCountNeverAboveWhatItsTriggersAskNow() {
        // KEDA's lag trigger (100 messages per replica) asks for 30 while 3000 wait; once they are
        // drained the baseline's own 300 s window still says 30, but the floor follows the
        // triggers down: the plan's count stands.
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

        // Up, the floor is no faster than KEDA: with KEDA's default scale-up (max(4 pods, 100 %)
        // per 15 s) the same lag lifts 6 replicas to 12, not 30.
        policy.reactive.scaleUp = .defaultScaleUp
        var limited = Run(policy: policy, replicas: 6)
        let up = limited.tick(lag: 3000, rate: 400)
        #expect(up.reactiveReplicas == 12)
        #expect(up.desiredReplicas == 12)
        #expect(up.reasons == [.reactiveFloor])
    }
}
