import Foundation
import Testing
@testable import Planner

private func forecast(p50: Double, upper: Double? = nil) -> ForecastInput {
    ForecastInput(horizonSeconds: 135, p50: p50, upper: upper ?? p50 * 1.2, model: "test")
}

/// Burst mode: Knative's panic mode with the forecast as the stable estimate.
@Suite("Bursts")
struct BurstTests {
    /// 100/s per replica at 80 %, a 60 s SLO, 120 s start-up; the HPA's scale-up rate (4 pods or
    /// 100 % per 15 s).
    static func policy(burst: Bool = true) -> ScalingPolicy {
        var policy = plainPolicy()
        policy.scaleUp = .defaultScaleUp
        policy.burst.enabled = burst
        return policy
    }

    @Test func aBurstGoesStraightToWhatItNeedsPastTheRateLimit() {
        // 800/s arriving where the forecast expected 100/s: 10 replicas to serve, and the backlog
        // the 2 ready replicas leave over the start-up ((800 − 200) × 120 = 72 000) drained in
        // 60 s: 12 more.
        var run = Run(policy: Self.policy(), replicas: 2)
        let decision = run.tick(lag: 0, rate: 800, forecast: forecast(p50: 100))
        #expect(decision.desiredReplicas == 22, "\(decision.explanation)")
        // The forecast's upper quantile (120/s) is below the rate seen: the plan is on the rate.
        #expect(decision.reasons == [.forecastScaleDownBlocked, .burst])
        #expect(decision.explanation.contains(
            "burst: arrival 800/s (observed) is 8× the forecast median 100/s: straight to 22, past the scale-up limits"),
            "\(decision.explanation)")
        #expect(decision.inputs.burst?.triggered == true)
        #expect(decision.inputs.burst?.rateSource == .observed)

        // The same tick without burst mode: the rate policy allows 2 + 4 = 6.
        var off = Run(policy: Self.policy(burst: false), replicas: 2)
        let limited = off.tick(lag: 0, rate: 800, forecast: forecast(p50: 100))
        #expect(limited.desiredReplicas == 6)
        #expect(limited.reasons == [.forecastScaleDownBlocked, .scaleUpLimited])
        #expect(limited.inputs.burst == nil)
    }

    @Test func belowTheRatioIsNoBurst() {
        var run = Run(policy: Self.policy(), replicas: 2)
        let decision = run.tick(lag: 0, rate: 199, forecast: forecast(p50: 100))
        #expect(!decision.reasons.contains(.burst))
        #expect(decision.inputs.burst == nil)
    }

    @Test func noScaleDownDuringTheHoldThenTheRulesAgain() {
        var run = Run(policy: Self.policy(), replicas: 2)
        #expect(run.tick(lag: 0, rate: 800, forecast: forecast(p50: 100)).desiredReplicas == 22)
        // The burst is over 15 s later; within the 60 s hold nothing is removed.
        let held = run.tick(lag: 0, rate: 100, forecast: forecast(p50: 100))
        #expect(held.desiredReplicas == 22, "\(held.explanation)")
        #expect(held.reasons == [.burstHold])
        #expect(held.explanation.contains("held at 22: no scale-down for 45 s more after a burst"), "\(held.explanation)")
        run.tick(lag: 0, rate: 100, forecast: forecast(p50: 100), after: 30)  // 45 s after: still held
        #expect(run.replicas == 22)
        // 60 s after the burst the plan (no stabilisation in this policy) scales down.
        let after = run.tick(lag: 0, rate: 100, forecast: forecast(p50: 100))
        #expect(after.desiredReplicas < 22, "\(after.explanation)")
        #expect(!after.reasons.contains(.burstHold))
    }

    @Test func aDisabledScaleUpIsNotBypassed() {
        var policy = Self.policy()
        policy.scaleUp.selectPolicy = .disabled
        var run = Run(policy: policy, replicas: 2)
        let decision = run.tick(lag: 0, rate: 800, forecast: forecast(p50: 100))
        #expect(decision.desiredReplicas == 2, "\(decision.explanation)")
        #expect(decision.reasons.contains(.scaleUpDisabled))
        #expect(!decision.reasons.contains(.burst))
    }

    @Test func aForecastOfAFallIsNoBurst() {
        // 400/s now, the forecast expects 400/s now and 100/s at the horizon: a fall, not a burst.
        var policy = Self.policy()
        policy.forecast.allowScaleDown = true
        var run = Run(policy: policy, replicas: 10)
        let falling = ForecastInput(horizonSeconds: 135, p50: 100, upper: 160, model: "test", expectedNow: 400)
        let decision = run.tick(lag: 0, rate: 400, forecast: falling)
        #expect(decision.inputs.burst == nil, "\(decision.explanation)")
        #expect(decision.desiredReplicas == 2, "\(decision.explanation)")  // 160 / 80: scaled down ahead of the fall
        // The same rate against a forecast that expected 100/s now too is a burst, and holds.
        var steady = Run(policy: policy, replicas: 10)
        let burst = steady.tick(lag: 0, rate: 400, forecast: ForecastInput(horizonSeconds: 135, p50: 100, upper: 160, model: "test", expectedNow: 100))
        #expect(burst.reasons.contains(.burstHold), "\(burst.explanation)")
        #expect(burst.desiredReplicas == 10)
    }

    @Test func theHoldOutlivesAForecastSwitchedOff() {
        var run = Run(policy: Self.policy(), replicas: 2)
        #expect(run.tick(lag: 0, rate: 800, forecast: forecast(p50: 100)).desiredReplicas == 22)
        // The circuit breaker opens: no forecast. The hold still keeps the 22 for its 60 s.
        let held = run.tick(lag: 0, rate: 100)
        #expect(held.desiredReplicas == 22, "\(held.explanation)")
        #expect(held.reasons == [.burstHold])
        #expect(held.inputs.burst?.triggered == false)
        let after = run.tick(lag: 0, rate: 100, after: 60)
        #expect(after.desiredReplicas < 22)
        #expect(after.inputs.burst == nil)
    }

    @Test func aRebalanceIsNotReadAsABurst() {
        // Replicas are starting (ready 2 of 4): consumption pauses and the lag grows with no more
        // arrivals. The backlog's growth is not read as arrivals then.
        var run = Run(policy: Self.policy(), replicas: 4)
        run.tick(lag: 0, rate: 100, throughput: 100, ready: 2, forecast: forecast(p50: 100), apply: false)
        let decision = run.tick(lag: 3000, rate: 100, throughput: 100, ready: 2, forecast: forecast(p50: 100), apply: false)
        #expect(decision.inputs.burst == nil, "\(decision.explanation)")
    }

    @Test func aGrowingBacklogShowsABurstBeforeTheRateDoes() {
        var run = Run(policy: Self.policy(), replicas: 2)
        run.tick(lag: 0, rate: 100, throughput: 100, forecast: forecast(p50: 100), apply: false)
        // The rate metric still says 100/s, but 3 000 more messages wait after 15 s while 100/s
        // were served: 300/s arrive, 3× the forecast.
        let decision = run.tick(lag: 3000, rate: 100, throughput: 100, forecast: forecast(p50: 100))
        #expect(decision.reasons.contains(.burst), "\(decision.explanation)")
        #expect(decision.inputs.burst?.rateSource == .backlogGrowth)
        #expect(decision.inputs.burst?.rate == 300)
        #expect(decision.explanation.contains("burst: arrival 300/s (throughput + backlog growth) is 3× the forecast median 100/s"))
        // Planned on 300/s: 3.75 to serve, and (3 000 + (300 − 200) × 120) / 6 000 = 2.5 to drain.
        #expect(decision.plannedReplicas == 7, "\(decision.explanation)")
        #expect(decision.desiredReplicas == 7)
    }

    @Test func withoutAForecastOrARateThereIsNoBurst() {
        var run = Run(policy: Self.policy(), replicas: 2)
        let noForecast = run.tick(lag: 0, rate: 800)
        #expect(noForecast.inputs.burst == nil)
        #expect(!noForecast.reasons.contains(.burst))
        var missing = Run(policy: Self.policy(), replicas: 2)
        let noRate = missing.tick(lag: 0, rate: nil, forecast: forecast(p50: 1))
        #expect(noRate.inputs.burst == nil)
        #expect(noRate.desiredReplicas == 2)
        var off = Self.policy()
        off.forecast.enabled = false
        var disabled = Run(policy: off, replicas: 2)
        #expect(disabled.tick(lag: 0, rate: 800, forecast: forecast(p50: 100)).inputs.burst == nil)
    }
}

