import Testing
@testable import Planner

@Suite("The plan: serve the arrival rate, drain the backlog")
struct PlanTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var rate: Double
        var lag: Double
        var capacity: Double = 100
        var utilization: Double = 0.8
        var slo: Double = 60
        var startup: Double = 120
        /// The observed desired count.
        var current: Int
        /// Ready replicas; `nil`: all `current` are ready.
        var ready: Int? = nil
        /// Whether the observation reports a ready count at all.
        var readyReported = true
        var lagAge: Double = 0
        /// The backlog expected when a replica asked for now becomes useful, worked out by hand.
        var backlog: Double
        var expected: Int
        var testDescription: String {
            "rate \(rate) lag \(lag) age \(lagAge) cap \(capacity) u \(utilization) slo \(slo) startup \(startup) "
                + "current \(current) ready \(readyReported ? String(ready ?? current) : "?") → backlog \(backlog), \(expected)"
        }
    }

    // Unless a case says otherwise: 100/s per replica, 80 % utilisation, 60 s SLO, 120 s start-up,
    // every current replica ready, a fresh lag; so the lead is 120 s and
    // backlog = max(lag + (rate − current × 100) × 120, 0), drained in 60 s — except that a plan
    // below the current count drains at least today's lag (never scaling up for it).
    @Test(arguments: [
        // 400/s at 80 % of 100/s = 5 replicas exactly. 5 replicas outpace 400/s: no backlog.
        Case(rate: 400, lag: 0, current: 5, backlog: 0, expected: 5),
        // A hair more needs a sixth replica (5 replicas still outpace 401/s: no backlog).
        Case(rate: 401, lag: 0, current: 5, backlog: 0, expected: 6),
        // 4 replicas drain exactly the 400/s arriving, so the backlog stays 6000 until a new
        // replica is useful: 6000 in 60 s at 100/s per replica = 1 more replica → 5 + 1 = 6.
        Case(rate: 400, lag: 6000, current: 4, backlog: 6000, expected: 6),
        // Backlog only, scaled to zero: nothing drains meanwhile. 12000 in 60 s at 100/s = 2.
        Case(rate: 0, lag: 12000, current: 0, backlog: 12000, expected: 2),
        // A shorter SLO needs more drain: 12000 in 30 s = 4.
        Case(rate: 0, lag: 12000, slo: 30, current: 0, backlog: 12000, expected: 4),
        // 1000/s at 50 % of 250/s = 8; 4 replicas drain the 1000/s arriving, so 3000 stays;
        // 3000 in 60 s at 250/s = 0.2 → 8.2 → 9.
        Case(rate: 1000, lag: 3000, capacity: 250, utilization: 0.5, current: 4, backlog: 3000, expected: 9),
        // Nothing to do: the plan is 0, the bounds make it the minimum.
        Case(rate: 0, lag: 0, current: 50, backlog: 0, expected: 0),
        // (a) The current replicas outpace the arrivals: 9000 + (400 − 1000) × 120 < 0, nothing
        // would be left when a new replica is useful, and 5 would serve. But a plan below the
        // current count takes replicas away at once, so the replicas it keeps drain today's 9000
        // within the SLO: 9000 / 6000 = 1.5 → 6.5 → 7 (not 5).
        Case(rate: 400, lag: 9000, current: 10, backlog: 9000, expected: 7),
        // (f) The same with 36000 waiting: draining it in 60 s would take 7.5 + 6 = 13.5 replicas,
        // but the projection shows the 10 running drain it before a new one could help
        // (36000 + (600 − 1000) × 120 < 0): hold 10, draining (10 − 7.5) × 6000 = 15000 of it a minute.
        Case(rate: 600, lag: 36000, current: 10, backlog: 15000, expected: 10),
        // (b) Arrivals exceed what the current replicas serve: 3000 + (500 − 400) × 120 = 15000;
        // 500/80 = 6.25, plus 15000 in 60 s at 100/s = 2.5 → 8.75 → 9 (7 on today's lag alone).
        Case(rate: 500, lag: 3000, current: 4, backlog: 15000, expected: 9),
        // (c) Replicas still starting count half: 8 desired, 2 ready, serving 2 + 6 / 2 = 5;
        // 6000 + (600 − 500) × 120 = 18000; 600/80 = 7.5, plus 18000 / 6000 = 3 → 10.5 → 11.
        // (All 8 counted: the floor 2000, 7.5 + 2000 / 6000 → 8; only the 2 ready: 54000 → 17.)
        Case(rate: 600, lag: 6000, current: 8, ready: 2, backlog: 18000, expected: 11),
        // Without a ready count the running replicas are not credited: the backlog is never below
        // the lag, max(6000, 6000 + (600 − 800) × 120) = 6000; 7.5 + 6000 / 6000 = 8.5 → 9.
        Case(rate: 600, lag: 6000, current: 8, readyReported: false, backlog: 6000, expected: 9),
        // Without a ready count, a growing backlog is still projected: 3000 + (500 − 400) × 120 = 15000 → 9, as (b).
        Case(rate: 500, lag: 3000, current: 4, readyReported: false, backlog: 15000, expected: 9),
        // None ready of 2 desired (both starting) serve as 1: 600 + (100 − 100) × 120 = 600;
        // 100/80 = 1.25, plus 600 / 6000 = 0.1 → 1.35 → 2.
        Case(rate: 100, lag: 600, current: 2, ready: 0, backlog: 600, expected: 2),
        // A negative start-up (only the public initialiser allows it) is a lead of 0, never a
        // negative one: 3000 stays 3000; 6.25 + 0.5 → 7.
        Case(rate: 500, lag: 3000, startup: -60, current: 4, backlog: 3000, expected: 7),
        // (d) The lag's age adds to the lead: read 30 s ago, the lead is 120 + 30 = 150 s;
        // 3000 + (500 − 400) × 150 = 18000; 6.25 + 18000 / 6000 = 3 → 9.25 → 10 (9 when fresh, as in (b)).
        Case(rate: 500, lag: 3000, current: 4, lagAge: 30, backlog: 18000, expected: 10),
        // (e) More ready than desired (a scale-down in progress): the desired 4 serve, not the 8
        // ready, which go at once. 12000 + (400 − 400) × 120 = 12000; 5 + 12000 / 6000 = 2 → 7.
        // (Counting the 8 ready: 12000 − 48000 < 0 → 0, then 5 < 4 is false: plan 5.)
        Case(rate: 400, lag: 12000, current: 4, ready: 8, backlog: 12000, expected: 7),
        // A shorter start-up shortens the lead: 120 s → 30 s; 3000 + (500 − 400) × 30 = 6000;
        // 6.25 + 6000 / 6000 = 1 → 7.25 → 8.
        Case(rate: 500, lag: 3000, startup: 30, current: 4, backlog: 6000, expected: 8),
    ])
    func backlogDrainMaths(_ c: Case) {
        let policy = plainPolicy(capacity: c.capacity, utilization: c.utilization, slo: c.slo, startup: c.startup)
        var observation = observe(lag: c.lag, rate: c.rate, ready: c.ready, current: c.current, lagAge: c.lagAge)
        if !c.readyReported { observation.readyReplicas = nil }
        let (decision, _) = decide(observation: observation, state: PlannerState(), policy: policy, now: 0)
        #expect(decision.plannedReplicas == c.expected)
        #expect(decision.desiredReplicas == max(c.expected, policy.minReplicas))
        // The formula, written out: the lead is the start-up (never negative) plus the lag's age;
        // replicas ready (at most the desired count) serve meanwhile, those still starting count
        // half; without a ready count none are credited below the lag. A plan below the current
        // count drains at least today's lag within the SLO, capped at the current count.
        let lead = max(0, c.startup) + c.lagAge
        let serve = c.rate / (c.capacity * c.utilization)
        var backlog: Double
        if c.readyReported {
            let ready = c.ready ?? c.current
            let serving = Double(min(ready, c.current)) + Double(max(0, c.current - ready)) / 2
            backlog = max(c.lag + (c.rate - serving * c.capacity) * lead, 0)
        } else {
            backlog = max(c.lag + (c.rate - Double(c.current) * c.capacity) * lead, c.lag)
        }
        var drain = backlog / (c.capacity * c.slo)
        if backlog < c.lag, (serve + drain - 1e-9).rounded(.up) < Double(c.current) {
            drain = min(c.lag / (c.capacity * c.slo), max(0, Double(c.current) - serve))
            backlog = max(backlog, drain * c.capacity * c.slo)
        }
        #expect(abs(backlog - c.backlog) < 1e-9, "the case's worked backlog disagrees with the formula")
        #expect(abs((decision.inputs.projectedBacklog ?? -1) - c.backlog) < 1e-9)
        #expect(abs((decision.inputs.serveReplicas ?? -1) - serve) < 1e-9)
        #expect(abs((decision.inputs.drainReplicas ?? -1) - drain) < 1e-9)
        #expect(decision.inputs.arrivalRateSource == .observed)
        #expect(decision.inputs.capacitySource == .configured)
    }

    /// The defaults docs/decisions.md and docs/configuration.md state (chosen with Benchmarks/simulate).
    @Test func defaultsAreTheDocumentedOnes() {
        let policy = ScalingPolicy(maxReplicas: 10, capacity: .fixed(perReplica: 1))
        #expect(policy.targetUtilization == 1.0)
        #expect(policy.tolerance == 0.15)
        #expect(policy.scaleUp == .defaultScaleUp)
        #expect(policy.scaleDown.stabilizationWindowSeconds == 600)
        #expect(policy.scaleDown.policies == ScalingRules.defaultScaleDown.policies)
        // The reactive baseline is KEDA under the HPA's own defaults, at the plan's utilisation.
        #expect(policy.reactive.targetUtilization == nil)
        #expect(policy.reactive.tolerance == 0.1)
        #expect(policy.reactive.scaleDown == .defaultScaleDown)
        #expect(ScalingRules.defaultScaleDown.stabilizationWindowSeconds == 300)
        #expect(policy.forecast == ForecastUse(enabled: true, allowScaleDown: false, upperQuantile: 0.9))
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
        // 400/s seen against a median of 100/s is a burst, which holds the count (BurstTests);
        // here the forecast alone is tested.
        policy.burst.enabled = false
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

    @Test(arguments: [
        // 4 replicas drain the 400/s arriving: the backlog the plan drains is today's 6000.
        (observe(lag: 6000, rate: 400, current: 4),
         "scale up 4 → 6: arrival 400/s (observed) needs 5 at 80% of 100/s per replica, backlog 6000 needs 1 to drain in 60s → plan 6"),
        // 3 replicas fall 100/s behind for the 120 s start-up: 6000 + 12000 = 18000 → 3 to drain.
        (observe(lag: 6000, rate: 400, current: 3),
            "scale up 3 → 8: arrival 400/s (observed) needs 5 at 80% of 100/s per replica, backlog 6000 (18000 when a new replica is useful) needs 3 to drain in 60s → plan 8"
        ),
        // No backlog today, 12000 by the time a new replica is useful.
        (observe(lag: 0, rate: 400, current: 3),
            "scale up 3 → 7: arrival 400/s (observed) needs 5 at 80% of 100/s per replica, backlog 0 (12000 when a new replica is useful) needs 2 to drain in 60s → plan 7"
        ),
        // 10 replicas would drain today's 9000 before a new one is useful; a plan below 10 still
        // drains it within the SLO with the replicas it keeps: 1.5 replicas.
        (observe(lag: 9000, rate: 400, current: 10),
         "scale down 10 → 7: arrival 400/s (observed) needs 5 at 80% of 100/s per replica, backlog 9000 needs 1.5 to drain in 60s → plan 7"),
        // 36000 waiting: the 10 running drain it before a new replica could help, so the plan
        // holds 10 (2.5 replicas' worth, 15000 a minute, go to the backlog) rather than asking for 14.
        (observe(lag: 36000, rate: 600, current: 10),
            "hold 10: arrival 600/s (observed) needs 7.5 at 80% of 100/s per replica, backlog 36000 (15000 when a new replica is useful) needs 2.5 to drain in 60s → plan 10"
        ),
        // Floating-point dust is not news: a backlog that prints as the lag shows once.
        (observe(lag: 0.1, rate: 400, current: 4),
         "scale up 4 → 6: arrival 400/s (observed) needs 5 at 80% of 100/s per replica, backlog 0.1 needs 0 to drain in 60s → plan 6"),
        // No backlog now or later: no backlog clause.
        (observe(lag: 0, rate: 400, current: 5),
         "hold 5: arrival 400/s (observed) needs 5 at 80% of 100/s per replica → plan 5"),
    ])
    func explanationNamesTheNumbers(observation: Observation, explanation: String) {
        let (decision, _) = decide(observation: observation, state: PlannerState(), policy: plainPolicy(), now: 0)
        #expect(decision.explanation == explanation)
    }
}
