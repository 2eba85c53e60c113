import Foundation
import Testing
@testable import Planner

/// The Kubernetes HPA behaviour examples from the documentation
/// (https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#configurable-scaling-behavior).
@Suite("HPA behaviour, as documented")
struct BehaviorTests {
    @Test func stabilisationKeepsTheHighestRecommendationOfTheWindow() {
        var policy = plainPolicy()
        policy.scaleDown = ScalingRules(stabilizationWindowSeconds: 300, policies: [])
        var run = Run(policy: policy, replicas: 10)
        run.tick(rate: 800)  // recommends 10 at t+15
        #expect(run.tick(rate: 640).desiredReplicas == 10)  // wants 8
        #expect(run.tick(rate: 480).desiredReplicas == 10)  // wants 6
        // Advance until the 10s leave the window: the highest remaining recommendation wins.
        var counts: [Int] = []
        for _ in 0..<20 { counts.append(run.tick(rate: 480).desiredReplicas) }
        // Recommendations: seed 10 at t0, 10 at t+15, 8 at t+30, then 6s. The window is 300 s.
        #expect(counts.first == 10)
        #expect(counts.contains(8))
        #expect(counts.last == 6)
        #expect(counts == counts.sorted(by: >), "never scales back up while stabilising: \(counts)")
    }

