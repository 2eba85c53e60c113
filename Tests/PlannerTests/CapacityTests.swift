import Testing
@testable import Planner

@Suite("Capacity learned online from a saturated group")
struct CapacityTests {
    func learnedPolicy(_ settings: LearnedCapacity) -> ScalingPolicy {
        var policy = plainPolicy()
        policy.capacity = .learned(settings)
        return policy
    }

    @Test func learnsThroughputPerReadyReplicaWhileLagGrows() {
        var run = Run(policy: learnedPolicy(LearnedCapacity(minimumSamples: 5)), replicas: 4)
        var lag = 1000.0
        var decisions: [Decision] = []
        for _ in 0..<6 {
            lag += 500  // arrivals outpace the group: saturated
            decisions.append(run.tick(lag: lag, rate: 520, throughput: 480, ready: 4, apply: false))
        }
        // The first tick has no previous lag to compare; five saturated samples follow.
        #expect(decisions[4].reasons == [.capacityUnknown])
        #expect(decisions[4].desiredReplicas == 4)
        let learned = decisions[5]
        #expect(learned.inputs.capacitySource == .learned)
        #expect(learned.inputs.capacityPerReplica == 120)
        // The plan uses what was learned: 520/s at 80 % of 120/s = 5.42; the 4 saturated replicas
        // fall 520 − 4 × 120 = 40/s behind over the 120 s start-up, so the backlog to drain is
        // 4000 + 40 × 120 = 8800, in 60 s at 120/s = 1.22 → 6.64 → 7.
        #expect(abs((learned.inputs.projectedBacklog ?? -1) - 8800) < 1e-9)
        #expect(learned.desiredReplicas == 7)
    }

    @Test func ignoresTicksWhenTheGroupKeepsUp() {
        var run = Run(policy: learnedPolicy(LearnedCapacity(initial: 50, minimumSamples: 3)), replicas: 4)
        var lag = 5000.0
        for _ in 0..<10 {
            lag -= 100  // draining: throughput per replica says nothing about the ceiling
            run.tick(lag: lag, rate: 100, throughput: 200, ready: 4, apply: false)
        }
        #expect(run.state.capacity.samples.isEmpty)
        let decision = run.tick(lag: lag - 100, rate: 100, throughput: 200, ready: 4, apply: false)
        #expect(decision.inputs.capacitySource == .initial)
        #expect(decision.inputs.capacityPerReplica == 50)
    }

    @Test func medianShrugsOffOutliers() {
        var run = Run(policy: learnedPolicy(LearnedCapacity(minimumSamples: 5)), replicas: 5)
        var lag = 0.0
        let throughputs: [Double] = [500, 500, 50_000, 510, 5, 490, 500]
        var last: Decision?
        for throughput in [0] + throughputs {
            lag += 1000
            last = run.tick(lag: lag, rate: 600, throughput: Double(throughput), ready: 5, apply: false)
        }
        #expect(last?.inputs.capacityPerReplica == 100)
    }

    @Test func samplesOutsideTheBoundsAreIgnoredAndTheWindowIsBounded() {
        let settings = LearnedCapacity(minimum: 50, maximum: 200, window: 7, minimumSamples: 1)
        var run = Run(policy: learnedPolicy(settings), replicas: 2)
        var lag = 0.0
        for throughput in [0.0, 20, 2000, 300, 300, 300, 300, 300, 300, 300, 300, 300, 300] {
            lag += 1000
            run.tick(lag: lag, rate: 600, throughput: throughput, ready: 2, apply: false)
        }
        #expect(run.state.capacity.samples == Array(repeating: 150, count: 7))
    }

    @Test func missingThroughputPausesLearningWithoutHolding() {
        // 4 replicas drain the 400/s arriving, so the backlog stays 100: a hold would keep 4.
        var run = Run(policy: learnedPolicy(LearnedCapacity(initial: 100)), replicas: 4)
        let decision = run.tick(lag: 100, rate: 400, throughput: nil, ready: 4)
        #expect(decision.inputs.dataProblems == [DataProblem(metric: .throughput, kind: .missing)])
        #expect(decision.desiredReplicas == 6)  // 400/80 = 5 + 100/6000 → 5.02 → 6
        #expect(run.state.capacity.samples.isEmpty)
    }
}
