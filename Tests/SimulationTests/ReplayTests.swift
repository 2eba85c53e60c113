import ForescaleTestKit
import Pipeline
import Planner
import Testing
@testable import Simulation

let initLine =
    #"{"type":"init","tickSeconds":15,"targets":[{"name":"a","minReplicas":1,"maxReplicas":100,"capacityPerReplica":100,"latencySLOSeconds":60,"startupSeconds":120,"targetUtilization":0.8}]}"#

func observation(
    t: Int, lag: String = "0", rate: String = "400", ready: String = "3", desired: String = "3", extra: String = ""
) -> String {
    #"{"type":"observation","target":"a","t":\#(t),"lag":\#(lag),"arrivalRate":\#(rate),"throughput":300,"readyReplicas":\#(ready),"desiredReplicas":\#(desired)\#(extra)}"#
}

/// A forecaster that says the next rate will be the last one doubled, to see forecasts flow through.
struct Doubling: TickForecaster {
    var last: Double?
    mutating func observe(time: Double, rate: Double) { last = rate }
    func forecast(horizonSeconds: Double) -> ForecastInput? {
        last.map { ForecastInput(horizonSeconds: horizonSeconds, p50: $0 * 1.5, upper: $0 * 2, model: "doubling") }
    }
}

@Suite("Replay protocol")
struct ReplayTests {
    func run(_ lines: [String], forecaster: Bool = false) throws(ReplayError) -> [String] {
        var session = ReplaySession(makeForecaster: { _, _ in forecaster ? Doubling() : nil })
        var out: [String] = []
        for (index, line) in lines.enumerated() {
            if let answer = try session.handle(line: line, number: index + 1) { out.append(answer) }
        }
        return out
    }

    @Test func answersOneLinePerObservationWithTheProductionDecision() throws {
        // 4 ready replicas drain the 400/s arriving: no backlog, the plan is 400 / 80 = 5.
        // Then 5 desired, 3 ready: 3 + 2 / 2 = 4 serve meanwhile, the 6000 stays, 5 + 1 = 6.
        let answers = try run([
            initLine, observation(t: 1000, ready: "4", desired: "4"), observation(t: 1015, lag: "6000", ready: "3", desired: "5"),
        ])
        #expect(answers.count == 2)
        #expect(answers[0].hasPrefix(#"{"t":1000,"target":"a","desiredReplicas":5,"reactiveReplicas":"#))
        #expect(answers[0].contains(#""reason":"scale up 4 → 5: arrival 400/s (observed)"#))
        #expect(answers[1].contains(#""desiredReplicas":6"#))
        #expect(!answers[0].contains("forecast"))
    }

    @Test func forecastAppearsWhenTheForecasterHasOne() throws {
        // 4 ready replicas drain the 400/s observed: no backlog, so the plan is the forecast's alone.
        let answers = try run([initLine, observation(t: 1000, ready: "4", desired: "4")], forecaster: true)
        #expect(answers[0].contains(#""forecast":{"horizonSeconds":135,"p50":600,"p90":800},"model":"doubling""#))
        // Plan 800 / 80 = 10; HPA's default scale-up from 4 allows 8.
        #expect(answers[0].contains(#""desiredReplicas":8"#))
        #expect(answers[0].contains("→ plan 10; scale-up rate policy allows 8"))
    }

    @Test func twoRunsAreByteIdentical() throws {
        var lines = [initLine]
        var rng = SplitMix64(seed: 3)
        for tick in 0..<500 {
            let lag = Double(Int.random(in: 0...20_000, using: &rng))
            let rate = Double(Int.random(in: 0...2_000, using: &rng)) / 3
            lines.append(observation(t: 1000 + 15 * tick, lag: String(lag), rate: String(rate), desired: String(Int.random(in: 1...30, using: &rng))))
        }
        #expect(try run(lines, forecaster: true) == run(lines, forecaster: true))
    }

    @Test func nullMeansMissingAndHolds() throws {
        let answers = try run([initLine, observation(t: 1000, lag: "null", desired: "7")])
        #expect(answers[0].contains(#""desiredReplicas":7"#))
        #expect(answers[0].contains(#""reasons":["missing_metric"]"#))
    }