    @Test func theScaleDownWindowHoldsTheRatesNeedNotABacklogsDrain() throws {
        // 80/s per replica at 80 %, a 60 s SLO, a 300 s scale-down window; no start-up lead, so
        // the backlog planned for is today's lag.
        var policy = plainPolicy(startup: 0)
        policy.scaleDown = ScalingRules(stabilizationWindowSeconds: 300, policies: [])
        // A backlog: 24000 waiting at 160/s (2 replicas' worth). 2 serve, 4 more drain it once.
        var backlog = Run(policy: policy, replicas: 2)
        let up = backlog.tick(lag: 24_000, rate: 160)
        #expect(up.desiredReplicas == 6)
        #expect(backlog.state.planRecommendations.last == TimedCount(time: backlog.now, replicas: 6, held: 2))
        // Drained: the window keeps what the rate needs (2), not the drain's replicas.
        let drained = backlog.tick(lag: 0, rate: 160)
        #expect(drained.desiredReplicas == 2)
        #expect(drained.reasons.isEmpty)

        // The same 6 asked for by the arrival rate is held for the whole window.
        var rate = Run(policy: policy, replicas: 2)
        #expect(rate.tick(lag: 0, rate: 480).desiredReplicas == 6)
        let held = rate.tick(lag: 0, rate: 160)
        #expect(held.desiredReplicas == 6)
        #expect(held.reasons == [.scaleDownStabilized])

        // A fallback or override on the same tick keeps the drain out of the window too.
        var overridden = Run(policy: policy, replicas: 2)
        _ = overridden.tick(lag: 24_000, rate: 160)
        overridden.state.noteOverride(replicas: 3, current: 2, now: overridden.now)
        #expect(overridden.state.planRecommendations.last == TimedCount(time: overridden.now, replicas: 6, held: 3))

        // A window entry persisted before `held` existed holds all of its count; one that says it
        // holds more than its count holds its count.
        let entry = try JSONDecoder().decode(TimedCount.self, from: Data(#"{"time": 5, "replicas": 6}"#.utf8))
        #expect(entry == TimedCount(time: 5, replicas: 6) && entry.holds == 6)
        let encoded = try JSONEncoder().encode(TimedCount(time: 5, replicas: 6, held: 2))
        #expect(try JSONDecoder().decode(TimedCount.self, from: encoded).holds == 2)
        let odd = try JSONDecoder().decode(TimedCount.self, from: Data(#"{"time": 5, "replicas": 6, "held": 9}"#.utf8))
        #expect(odd.holds == 6)
    }

    @Test func percentPolicyOf100PercentPer15sAtMostDoubles() {
        var policy = plainPolicy(max: 1000)
        policy.scaleUp = ScalingRules(
            stabilizationWindowSeconds: 0, policies: [RatePolicy(kind: .percent, value: 100, periodSeconds: 15)])
        var run = Run(policy: policy, replicas: 4)
        let counts = (0..<5).map { _ in run.tick(rate: 80_000).desiredReplicas }  // needs 1000 or more
        #expect(counts == [8, 16, 32, 64, 128])
    }

    @Test func percentPolicyLimitsWithinThePeriod() {
        // Two ticks inside one 60 s period: the second cannot add more than the policy allows in total.
        // No start-up lead, so no backlog is projected: the plan is 80000 / 80 = 1000, within max.
        var policy = plainPolicy(max: 1000, startup: 0)
        policy.scaleUp = ScalingRules(
            stabilizationWindowSeconds: 0, policies: [RatePolicy(kind: .percent, value: 100, periodSeconds: 60)])
        var run = Run(policy: policy, replicas: 4)
        #expect(run.tick(rate: 80_000).desiredReplicas == 8)
        let held = run.tick(rate: 80_000)
        #expect(held.desiredReplicas == 8)
        #expect(held.reasons == [.scaleUpLimited])
        #expect(run.tick(rate: 80_000, after: 46).desiredReplicas == 16)  // 61 s after the first change
    }

    @Test(arguments: [(3, 50, 5), (4, 10, 5), (10, 10, 11), (7, 100, 14)])
    func percentScaleUpRoundsUpSoItAlwaysMoves(current: Int, percent: Int, expected: Int) {
        var policy = plainPolicy(max: 1000)
        policy.scaleUp = ScalingRules(
            stabilizationWindowSeconds: 0, policies: [RatePolicy(kind: .percent, value: percent, periodSeconds: 15)])
        var run = Run(policy: policy, replicas: current)
        #expect(run.tick(rate: 80_000).desiredReplicas == expected)
    }

    @Test func defaultScaleUpIsTheLargerOfFourPodsAndDoubling() {
        var policy = plainPolicy(max: 1000)
        policy.scaleUp = .defaultScaleUp
        var run = Run(policy: policy, replicas: 1)
        let counts = (0..<4).map { _ in run.tick(rate: 80_000).desiredReplicas }
        #expect(counts == [5, 10, 20, 40])
    }

    @Test func scaleDownPodsOrPercentPerMinute() {
        // The documentation's example: Pods 4 and Percent 10 per 60 s, the policy allowing the most change wins.
        // 80 replicas: 10 % is 8, so 72; next minute 10 % of 72 is 7.2, rounded up to 8 pods, so 64.
        var policy = plainPolicy(max: 100)
        policy.scaleDown = ScalingRules(
            stabilizationWindowSeconds: 0,
            policies: [RatePolicy(kind: .pods, value: 4, periodSeconds: 60), RatePolicy(kind: .percent, value: 10, periodSeconds: 60)])
        var run = Run(policy: policy, replicas: 80)
        #expect(run.tick(rate: 800, after: 60).desiredReplicas == 72)
        let within = run.tick(rate: 800, after: 15)
        #expect(within.desiredReplicas == 72)
        #expect(within.reasons == [.scaleDownLimited])
        #expect(run.tick(rate: 800, after: 46).desiredReplicas == 64)
    }

    @Test func selectMinPicksTheSmallestChange() {
        var policy = plainPolicy(max: 100)
        policy.scaleDown = ScalingRules(
            stabilizationWindowSeconds: 0, selectPolicy: .min,
            policies: [RatePolicy(kind: .pods, value: 4, periodSeconds: 60), RatePolicy(kind: .percent, value: 10, periodSeconds: 60)])
        var run = Run(policy: policy, replicas: 80)
        #expect(run.tick(rate: 800).desiredReplicas == 76)
    }

    @Test(arguments: [true, false])
    func disabledBlocksItsDirectionOnly(scaleUpDisabled: Bool) {
        // No start-up lead, so no backlog is projected: the plan is the arrival rate's alone.
        var policy = plainPolicy(startup: 0)
        if scaleUpDisabled { policy.scaleUp.selectPolicy = .disabled } else { policy.scaleDown.selectPolicy = .disabled }
        var run = Run(policy: policy, replicas: 5)
        let up = run.tick(rate: 800)
        run.replicas = 5
        let down = run.tick(rate: 160)
        #expect(up.desiredReplicas == (scaleUpDisabled ? 5 : 10))
        #expect(down.desiredReplicas == (scaleUpDisabled ? 2 : 5))
        #expect((scaleUpDisabled ? up : down).reasons == [scaleUpDisabled ? .scaleUpDisabled : .scaleDownDisabled])
    }

    @Test func aFreshStateNeverScalesDownBeforeAFullWindow() {
        var policy = plainPolicy()
        policy.scaleDown = .defaultScaleDown
        var run = Run(policy: policy, replicas: 10)
        let first = run.tick(rate: 80)
        #expect(first.desiredReplicas == 10)
        #expect(first.reasons == [.scaleDownStabilized])
        var last = first
        for _ in 0..<20 { last = run.tick(rate: 80) }  // 300 s later
        #expect(last.desiredReplicas == 1)
    }

    @Test func changesNotAppliedDoNotUseUpTheRateBudget() {
        // Shadow mode: decisions are recorded, not applied. The rate policy must not count them.
        var policy = plainPolicy(max: 1000)
        policy.scaleUp = .defaultScaleUp
        var run = Run(policy: policy, replicas: 2)
        for _ in 0..<3 {
            let decision = run.tick(rate: 8000, apply: false)
            #expect(decision.desiredReplicas == 6)
        }
    }

    @Test func outsideChangesCountAgainstTheRatePolicy() {
        // Someone else scaled 4 → 8 just now; a 100 %-per-60 s policy allows no more this minute.
        var policy = plainPolicy(max: 1000)
        policy.scaleUp = ScalingRules(
            stabilizationWindowSeconds: 0, policies: [RatePolicy(kind: .percent, value: 100, periodSeconds: 60)])
        var run = Run(policy: policy, replicas: 4)
        run.tick(rate: 320)  // needs 4: no change
        run.replicas = 8
        let decision = run.tick(rate: 8000)
        #expect(decision.desiredReplicas == 8)
        #expect(decision.reasons == [.scaleUpLimited])
    }
}
