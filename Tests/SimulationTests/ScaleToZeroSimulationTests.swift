import Pipeline
@testable import Planner
import Testing
@testable import Simulation

private func sleepyScenario() -> Scenario {
    var s = scenario(startup: 120, pause: 5, warmup: 0)
    s.minReplicas = 0
    return s
}

private func view(lag: Double?, rate: Double?, current: Int, at second: Int) -> ControllerView {
    ControllerView(
        observation: Observation(
            lag: lag.map { Sample($0) }, arrivalRate: rate.map { Sample($0) }, throughput: Sample(0),
            readyReplicas: Sample(current), desiredReplicas: Sample(current)),
        now: 1_000_000 + Double(second), second: second, trueLag: lag ?? 0)
}

@Suite("Scale to zero in the simulator")
struct ScaleToZeroSimulationTests {
    @Test func aWakeUpIsScoredWithTheDelayOfItsFirstMessage() {
        // Idle for 600 s, then 1/s. The controller asks for 1 replica at 630: it consumes at 750,
        // after the 5 s rebalance pause at 755. The first message, from 600, waited 155 s.
        let arrivals = Array(repeating: 0.0, count: 600) + Array(repeating: 1.0, count: 600)
        let model = QueueModel(arrivals: arrivals, startTime: 0, capacity: 10, scenario: sleepyScenario())
        var controller = Scripted(replicas: 0)
        controller.counts[630] = 1
        let result = model.run(&controller)
        #expect(result.wakeUps == [WakeUp(second: 630, firstMessageDelaySeconds: 155)])
        #expect(result.firstMessageDelays == [155])
    }

    @Test func aDrainedQueueReadsExactlyZeroLag() {
        // Fractional arrivals (per-minute counts spread over their minute) leave floating-point
        // dust; a lag of 1e-12 would count as a waiting message and keep a sleeping target awake.
        var arrivals: [Double] = []
        for minute in 0..<60 { arrivals += Array(repeating: Double(minute % 13) / 60, count: 60) }
        arrivals += Array(repeating: 0, count: 3600)
        let model = QueueModel(arrivals: arrivals, startTime: 0, capacity: 0.0463, scenario: sleepyScenario())
        var controller = Scripted(replicas: 3)
        var records: [TickRecord] = []
        _ = model.run(&controller) { records.append($0) }
        let quiet = records.filter { $0.time >= 5400 }
        #expect(!quiet.isEmpty && quiet.allSatisfy { $0.lag == 0 }, "\(quiet.map(\.lag).max() ?? -1)")
    }

    @Test func aWakeUpForNothingHasNoFirstMessage() {
        let arrivals = Array(repeating: 0.0, count: 1200)
        let model = QueueModel(arrivals: arrivals, startTime: 0, capacity: 10, scenario: sleepyScenario())
        var controller = Scripted(replicas: 0)
        controller.counts[300] = 2
        controller.counts[600] = 0
        let result = model.run(&controller)
        #expect(result.wakeUps == [WakeUp(second: 300, firstMessageDelaySeconds: nil)])
        #expect(result.meanFirstMessageDelay == nil)
    }