/// The start-up observed from the ready count.
@Suite("Start-up learned from the orchestrator")
struct StartupLearningTests {
    /// Drives `decide` with the counts another controller applies: each scale-up seen is dated
    /// when seen, each becomes ready `startup` seconds later.
    static func learn(policy: ScalingPolicy, startups: [Double]) -> (PlannerState, Decision) {
        var state = PlannerState()
        var now = 1_000_000.0
        var current = 2
        var last: Decision!
        func tick(current: Int, ready: Int) {
            now += 15
            let (decision, next) = decide(
                observation: observe(lag: 0, rate: 10, ready: ready, current: current), state: state, policy: policy, now: now)
            state = next
            last = decision
        }
        tick(current: current, ready: current)
        for startup in startups {
            let target = current + 2
            tick(current: target, ready: current)  // the scale-up is seen here
            let seen = now
            while now - seen < startup { tick(current: target, ready: current) }  // starting
            // Ready at the first tick at or after `startup` s (the test's start-ups are multiples of 15).
            now = seen + startup - 15
            tick(current: target, ready: target)
            current = target
        }
        return (state, last)
    }

    @Test func theMedianOfTheObservedStartUpsIsUsedWithLearnStartup() {
        var policy = plainPolicy()
        policy.learnStartup = true
        let (_, before) = Self.learn(policy: policy, startups: [90, 60])
        #expect(before.inputs.observedStartupSeconds == nil)  // two seen: not yet
        #expect(before.inputs.startupSeconds == 120)
        let (state, decision) = Self.learn(policy: policy, startups: [90, 60, 300])
        #expect(state.startup?.samples == [90, 60, 300])
        #expect(decision.inputs.observedStartupSeconds == 90)
        #expect(decision.inputs.startupSeconds == 90)
        #expect(policy.startupSeconds(learned: state.startup) == 90)
    }

