import ForescaleTestKit
import Planner
import Testing
@testable import Simulation

/// Holds a fixed count, or follows a script of counts by second.
struct Scripted: ScalingController {
    let name = "scripted"
    var counts: [Int: Int] = [:]
    var replicas: Int

    mutating func tick(_ view: ControllerView) -> ControllerOutput {
        if let next = counts[view.second] { replicas = next }
        return ControllerOutput(desiredReplicas: replicas)
    }
}

func scenario(startup: Int = 120, pause: Int = 5, warmup: Int = 0) -> Scenario {
    var s = Scenario()
    s.startupSeconds = startup
    s.rebalancePauseSeconds = pause
    s.warmupSeconds = warmup
    s.spanSeconds = nil
    return s
}

@Suite("Queue model")
struct QueueModelTests {
    @Test func conservationAtEveryTick() {
        var rng = SplitMix64(seed: 7)
        let arrivals = (0..<20_000).map { _ in Double.random(in: 0...30, using: &rng) }
        let model = QueueModel(arrivals: arrivals, startTime: 0, capacity: 4, scenario: scenario())
        var controller = ForescaleController(policy: Comparison.defaultPolicy(capacity: 4, scenario: scenario()))
        var records: [TickRecord] = []
        _ = model.run(&controller) { records.append($0) }
        #expect(records.count == 20_000 / 15)
        for record in records {
            #expect(abs(record.arrivedTotal - (record.processedTotal + record.lag)) < 1e-6 * max(record.arrivedTotal, 1))
        }
        #expect(records.contains { $0.desired > 1 }, "the controller must have scaled for the test to mean anything")
    }

    @Test func constantRateBelowCapacityHasNoDelay() {
        let arrivals = Array(repeating: 9.0, count: 3600)
        let model = QueueModel(arrivals: arrivals, startTime: 0, capacity: 10, scenario: scenario())
        var controller = Scripted(replicas: 1)
        let result = model.run(&controller)
        #expect(result.latePercent == 0)
        #expect(result.p99DelaySeconds == 0)
        #expect(result.scaleActions == 0)
        #expect(abs(result.replicaHours - 1) < 1e-9)
        #expect(abs(result.floorReplicaHours - 0.9) < 1e-9)
    }

    @Test func stepAboveCapacityBuildsTheExpectedBacklog() {
        // 2 replicas × 10/s = 20/s against 25/s for 600 s: the backlog grows by 5/s, to 3000.
        let arrivals = Array(repeating: 15.0, count: 600) + Array(repeating: 25.0, count: 600) + Array(repeating: 0.0, count: 600)
        let model = QueueModel(arrivals: arrivals, startTime: 0, capacity: 10, scenario: scenario())
        var controller = Scripted(replicas: 2)
        var records: [TickRecord] = []
        _ = model.run(&controller) { records.append($0) }
        let atEndOfStep = records.first { $0.time == 1200 }
        #expect(atEndOfStep.map { abs($0.lag - 3000) < 1e-6 } == true, "lag \(String(describing: atEndOfStep?.lag))")
        // Afterwards it drains at 20/s: empty 150 s later.
        #expect(records.first { $0.time == 1350 }?.lag == 0)
        #expect(records.first { $0.time == 1335 }.map { abs($0.lag - 300) < 1e-6 } == true)
    }

    @Test func startupDelayAndRebalancePauseAreExact() {
        // One replica at 10/s drains a steady 30/s badly; at second 150 the controller asks for 3.
        let arrivals = Array(repeating: 30.0, count: 600)
        let model = QueueModel(arrivals: arrivals, startTime: 0, capacity: 10, scenario: scenario(startup: 120, pause: 5))
        var controller = Scripted(replicas: 1)
        controller.counts[150] = 3
        var records: [TickRecord] = []
        _ = model.run(&controller) { records.append($0) }
        func record(_ t: Double) -> TickRecord { records.first { $0.time == t }! }
        #expect(record(150).desired == 3)
        #expect(record(150).ready == 1)
        #expect(record(255).ready == 1)
        // Ready at 270 (150 + 120): the record at 270 is taken before that second's step.
        #expect(record(285).ready == 3)
        // Backlog grows 20/s until 270, then the group pauses 5 s (grows 30/s), then drains at 0/s net.
        let before = 20.0 * 270
        let paused = before + 30 * 5
        #expect(abs(record(285).lag - paused) < 1e-6, "lag \(record(285).lag), expected \(paused)")
        #expect(abs(record(300).lag - paused) < 1e-6)
    }

