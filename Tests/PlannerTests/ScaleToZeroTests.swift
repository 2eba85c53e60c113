import Foundation
import Testing
@testable import Planner

/// A target that sleeps: `minReplicas` 0, the plain policy otherwise (100/s per replica at 80 %,
/// 60 s SLO, 120 s start-up), a 300 s idle period.
private func sleepyPolicy(minWhenActive: Int = 1, idle: Double = 300) -> ScalingPolicy {
    var policy = plainPolicy(min: 0)
    policy.scaleToZero = ScaleToZero(idleSeconds: idle, minWhenActive: minWhenActive)
    return policy
}

private func forecast(_ upper: Double) -> ForecastInput {
    ForecastInput(horizonSeconds: 135, p50: upper / 2, upper: upper, model: "test")
}

@Suite("Scale to zero: every transition")
struct ScaleToZeroTests {
    // MARK: 0 → N

    @Test func lagWakesStraightToThePlannedCountNotOne() {
        var policy = sleepyPolicy()
        policy.scaleUp = .defaultScaleUp  // +4 pods per 15 s would stop a climb from 0 at 4
        var run = Run(policy: policy, replicas: 0)
        run.tick()  // asleep, nothing to wake for
        // 60 000 messages to drain in 60 s at 100/s per replica: 10 replicas.
        let decision = run.tick(lag: 60_000, rate: 0)
        #expect(decision.desiredReplicas == 10, "\(decision.explanation)")
        #expect(decision.reasons == [.wakeOnActivity])
        #expect(decision.explanation.hasPrefix("wake 0 → 10: "), "\(decision.explanation)")
        #expect(decision.explanation.contains("woken by activity (lag 60000 > 0) straight to 10; start-up 120 s"), "\(decision.explanation)")
    }

    @Test func arrivalsWakeAndThePlanCountsWhatArrivesDuringTheStartUp() {
        var run = Run(policy: sleepyPolicy(), replicas: 0)
        // 100/s arriving: 1.25 replicas to serve at 80 %, and the 12 000 arriving during the
        // 120 s start-up to drain in 60 s: 2 more.
        let decision = run.tick(lag: 0, rate: 100)
        #expect(decision.desiredReplicas == 4, "\(decision.explanation)")
        #expect(decision.reasons == [.wakeOnActivity])
        #expect(decision.explanation.contains("arrival 100/s > 0/s"), "\(decision.explanation)")
    }

    @Test func activationThresholdsFollowKEDA() {
        var policy = sleepyPolicy()
        policy.scaleToZero.activationLag = 10
        policy.scaleToZero.activationArrivalRate = 0.5
        var run = Run(policy: policy, replicas: 0)
        #expect(run.tick(lag: 10, rate: 0.5).desiredReplicas == 0)  // at the thresholds: not active
        let woken = run.tick(lag: 11, rate: 0)
        #expect(woken.desiredReplicas == 1, "\(woken.explanation)")
        #expect(woken.reasons == [.wakeOnActivity])
    }