    @Test(arguments: [
        (observation(t: 1000, lag: "\"x\""), "line 17: lag: must be a number, got \"x\""),
        (observation(t: 1000, lag: "true"), "line 17: lag: must be a number, got true"),
        (observation(t: 1000, lag: "-5"), "line 17: lag: must be ≥ 0, got -5"),
        (observation(t: 1000, desired: "2.5"), "line 17: desiredReplicas: must be a whole number"),
        (#"{"type":"observation","target":"a","t":1000,"arrivalRate":1,"desiredReplicas":1}"#, "line 17: lag: required (use null"),
        (#"{"type":"observation","target":"b","t":1000,"lag":0,"arrivalRate":1,"desiredReplicas":1}"#, "line 17: target: unknown target \"b\""),
        (observation(t: 1000, extra: #","lagg":3"#), "line 17: lagg: unknown field"),
        (#"{"type":"observation","target":"a","t":1000"#, "line 17: not valid JSON"),
        ("[1,2]", "line 17: expected a JSON object"),
        (#"{"type":"obs"}"#, "line 17: type: must be \"init\" or \"observation\""),
        (observation(t: 900), "line 17: t: goes backwards: 900 after 1000"),
        (initLine, "line 17: type: a second init line"),
    ])
    func malformedLine17IsNamedWithItsField(line: String, message: String) {
        var lines = [initLine] + (1...15).map { observation(t: 1000 + $0 * 0) }
        lines.append(line)
        #expect(lines.count == 17)
        #expect {
            _ = try run(lines)
        } throws: { error in
            let text = (error as? ReplayError)?.description ?? "\(error)"
            return text.hasPrefix(message)
        }
    }

    @Test func initErrorsNameTheTargetField() {
        let bad = #"{"type":"init","tickSeconds":15,"targets":[{"name":"a","maxReplicas":0}]}"#
        #expect(throws: ReplayError(line: 1, field: "targets[0].maxReplicas", message: "must be ≥ minReplicas (1) and ≥ 1, got 0")) {
            _ = try run([bad])
        }
        #expect(throws: ReplayError(line: 1, field: "type", message: "an observation before the init line")) {
            _ = try run([observation(t: 1)])
        }
    }

    @Test func recordedLinesReplay() throws {
        let policy = Comparison.defaultPolicy(capacity: 100, scenario: Scenario())
        let header = ReplayRecording.initLine(target: "a", tickSeconds: 15, policy: policy)
        let line = ReplayRecording.observationLine(
            target: "a", time: 1000,
            input: StepInput(
                now: 1000, lag: .value(10, ageSeconds: 0), arrivalRate: .empty("none"), throughput: .value(5, ageSeconds: 0),
                scale: .read(desired: 2, ready: 2, ageSeconds: 0)))
        #expect(line == #"{"type":"observation","target":"a","t":1000,"lag":10,"arrivalRate":null,"throughput":5,"readyReplicas":2,"desiredReplicas":2}"#)
        // What the live loop sees: a value with its age, a failed read, a scale that could not be read.
        let aged = ReplayRecording.observationLine(
            target: "a", time: 1015,
            input: StepInput(
                now: 1015, lag: .value(12, ageSeconds: 30), arrivalRate: .failed(kind: "timeout", message: "no answer in 2 s"),
                scale: .read(desired: 2, ready: 1, ageSeconds: 3)))
        #expect(
            aged
                == #"{"type":"observation","target":"a","t":1015,"lag":{"value":12,"ageSeconds":30},"arrivalRate":{"error":"timeout","message":"no answer in 2 s"},"readyReplicas":1,"scaleAgeSeconds":3,"desiredReplicas":2}"#
        )
        let failedScale = ReplayRecording.observationLine(
            target: "a", time: 1030,
            input: StepInput(now: 1030, lag: .value(12, ageSeconds: 0), arrivalRate: .value(1, ageSeconds: 0), scale: .failed(kind: "forbidden", message: "x")))
        #expect(failedScale == #"{"type":"observation","target":"a","t":1030,"lag":12,"arrivalRate":1,"scaleError":"forbidden"}"#)
        let answers = try run([header, line, aged, failedScale])
        #expect(answers.count == 3)
        #expect(answers.last?.contains(#""desiredReplicas":null"#) == true)
        #expect(answers.last?.contains("nothing decided: the scale could not be read (forbidden") == true)
    }
}
