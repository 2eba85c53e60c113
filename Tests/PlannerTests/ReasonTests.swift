import Testing
@testable import Planner

/// One scenario per reason code: the decision it produces, and what it must say.
struct ReasonCase: CustomTestStringConvertible, Sendable {
    var reason: Reason
    var expectedReplicas: Int
    var run: @Sendable () -> Decision
    var testDescription: String { reason.rawValue }
}

private func once(_ observation: Observation, _ policy: ScalingPolicy, forecast: ForecastInput? = nil) -> Decision {
    decide(observation: observation, state: PlannerState(), policy: policy, forecast: forecast, now: 0).decision
}

let reasonCases: [ReasonCase] = [
    ReasonCase(reason: .missingMetric, expectedReplicas: 8) {
        once(observe(lag: nil, rate: 0, current: 8), plainPolicy())
    },
    ReasonCase(reason: .staleMetric, expectedReplicas: 8) {
        var policy = plainPolicy()
        policy.staleAfterSeconds = 60
        return once(observe(lag: 0, rate: 0, current: 8, age: 61), policy)
    },
    ReasonCase(reason: .invalidMetric, expectedReplicas: 8) {
        once(observe(lag: .nan, rate: 0, current: 8), plainPolicy())
    },
    ReasonCase(reason: .capacityUnknown, expectedReplicas: 8) {
        var policy = plainPolicy()
        policy.capacity = .learned(LearnedCapacity())
        return once(observe(lag: 0, rate: 0, throughput: 0, current: 8), policy)
    },
    ReasonCase(reason: .forecastRejected, expectedReplicas: 5) {
        once(observe(lag: 0, rate: 400, current: 5), plainPolicy(),
             forecast: ForecastInput(horizonSeconds: 135, p50: 0, upper: .nan, model: "x"))
    },
    ReasonCase(reason: .burst, expectedReplicas: 18) {
        // 800/s where 100/s was expected: the p90 (900/s) needs 12 at 80 %, and the 36 000 the 5
        // replicas leave over the start-up 6 more; past a rate policy that allows 1 more.
        var policy = plainPolicy()
        policy.scaleUp = ScalingRules(stabilizationWindowSeconds: 0, policies: [RatePolicy(kind: .pods, value: 1, periodSeconds: 60)])
        return once(observe(lag: 0, rate: 800, current: 5), policy, forecast: ForecastInput(horizonSeconds: 135, p50: 100, upper: 900, model: "x"))
    },
    ReasonCase(reason: .burstHold, expectedReplicas: 10) {
        // 400/s where 100/s was expected: a burst; the plan's 5 does not remove any of the 10.
        once(observe(lag: 0, rate: 400, current: 10), plainPolicy(),
             forecast: ForecastInput(horizonSeconds: 135, p50: 100, upper: 400, model: "x"))
    },
    ReasonCase(reason: .forecastScaleDownBlocked, expectedReplicas: 5) {
        once(observe(lag: 0, rate: 400, current: 5), plainPolicy(),
             forecast: ForecastInput(horizonSeconds: 135, p50: 0, upper: 80, model: "x"))
    },
    ReasonCase(reason: .withinTolerance, expectedReplicas: 10) {
        var policy = plainPolicy()
        policy.tolerance = 0.1
        return once(observe(lag: 0, rate: 850, current: 10), policy)  // needs 10.6: within 10 % of 10
    },
    ReasonCase(reason: .belowMinReplicas, expectedReplicas: 3) {
        once(observe(lag: 0, rate: 80, current: 3), plainPolicy(min: 3))
    },
    ReasonCase(reason: .aboveMaxReplicas, expectedReplicas: 10) {
        once(observe(lag: 0, rate: 8000, current: 5), plainPolicy(max: 10))
    },
    ReasonCase(reason: .partitionCap, expectedReplicas: 24) {
        once(observe(lag: 0, rate: 3200, current: 5), plainPolicy(max: 60, partitions: 24))  // needs 40 to serve alone
    },
    ReasonCase(reason: .scaleUpStabilized, expectedReplicas: 5) {
        var policy = plainPolicy()
        policy.scaleUp.stabilizationWindowSeconds = 60
        var run = Run(policy: policy, replicas: 5)
        run.tick(rate: 400)  // recommends 5
        return run.tick(rate: 800)  // wants 10 to serve, more to drain; 5 is still in the 60 s window
    },
    ReasonCase(reason: .scaleDownStabilized, expectedReplicas: 10) {
        var policy = plainPolicy()
        policy.scaleDown.stabilizationWindowSeconds = 300
        var run = Run(policy: policy, replicas: 10)
        run.tick(rate: 800)
        return run.tick(rate: 400)  // wants 5; 10 is still in the 300 s window
    },
    ReasonCase(reason: .scaleUpLimited, expectedReplicas: 6) {
        var policy = plainPolicy()
        policy.scaleUp = .defaultScaleUp  // max(+4 pods, +100 %) per 15 s from 2 → 6
        return once(observe(lag: 0, rate: 1600, current: 2), policy)
    },
    ReasonCase(reason: .scaleDownLimited, expectedReplicas: 9) {
        var policy = plainPolicy()
        policy.scaleDown = ScalingRules(
            stabilizationWindowSeconds: 0, policies: [RatePolicy(kind: .pods, value: 1, periodSeconds: 60)])
        return once(observe(lag: 0, rate: 400, current: 10), policy)
    },
    ReasonCase(reason: .scaleUpDisabled, expectedReplicas: 2) {
        var policy = plainPolicy()
        policy.scaleUp.selectPolicy = .disabled
        return once(observe(lag: 0, rate: 1600, current: 2), policy)
    },
    ReasonCase(reason: .scaleDownDisabled, expectedReplicas: 10) {
        var policy = plainPolicy()
        policy.scaleDown.selectPolicy = .disabled
        return once(observe(lag: 0, rate: 400, current: 10), policy)
    },
    ReasonCase(reason: .reactiveFloor, expectedReplicas: 8) {
        var policy = plainPolicy(utilization: 1.0)
        policy.reactiveFloor = true
        policy.reactive = ReactiveBaselinePolicy(
            targetUtilization: 0.5, scaleUp: unlimited, scaleDown: unlimited)
        // The plan: 400 / 100 = 4. KEDA's rate trigger at 50 %: 400 / 50 = 8.
        return once(observe(lag: 0, rate: 400, current: 4), policy)
    },
    ReasonCase(reason: .wakeOnActivity, expectedReplicas: 2) {
        once(observe(lag: 12_000, rate: 0, current: 0), plainPolicy(min: 0))  // 12 000 in 60 s at 100/s
    },
    ReasonCase(reason: .wakeOnForecast, expectedReplicas: 3) {
        once(observe(lag: 0, rate: 0, current: 0), plainPolicy(min: 0),
             forecast: ForecastInput(horizonSeconds: 135, p50: 100, upper: 240, model: "x"))
    },
    ReasonCase(reason: .asleep, expectedReplicas: 0) {
        once(observe(lag: 0, rate: 0, current: 0), plainPolicy(min: 0))
    },
    ReasonCase(reason: .idleSleep, expectedReplicas: 0) {
        var run = Run(policy: plainPolicy(min: 0), replicas: 1)
        for _ in 0..<20 { run.tick() }  // 300 s idle
        return run.tick()
    },
    ReasonCase(reason: .idleCooldown, expectedReplicas: 1) {
        once(observe(lag: 0, rate: 0, current: 1), plainPolicy(min: 0))
    },
    ReasonCase(reason: .forecastKeepsAwake, expectedReplicas: 1) {
        var run = Run(policy: plainPolicy(min: 0), replicas: 1)
        let soon = ForecastInput(horizonSeconds: 135, p50: 10, upper: 20, model: "x")
        for _ in 0..<20 { run.tick(forecast: soon) }
        return run.tick(forecast: soon)
    },
]