    @Test func forecastWakesAheadOfTheTraffic() {
        var run = Run(policy: sleepyPolicy(), replicas: 0)
        // Nothing arrives yet; the forecast's p90 at start-up + tick is 240/s: 3 replicas at 80 %.
        let decision = run.tick(lag: 0, rate: 0, forecast: forecast(240))
        #expect(decision.desiredReplicas == 3, "\(decision.explanation)")
        #expect(decision.reasons == [.wakeOnForecast])
        #expect(decision.explanation.hasPrefix("wake 0 → 3: arrival 240/s (forecast p90 in 135s)"), "\(decision.explanation)")
        #expect(decision.explanation.contains("woken ahead of the traffic: forecast p90 240/s > 0.0167/s needs 3; start-up 120 s"),
                "\(decision.explanation)")
    }

    @Test func aForecastOfLessThanOneMessagePerSLODoesNotWake() {
        var run = Run(policy: sleepyPolicy(), replicas: 0)
        let decision = run.tick(lag: 0, rate: 0, forecast: forecast(0.01))  // < 1/60 s
        #expect(decision.desiredReplicas == 0)
        #expect(decision.reasons == [.asleep])
        #expect(decision.explanation.hasPrefix("asleep at 0: "), "\(decision.explanation)")
        #expect(decision.explanation.contains("wakes when lag > 0, arrival rate > 0/s or forecast p90 > 0.0167/s"), "\(decision.explanation)")
    }

    @Test func predictiveWakeCanBeTurnedOff() {
        var policy = sleepyPolicy()
        policy.scaleToZero.predictiveWake = false
        var run = Run(policy: policy, replicas: 0)
        let decision = run.tick(lag: 0, rate: 0, forecast: forecast(240))
        #expect(decision.desiredReplicas == 0, "\(decision.explanation)")
        #expect(decision.reasons == [.asleep])
        #expect(decision.explanation.contains("wakes when lag > 0 or arrival rate > 0/s"), "\(decision.explanation)")
    }

    @Test func aWakeUpIsCutToTheMaximum() {
        var policy = sleepyPolicy()
        policy.maxReplicas = 6
        var run = Run(policy: policy, replicas: 0)
        let decision = run.tick(lag: 60_000, rate: 0)
        #expect(decision.desiredReplicas == 6)
        #expect(decision.reasons == [.aboveMaxReplicas, .wakeOnActivity])
    }

    @Test func withoutAKnownCapacityAWakeUpGoesToTheAwakeFloor() {
        var policy = sleepyPolicy(minWhenActive: 2)
        policy.capacity = .learned(LearnedCapacity())
        var run = Run(policy: policy, replicas: 0)
        let decision = run.tick(lag: 5, rate: 1, throughput: 0)
        #expect(decision.desiredReplicas == 2, "\(decision.explanation)")
        #expect(decision.reasons == [.wakeOnActivity])
    }

    // MARK: N → 1 → 0

    @Test func downToOneFollowsTheScaleDownRulesThenSleepsAfterTheIdlePeriod() {
        var policy = sleepyPolicy(idle: 300)
        policy.scaleDown = ScalingRules(
            stabilizationWindowSeconds: 600, policies: [RatePolicy(kind: .pods, value: 2, periodSeconds: 60)])
        var run = Run(policy: policy, replicas: 5)
        run.tick(lag: 0, rate: 400)  // 5
        var decisions: [(Double, Decision)] = []
        for _ in 0..<80 { decisions.append((run.now + 15, run.tick(lag: 0, rate: 0))) }
        let counts = decisions.map(\.1.desiredReplicas)
        // Held at 5 by the 600 s window, then down by at most 2 per 60 s, to 1, and only then to 0.
        let firstDrop = counts.firstIndex { $0 < 5 }!
        #expect(decisions[firstDrop].0 - 1_000_015 >= 600)
        #expect(decisions[..<firstDrop].allSatisfy { $0.1.reasons.contains(.scaleDownStabilized) })
        #expect(counts.contains(3) && counts.contains(1))
        let sleep = counts.firstIndex(of: 0)!
        #expect(counts[sleep - 1] == 1, "\(counts)")
        #expect(decisions[sleep].1.reasons == [.idleSleep])
        #expect(decisions[sleep].1.explanation.hasPrefix("sleep 1 → 0: "), "\(decisions[sleep].1.explanation)")
        #expect(counts[sleep...].allSatisfy { $0 == 0 })
        #expect(decisions[(sleep + 1)...].allSatisfy { $0.1.reasons == [.asleep] })
    }

    @Test func theLastReplicaStaysUntilTheIdlePeriodHasPassedAndNotBefore() {
        var run = Run(policy: sleepyPolicy(idle: 300), replicas: 1)
        let start = run.now + 15
        var asleepAt: Double?
        for _ in 0..<30 {
            let decision = run.tick(lag: 0, rate: 0)
            let idle = run.now - start
            if idle < 300 {
                #expect(decision.desiredReplicas == 1, "at \(idle) s: \(decision.explanation)")
                #expect(decision.reasons.contains(.idleCooldown))
                #expect(decision.explanation.contains("of the 5 min idle period: sleeps at 0 if still idle then"), "\(decision.explanation)")
            } else if asleepAt == nil {
                #expect(decision.desiredReplicas == 0, "at \(idle) s: \(decision.explanation)")
                #expect(decision.reasons == [.idleSleep])
                #expect(decision.explanation.hasPrefix("sleep 1 → 0: "), "\(decision.explanation)")
                #expect(decision.explanation.hasSuffix("; idle (no lag, no arrivals) for 5 min ≥ the 5 min idle period: the last replica goes"))
                asleepAt = run.now
            }
        }
        #expect(asleepAt == start + 300)
    }

    @Test func aMessageDuringTheLastReplicasCooldownRestartsTheIdlePeriod() {
        var run = Run(policy: sleepyPolicy(idle: 300), replicas: 1)
        for _ in 0..<14 { run.tick(lag: 0, rate: 0) }  // idle 195 s
        let message = run.tick(lag: 1, rate: 0.02)  // one message
        #expect(message.desiredReplicas == 1, "\(message.explanation)")
        #expect(!message.reasons.contains(.idleCooldown))
        let messageAt = run.now
        var sleptAt: Double?
        for _ in 0..<30 {
            let decision = run.tick(lag: 0, rate: 0)
            if decision.desiredReplicas == 0, sleptAt == nil { sleptAt = run.now }
        }
        #expect(sleptAt == messageAt + 300)
    }

    @Test func anAwakeFloorKeepsReplicasWhileAwakeAndTheyAllGoTogether() {
        var run = Run(policy: sleepyPolicy(minWhenActive: 2, idle: 60), replicas: 0)
        let woken = run.tick(lag: 1, rate: 0)
        #expect(woken.desiredReplicas == 2, "\(woken.explanation)")
        let held = run.tick(lag: 0, rate: 0)
        #expect(held.desiredReplicas == 2)
        #expect(held.reasons == [.belowMinReplicas, .idleCooldown], "\(held.reasons)")
        #expect(held.explanation.contains("raised to min 2"))
        for _ in 0..<3 { run.tick(lag: 0, rate: 0) }
        #expect(run.replicas == 0)
    }

    @Test func theForecastKeepsAnIdleTargetAwake() {
        var run = Run(policy: sleepyPolicy(idle: 60), replicas: 1)
        for _ in 0..<5 { run.tick(lag: 0, rate: 0, forecast: forecast(50)) }
        let decision = run.tick(lag: 0, rate: 0, forecast: forecast(50))
        #expect(decision.desiredReplicas == 1, "\(decision.explanation)")
        #expect(decision.reasons.contains(.forecastKeepsAwake))
        #expect(decision.explanation.contains("idle, but forecast p90 50/s > 0.0167/s: staying awake"), "\(decision.explanation)")
        // The forecast falls: the idle period has long passed, the replica goes.
        #expect(run.tick(lag: 0, rate: 0, forecast: forecast(0)).desiredReplicas == 0)
    }

    // MARK: bad data is never idle

    @Test func aSleepingTargetWhoseMetricFailsStaysAsleepAndDoesNotWake() {
        var run = Run(policy: sleepyPolicy(), replicas: 0)
        let missing = run.tick(lag: nil, rate: 0)
        #expect(missing.desiredReplicas == 0)
        #expect(missing.reasons == [.missingMetric])
        let invalid = run.tick(lag: 0, rate: .nan, forecast: forecast(0))
        #expect(invalid.desiredReplicas == 0)
        #expect(invalid.reasons == [.invalidMetric])
    }

    @Test func anAwakeTargetWhoseMetricFailsIsNotIdleAndTheIdlePeriodRestartsAfter() {
        var run = Run(policy: sleepyPolicy(idle: 300), replicas: 1)
        for _ in 0..<40 {
            let decision = run.tick(lag: nil, rate: 0)  // 10 minutes without a lag
            #expect(decision.desiredReplicas == 1)
            #expect(!decision.reasons.contains(.idleSleep))
        }
        let back = run.now
        var sleptAt: Double?
        for _ in 0..<30 where sleptAt == nil {
            if run.tick(lag: 0, rate: 0).desiredReplicas == 0 { sleptAt = run.now }
        }
        #expect(sleptAt == back + 300)
    }

    // MARK: capacity and state

    @Test func learnedCapacitySurvivesSleepAndARestart() throws {
        var policy = sleepyPolicy(idle: 30)
        policy.capacity = .learned(LearnedCapacity(window: 5, minimumSamples: 3))
        policy.scaleToZero.predictiveWake = false
        var run = Run(policy: policy, replicas: 2)
        // Saturated: the lag grows while 2 replicas process 100/s: 50/s each.
        for lag in stride(from: 1000.0, through: 1400, by: 100) { run.tick(lag: lag, rate: 150, throughput: 100, apply: false) }
        run.tick(lag: 0, rate: 0, throughput: 0)
        for _ in 0..<20 { run.tick(lag: 0, rate: 0, throughput: 0) }
        #expect(run.replicas == 0)
        // Persisted and read back, as the decision log does across a restart.
        run.state = try JSONDecoder().decode(PlannerState.self, from: JSONEncoder().encode(run.state))
        let woken = run.tick(lag: 6000, rate: 0, throughput: 0)
        #expect(woken.inputs.capacitySource == .learned)
        #expect(woken.inputs.capacityPerReplica == 50)
        #expect(woken.desiredReplicas == 2, "\(woken.explanation)")  // 6000 in 60 s at 50/s per replica
    }

    @Test func theDecisionSaysHowLongTheTargetHasSleptAndWhatWakesIt() throws {
        var run = Run(policy: sleepyPolicy(idle: 15), replicas: 1)
        run.tick(lag: 0, rate: 0)
        run.tick(lag: 0, rate: 0)  // → 0
        #expect(run.replicas == 0)
        let asleepFrom = run.now + 15
        for _ in 0..<20 { run.tick(lag: 0, rate: 0) }
        let decision = run.tick(lag: 0, rate: 0)
        let sleep = try #require(decision.inputs.scaleToZero)
        #expect(sleep.asleepSince == asleepFrom)
        #expect(sleep.idleSeconds != nil)
        #expect(sleep.wakesWhen == "lag > 0, arrival rate > 0/s or forecast p90 > 0.0167/s (no forecast yet)")
        #expect(decision.explanation.contains("asleep for 5 min, nothing to wake for"), "\(decision.explanation)")
        // Not a target that sleeps: no sleep inputs.
        var awake = Run(policy: plainPolicy(), replicas: 1)
        #expect(awake.tick().inputs.scaleToZero == nil)
    }

    @Test func theRulesAreUntouchedForTargetsThatDoNotSleep() {
        var run = Run(policy: plainPolicy(min: 1), replicas: 1)
        for _ in 0..<100 { run.tick(lag: 0, rate: 0) }
        #expect(run.replicas == 1)
    }
}