    @Test func scaleDownRemovesStartingReplicasFirstWithoutAPause() {
        let arrivals = Array(repeating: 10.0, count: 600)
        let model = QueueModel(arrivals: arrivals, startTime: 0, capacity: 10, scenario: scenario(startup: 120, pause: 5))
        var controller = Scripted(replicas: 1)
        // The controller first decides at 90 s: it needs 90 s of history (30 s delay + 60 s window).
        controller.counts[90] = 4
        controller.counts[120] = 2
        var records: [TickRecord] = []
        _ = model.run(&controller) { records.append($0) }
        #expect(records.first { $0.time == 90 }?.desired == 4)
        #expect(records.first { $0.time == 120 }?.desired == 2)
        #expect(records.first { $0.time == 120 }?.ready == 1)
        // The remaining starting replica joins at 210 (a rebalance then); before that no consuming
        // replica was removed, so no pause: a steady 10/s against 10/s keeps the queue empty.
        #expect(records.filter { $0.time <= 210 }.allSatisfy { $0.lag < 1e-9 })
        #expect(records.first { $0.time == 225 }?.ready == 2)
    }

    @Test func lateShareCountsMessagesWaitingPastTheSLO() {
        // 1 replica at 1/s; 100 messages arrive in second 0, none after: message k waits k seconds,
        // so those served after 60 s (39 of 100) are late.
        let arrivals = [100.0] + Array(repeating: 0.0, count: 299)
        var s = scenario()
        s.sloSeconds = 60
        let model = QueueModel(arrivals: arrivals, startTime: 0, capacity: 1, scenario: s)
        var controller = Scripted(replicas: 1)
        let result = model.run(&controller)
        #expect(abs(result.latePercent - 39) < 1e-9)
        #expect(result.p99DelaySeconds == 98)
    }
}

@Suite("Trace parsing")
struct TraceTests {
    @Test func parsesAndSpreadsFineRowsEvenly() throws {
        let trace = try Trace.parse(csv: "timestamp,value\n0,60\n60,120\n", name: "t")
        #expect(trace.interval == 60)
        let arrivals = trace.arrivalsPerSecond()
        #expect(arrivals.count == 120)
        #expect(arrivals[0] == 1 && arrivals[59] == 1 && arrivals[60] == 2)
    }

    @Test func interpolatesCoarseRowsAndKeepsGapsEmpty() throws {
        let trace = try Trace.parse(csv: "0,3600\n3600,7200\n10800,3600\n", name: "t")
        let arrivals = trace.arrivalsPerSecond()
        #expect(arrivals[1800] > 0.99 && arrivals[1800] < 1.01)  // mid-point of row 1: its own rate
        #expect(arrivals[3600] > 1.49 && arrivals[3600] < 1.51)  // half-way between the two mid-points
        #expect(arrivals[7200 + 100] == 0)  // the missing hour
    }

    @Test(arguments: [
        ("0,1\nx,2\n", "t.csv:2: expected 'timestamp,value'"),
        ("0,1\n60,-2\n", "t.csv:2: value must be a non-negative number"),
        ("0,1\n0,2\n", "t.csv:2: timestamp 0.0 does not increase"),
        ("0,1\n", "t.csv: needs at least two rows"),
        ("0,1\n60,nan\n", "t.csv:2: value must be a non-negative number"),
    ])
    func badRowsNameTheirLine(csv: String, message: String) {
        #expect {
            try Trace.parse(csv: csv, name: "t", source: "t.csv")
        } throws: { error in
            (error as? TraceError)?.message.hasPrefix(message) == true
        }
    }
}