    @Test func kedaScaleToZeroWakesToOneAndDropsToZeroFromAnyCountAfterTheCooldown() {
        var keda = KEDAController(capacity: 10, utilization: 0.7, minReplicas: 0, maxReplicas: 100)
        #expect(keda.tick(view(lag: 0, rate: 0, current: 0, at: 0)).desiredReplicas == 0)
        // Any message activates it: KEDA sets 1, whatever the backlog; the HPA takes over from there.
        #expect(keda.tick(view(lag: 5000, rate: 50, current: 0, at: 15)).desiredReplicas == 1)
        #expect(keda.tick(view(lag: 5000, rate: 50, current: 1, at: 30)).desiredReplicas > 1)
        // The last activity at 30; at 5 replicas, 300 s later it goes straight to 0 (the HPA's
        // scale-down rules are not consulted: the seam of issue kedacore/keda#7204).
        var second = 45
        while second < 330 {
            #expect(keda.tick(view(lag: 0, rate: 0, current: 5, at: second)).desiredReplicas >= 1, "at \(second)")
            second += 15
        }
        #expect(keda.tick(view(lag: 0, rate: 0, current: 5, at: 330)).desiredReplicas == 0)
        // A metric that cannot be read is not idle.
        var blind = KEDAController(capacity: 10, utilization: 0.7, minReplicas: 0, maxReplicas: 100)
        for s in stride(from: 0, through: 900, by: 15) {
            #expect(blind.tick(view(lag: nil, rate: 0, current: 1, at: s)).desiredReplicas >= 1)
        }
    }

    @Test func kedaDatesItsScaleEventsByItsOwnDecisionNotThePlans() {
        // 20 replicas of 100/s at 0.5 serve 1000/s; then 200/s. KEDA's 300 s window lets it go to 4
        // at 300 s, while the plan `decide` also computes still holds 20 in its 600 s window. The
        // change the state waits to see applied is KEDA's, so that KEDA's rate policies never
        // depend on the plan.
        var keda = KEDAController(capacity: 100, utilization: 0.5, minReplicas: 1, maxReplicas: 100)
        #expect(keda.tick(view(lag: 0, rate: 1000, current: 20, at: 0)).desiredReplicas == 20)
        for second in stride(from: 15, to: 300, by: 15) {
            #expect(keda.tick(view(lag: 0, rate: 200, current: 20, at: second)).desiredReplicas == 20)
        }
        #expect(keda.tick(view(lag: 0, rate: 200, current: 20, at: 300)).desiredReplicas == 4)
        #expect(keda.state.pendingChange == PendingChange(time: 1_000_300, from: 20, to: 4))
    }

    @Test func theHPABaselineCannotScaleToZero() {
        var hpa = HPAController(capacity: 10, utilization: 0.7, minReplicas: 0, maxReplicas: 100)
        var last = 1
        for s in stride(from: 0, through: 1800, by: 15) { last = hpa.tick(view(lag: 0, rate: 0, current: last, at: s)).desiredReplicas }
        #expect(last == 1)
    }

    @Test func forescaleSleepsThroughAnIdleHourAndWakesStraightToThePlan() {
        // An hour at 5/s (5 replicas of 1/s), an idle hour, then 5/s again.
        let arrivals = Array(repeating: 5.0, count: 3600) + Array(repeating: 0.0, count: 3600) + Array(repeating: 5.0, count: 1800)
        let s = sleepyScenario()
        let model = QueueModel(arrivals: arrivals, startTime: 0, capacity: 1, scenario: s)
        var controller = ForescaleController(policy: Comparison.defaultPolicy(capacity: 1, scenario: s))
        var records: [TickRecord] = []
        let result = model.run(&controller) { records.append($0) }
        let idleHour = records.filter { $0.time >= 3600 + 1800 && $0.time < 7200 }
        #expect(idleHour.allSatisfy { $0.desired == 0 }, "it must be asleep in the second half of the idle hour")
        #expect(records.filter { $0.time < 3600 + 600 && $0.time >= 3600 }.allSatisfy { $0.desired >= 1 },
                "not asleep before the scale-down window and the idle period")
        // Woken twice: at the start (the run begins at 0 replicas) and when the traffic returns;
        // within a minute of the first tick that sees it, at the 5 replicas the rate needs.
        #expect(result.wakeUps.count == 2, "\(result.wakeUps)")
        #expect(result.wakeUps.last.map { $0.second > 7200 && $0.second <= 7260 } == true, "\(result.wakeUps)")
        let after = records.first { $0.time >= 7290 }
        #expect((after?.desired ?? 0) >= 5, "\(after?.desired ?? 0) replicas at 7290")
    }
}