    @Test func withoutLearnStartupItIsMeasuredButNotUsed() {
        let (state, decision) = Self.learn(policy: plainPolicy(), startups: [45, 45, 45])
        #expect(decision.inputs.observedStartupSeconds == 45)
        #expect(decision.inputs.startupSeconds == 120)
        #expect(plainPolicy().startupSeconds(learned: state.startup) == 120)
    }

    @Test func aStateWithBurstAndStartUpMemoryRoundTrips() throws {
        var policy = plainPolicy()
        policy.scaleUp = .defaultScaleUp
        var (state, _) = Self.learn(policy: policy, startups: [60, 75, 90])
        let (_, next) = decide(
            observation: observe(lag: 0, rate: 800, current: 4), state: state, policy: policy,
            forecast: ForecastInput(horizonSeconds: 135, p50: 100, upper: 120, model: "t"), now: 2_000_000)
        state = next
        #expect(state.burst?.holdUntil == 2_000_060)
        let data = try JSONEncoder().encode(state)
        #expect(try JSONDecoder().decode(PlannerState.self, from: data) == state)
        // A state persisted before these fields decodes without them.
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        object["burst"] = nil
        object["startup"] = nil
        let old = try JSONDecoder().decode(PlannerState.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(old.burst == nil && old.startup == nil)
    }

    @Test func aScaleUpOvertakenByAScaleDownOrNeverReadyIsNoSample() {
        var memory = StartupMemory()
        memory.noteScaleUp(to: 6, at: 0)
        memory.observe(desired: 4, ready: 4, now: 30)  // scaled down below 6 before it was ready
        #expect(memory.pending.isEmpty && memory.samples.isEmpty)
        memory.noteScaleUp(to: 6, at: 100)
        memory.observe(desired: 6, ready: nil, now: 200)  // no ready count: waits
        #expect(memory.pending.count == 1)
        memory.observe(desired: 6, ready: 5, now: 100 + StartupMemory.abandonAfterSeconds + 1)  // a crash loop
        #expect(memory.pending.isEmpty && memory.samples.isEmpty)
        #expect(memory.estimate == nil)
    }
}