@Suite("Every reason code")
struct ReasonTests {
    @Test(arguments: reasonCases)
    func reasonIsGivenWhenItsGuardrailChangesTheNumber(_ c: ReasonCase) {
        let decision = c.run()
        #expect(decision.reasons.contains(c.reason), "reasons: \(decision.reasons)")
        #expect(decision.desiredReplicas == c.expectedReplicas, "\(decision.explanation)")
        #expect(!decision.explanation.isEmpty)
    }

    @Test func everyReasonHasACase() {
        let covered = Set(reasonCases.map(\.reason))
        let missing = Reason.allCases.filter { !covered.contains($0) }
        #expect(missing.isEmpty, "reasons without a test case: \(missing)")
    }

    @Test func reasonCodesAreSafeLabelValues() {
        for reason in Reason.allCases {
            #expect(reason.rawValue.allSatisfy { $0.isLowercase || $0 == "_" }, "\(reason.rawValue)")
        }
    }

    @Test func noGuardrailNoReason() {
        // 4 replicas drain the 400/s arriving: no backlog; the plan is 400 / 80 = 5.
        let decision = once(observe(lag: 0, rate: 400, current: 4), plainPolicy())
        #expect(decision.reasons.isEmpty)
        #expect(decision.desiredReplicas == 5)
    }
}
