import Testing
@testable import Planner

@Suite("The plan: serve the arrival rate, drain the backlog")
struct PlanTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var rate: Double
        var lag: Double
        var capacity: Double
        var utilization: Double
        var slo: Double
        var expected: Int
        var testDescription: String { "rate \(rate) lag \(lag) cap \(capacity) u \(utilization) slo \(slo) → \(expected)" }
    }

    @Test(arguments: [
        // 400/s at 80 % of 100/s = 5 replicas exactly; no backlog.
        Case(rate: 400, lag: 0, capacity: 100, utilization: 0.8, slo: 60, expected: 5),
        // A hair more needs a sixth replica.
        Case(rate: 401, lag: 0, capacity: 100, utilization: 0.8, slo: 60, expected: 6),
        // Backlog 6000 drained in 60 s at 100/s per replica = 1 more replica.
        Case(rate: 400, lag: 6000, capacity: 100, utilization: 0.8, slo: 60, expected: 6),
        // Backlog only: 12000 in 60 s at 100/s = 2 replicas.
        Case(rate: 0, lag: 12000, capacity: 100, utilization: 0.8, slo: 60, expected: 2),
        // A shorter SLO needs more drain: 12000 in 30 s = 4.
        Case(rate: 0, lag: 12000, capacity: 100, utilization: 0.8, slo: 30, expected: 4),
        // 1000/s at 50 % of 250/s = 8, plus 3000 in 60 s at 250/s = 0.2 → 8.2 → 9.
        Case(rate: 1000, lag: 3000, capacity: 250, utilization: 0.5, slo: 60, expected: 9),
        // Nothing to do: the plan is 0, the bounds make it the minimum.
        Case(rate: 0, lag: 0, capacity: 100, utilization: 0.8, slo: 60, expected: 0),
    ])
    func backlogDrainMaths(_ c: Case) {
        let policy = plainPolicy(capacity: c.capacity, utilization: c.utilization, slo: c.slo)
        let (decision, _) = decide(
            observation: observe(lag: c.lag, rate: c.rate, current: 50), state: PlannerState(), policy: policy, now: 0)
        #expect(decision.plannedReplicas == c.expected)
        #expect(decision.desiredReplicas == max(c.expected, policy.minReplicas))
        let serve = c.rate / (c.capacity * c.utilization)
        let drain = c.lag / (c.capacity * c.slo)
        #expect(abs((decision.inputs.serveReplicas ?? -1) - serve) < 1e-9)
        #expect(abs((decision.inputs.drainReplicas ?? -1) - drain) < 1e-9)
        #expect(decision.inputs.arrivalRateSource == .observed)
        #expect(decision.inputs.capacitySource == .configured)
    }

    @Test func forecastAboveTheObservedRateRaisesThePlan() {
        let forecast = ForecastInput(horizonSeconds: 135, p50: 600, upper: 800, model: "test")
        let (decision, _) = decide(
            observation: observe(lag: 0, rate: 400, current: 5), state: PlannerState(),
            policy: plainPolicy(), forecast: forecast, now: 0)
        #expect(decision.desiredReplicas == 10)  // 800 / 80
        #expect(decision.forecast == forecast)
        #expect(decision.inputs.arrivalRateSource == .forecast)
        #expect(decision.inputs.expectedArrivalRate == 800)
        #expect(decision.explanation.contains("forecast p90 in 135s"))
    }

    @Test func forecastBelowTheObservedRateScalesDownOnlyWhenAllowed() {
        let forecast = ForecastInput(horizonSeconds: 135, p50: 100, upper: 160, model: "test")
        var policy = plainPolicy()
        let blocked = decide(
            observation: observe(lag: 0, rate: 400, current: 5), state: PlannerState(), policy: policy,
            forecast: forecast, now: 0
        ).decision
        #expect(blocked.desiredReplicas == 5)
        #expect(blocked.reasons == [.forecastScaleDownBlocked])
        #expect(blocked.forecast == nil)

        policy.forecast.allowScaleDown = true
        let allowed = decide(
            observation: observe(lag: 0, rate: 400, current: 5), state: PlannerState(), policy: policy,
            forecast: forecast, now: 0
        ).decision
        #expect(allowed.desiredReplicas == 2)  // 160 / 80
        #expect(allowed.reasons.isEmpty)
    }

    @Test func forecastIsIgnoredWhenThePolicyTurnsItOff() {
        var policy = plainPolicy()
        policy.forecast.enabled = false
        let forecast = ForecastInput(horizonSeconds: 135, p50: 600, upper: 800, model: "test")
        let (decision, _) = decide(
            observation: observe(lag: 0, rate: 400, current: 5), state: PlannerState(), policy: policy,
            forecast: forecast, now: 0)
        #expect(decision.desiredReplicas == 5)
        #expect(decision.forecast == nil)
    }

    @Test(arguments: [Double.nan, -5, Double.infinity, 1e13])
    func unusableForecastFallsBackToTheObservedRate(upper: Double) {
        let forecast = ForecastInput(horizonSeconds: 135, p50: 1, upper: upper, model: "test")
        let (decision, _) = decide(
            observation: observe(lag: 0, rate: 400, current: 5), state: PlannerState(), policy: plainPolicy(),
            forecast: forecast, now: 0)
        #expect(decision.desiredReplicas == 5)
        #expect(decision.reasons == [.forecastRejected])
        #expect(decision.inputs.arrivalRateSource == .observed)
    }

    @Test func explanationNamesTheNumbers() {
        let (decision, _) = decide(
            observation: observe(lag: 6000, rate: 400, current: 3), state: PlannerState(), policy: plainPolicy(),
            now: 0)
        #expect(decision.explanation
            == "scale up 3 → 6: arrival 400/s (observed) needs 5 at 80% of 100/s per replica, backlog 6000 needs 1 to drain in 60s → plan 6")
    }
}
