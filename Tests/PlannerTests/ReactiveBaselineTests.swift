import Testing
@testable import Planner

@Suite("Reactive baseline: KEDA's maths under HPA behaviour")
struct ReactiveBaselineTests {
    func reactivePolicy(lagThreshold: Double? = nil, partitions: Int? = nil) -> ScalingPolicy {
        var policy = plainPolicy(partitions: partitions)
        policy.reactive = ReactiveBaselinePolicy(lagThreshold: lagThreshold, targetUtilization: 0.5)
        return policy
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var lag: Double
        var rate: Double
        var current: Int
        var lagThreshold: Double?
        var expected: Int
        var testDescription: String { "lag \(lag) rate \(rate) from \(current) → \(expected)" }
    }

    @Test(arguments: [
        // Lag trigger ceil(1500 / 100) = 15 beats the rate trigger 400 / 50 = 8.
        Case(lag: 1500, rate: 400, current: 10, lagThreshold: 100, expected: 15),
        // The rate trigger wins: 1000 / 50 = 20 (scale-up limit from 10 is 20).
        Case(lag: 100, rate: 1000, current: 10, lagThreshold: 100, expected: 20),
        // Within 10 % tolerance of the current 10 on both triggers: no change.
        Case(lag: 1050, rate: 520, current: 10, lagThreshold: 100, expected: 10),
        // Without a configured threshold: 30 s of one replica's work (100/s) = 3000 per replica.
        Case(lag: 30000, rate: 0, current: 10, lagThreshold: nil, expected: 10),
        Case(lag: 45000, rate: 0, current: 10, lagThreshold: nil, expected: 15),
        // Scale-up limited by HPA's default: from 2, max(+4, +100 %) = 6.
        Case(lag: 5000, rate: 0, current: 2, lagThreshold: 100, expected: 6),
        // Scale-down held by the 300 s stabilisation seeded with the current count.
        Case(lag: 0, rate: 0, current: 10, lagThreshold: 100, expected: 10),
    ])
    func kedaMaths(_ c: Case) {
        let (decision, _) = decide(
            observation: observe(lag: c.lag, rate: c.rate, current: c.current), state: PlannerState(),
            policy: reactivePolicy(lagThreshold: c.lagThreshold), now: 0)
        #expect(decision.reactiveReplicas == c.expected)
    }

    @Test func partitionCapAppliesToPlanAndBaseline() {
        // The plan: 3200 / 80 = 40 to serve; the 20 replicas fall 3200 − 2000 = 1200/s behind over
        // the 120 s start-up, 144000 to drain in 60 s at 100/s = 24 more → 64. Both are capped at 24.
        let (decision, _) = decide(
            observation: observe(lag: 0, rate: 3200, current: 20), state: PlannerState(),
            policy: reactivePolicy(partitions: 24), now: 0)
        #expect(decision.plannedReplicas == 64)
        #expect(decision.desiredReplicas == 24)
        #expect(decision.reasons == [.partitionCap])
        #expect(decision.reactiveReplicas == 24)
    }

    @Test(arguments: [(1920.0, 24, [Reason]()), (2000.0, 24, [Reason.partitionCap]), (1840.0, 23, [Reason]())])
    func partitionCapAtItsEdge(rate: Double, expected: Int, reasons: [Reason]) {
        let (decision, _) = decide(
            observation: observe(lag: 0, rate: rate, current: 20), state: PlannerState(),
            policy: plainPolicy(max: 60, partitions: 24), now: 0)
        #expect(decision.desiredReplicas == expected)
        #expect(decision.reasons == reasons)
    }

    @Test func reactiveFloorLiftsALeanPlanAndCanBeTurnedOff() {
        var policy = reactivePolicy(lagThreshold: 100)
        policy.reactiveFloor = true
        policy.reactive.scaleUp = unlimited
        // The plan: 400/80 = 5; 6 replicas outpace 400/s, so only the floor of the backlog is
        // drained: 3000 × 60 / 180 = 1000, 1000/6000 = 0.17 → 5.17 → 6. Lag trigger: 30, rate trigger 8.
        let observation = observe(lag: 3000, rate: 400, current: 6)
        let floored = decide(observation: observation, state: PlannerState(), policy: policy, now: 0).decision
        #expect(floored.desiredReplicas == 30)
        #expect(floored.reasons == [.reactiveFloor])
        #expect(floored.explanation.contains("raised to 30 by the reactive floor"))
        policy.reactiveFloor = false
        let lean = decide(observation: observation, state: PlannerState(), policy: policy, now: 0).decision
        #expect(lean.desiredReplicas == 6)
        #expect(lean.reactiveReplicas == 30)
    }

    @Test func noCapacityAndNoThresholdMeansNoBaseline() {
        var policy = plainPolicy()
        policy.capacity = .learned(LearnedCapacity())
        let (decision, _) = decide(
            observation: observe(lag: 100, rate: 10, throughput: 5, current: 3), state: PlannerState(), policy: policy, now: 0)
        #expect(decision.reactiveReplicas == nil)
        #expect(decision.desiredReplicas == 3)
    }
}
