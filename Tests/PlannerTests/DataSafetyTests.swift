import ForescaleTestKit
import Testing
@testable import Planner

@Suite("Missing, stale and invalid data: hold, never scale down, never read as zero")
struct DataSafetyTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var observation: Observation
        var reason: Reason
        var problem: DataProblem
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "lag missing", observation: observe(lag: nil, rate: 0, current: 8),
             reason: .missingMetric, problem: DataProblem(metric: .lag, kind: .missing)),
        Case(name: "arrival rate missing", observation: observe(lag: 0, rate: nil, current: 8),
             reason: .missingMetric, problem: DataProblem(metric: .arrivalRate, kind: .missing)),
        Case(name: "lag NaN", observation: observe(lag: .nan, rate: 0, current: 8),
             reason: .invalidMetric, problem: DataProblem(metric: .lag, kind: .invalid)),
        Case(name: "negative lag", observation: observe(lag: -3, rate: 0, current: 8),
             reason: .invalidMetric, problem: DataProblem(metric: .lag, kind: .invalid)),
        Case(name: "infinite rate", observation: observe(lag: 0, rate: .infinity, current: 8),
             reason: .invalidMetric, problem: DataProblem(metric: .arrivalRate, kind: .invalid)),
        Case(name: "absurd rate", observation: observe(lag: 0, rate: 1e15, current: 8),
             reason: .invalidMetric, problem: DataProblem(metric: .arrivalRate, kind: .invalid)),
        Case(name: "stale values", observation: observe(lag: 0, rate: 0, current: 8, age: 90),
             reason: .staleMetric, problem: DataProblem(metric: .lag, kind: .stale)),
        Case(name: "stale replica count",
             observation: Observation(lag: Sample(0), arrivalRate: Sample(0), desiredReplicas: Sample(8, ageSeconds: 600)),
             reason: .staleMetric, problem: DataProblem(metric: .desiredReplicas, kind: .stale)),
    ]

    @Test(arguments: cases)
    func holdsTheCurrentCount(_ c: Case) {
        var policy = plainPolicy()
        policy.reactiveFloor = true
        let (decision, _) = decide(observation: c.observation, state: PlannerState(), policy: policy, now: 0)
        #expect(decision.desiredReplicas == 8, "a bad value read as zero would scale down: \(decision.explanation)")
        #expect(decision.reasons.first == c.reason)
        #expect(decision.inputs.dataProblems.contains(c.problem))
        #expect(decision.plannedReplicas == nil)
        #expect(decision.explanation.hasPrefix("hold 8"))
    }

    @Test func holdsThroughALongOutageAndDoesNotDropRightAfter() {
        var policy = plainPolicy()
        policy.scaleDown = .defaultScaleDown
        var run = Run(policy: policy, replicas: 10)
        for _ in 0..<40 { #expect(run.tick(lag: nil, rate: nil).desiredReplicas == 10) }
        // Data returns showing little load: the held count was in the stabilisation window,
        // so the first good tick does not drop straight to the minimum.
        let back = run.tick(lag: 0, rate: 80)
        #expect(back.desiredReplicas == 10)
        #expect(back.reasons == [.scaleDownStabilized])
    }

    @Test func aValidLagStillScalesUpWhenTheRateIsMissing() {
        // The reactive baseline computed from what is valid may raise the count, never lower it.
        var policy = plainPolicy()
        policy.reactiveFloor = true
        policy.reactive = ReactiveBaselinePolicy(lagThreshold: 100, scaleUp: unlimited, scaleDown: unlimited)
        let (up, _) = decide(observation: observe(lag: 2000, rate: nil, current: 4), state: PlannerState(), policy: policy, now: 0)
        #expect(up.desiredReplicas == 20)
        #expect(up.reasons == [.missingMetric, .reactiveFloor])
        let (down, _) = decide(observation: observe(lag: 0, rate: nil, current: 4), state: PlannerState(), policy: policy, now: 0)
        #expect(down.desiredReplicas == 4)
        #expect(down.reactiveReplicas == 4)
    }

    @Test func aMissingThroughputDoesNotHoldAFixedCapacityTarget() {
        // 4 replicas drain the 400/s arriving: no backlog. The plan 400 / 80 = 5; a hold would keep 4.
        let (decision, _) = decide(
            observation: observe(lag: 0, rate: 400, throughput: nil, current: 4), state: PlannerState(),
            policy: plainPolicy(), now: 0)
        #expect(decision.desiredReplicas == 5)
        #expect(decision.inputs.dataProblems.isEmpty)
    }

    @Test func negativeReplicaCountIsInvalidAndNothingIsApplied() {
        let observation = Observation(lag: Sample(0), arrivalRate: Sample(0), desiredReplicas: Sample(-2))
        let (decision, _) = decide(observation: observation, state: PlannerState(), policy: plainPolicy(), now: 0)
        #expect(decision.reasons.contains(.invalidMetric))
        #expect(!decision.changesScale)
    }

    @Test func randomObservationsNeverCrashNorScaleDownOnBadData() {
        var rng = SplitMix64(seed: 42)
        let specials: [Double?] = [nil, .nan, -1, .infinity, 0, 1e13]
        func value(_ scale: Double) -> Double? {
            Int.random(in: 0..<4, using: &rng) == 0
                ? specials.randomElement(using: &rng)! : Double.random(in: 0...scale, using: &rng)
        }
        var policy = ScalingPolicy(maxReplicas: 50, capacity: .learned(LearnedCapacity(initial: 100)), partitions: 40)
        policy.staleAfterSeconds = 60
        var state = PlannerState()
        var current = 10
        for tick in 0..<5000 {
            let age = Double.random(in: 0...80, using: &rng)
            let observation = Observation(
                lag: value(50_000).map { Sample($0, ageSeconds: age) },
                arrivalRate: value(5_000).map { Sample($0, ageSeconds: age) },
                throughput: value(5_000).map { Sample($0) },
                readyReplicas: Sample(Int.random(in: 0...current, using: &rng)),
                desiredReplicas: Sample(current))
            let forecast = Bool.random(using: &rng)
                ? ForecastInput(horizonSeconds: 135, p50: 1, upper: value(8_000) ?? .nan, model: "r") : nil
            let (decision, next) = decide(observation: observation, state: state, policy: policy, forecast: forecast, now: Double(tick) * 15)
            state = next
            let bad = !decision.inputs.dataProblems.filter { [.lag, .arrivalRate, .desiredReplicas].contains($0.metric) }.isEmpty
            if bad { #expect(decision.desiredReplicas >= current, "\(decision.explanation)") }
            #expect(decision.desiredReplicas >= 0 && decision.desiredReplicas <= 50)
            #expect(state.planRecommendations.count <= PlannerState.maxEntries)
            #expect(state.capacity.samples.count <= 31)
            current = decision.desiredReplicas
        }
    }
}
