import Controller
import DecisionStorage
import ForescaleConfig
import ForescaleTestKit
import Foundation
import Logging
import MetricSources
import Orchestrators
import Pipeline
import Planner
import Simulation
import Synchronization
import Testing

/// The promise of replay and simulation: what they decide is what `forescale run` decides. One
/// recorded stream of observations — values of varying age, two hours so the forecaster warms up
/// and forecasts, and a 10-minute outage of the lag metric — is driven (a) through the live
/// controller (a Prometheus-compatible endpoint, the fake Kubernetes API, a manual clock), (b)
/// through the replay protocol and (c) through the simulator's Forescale. Tick by tick the
/// decisions, the counts after safety, the safety states and the explanations must be identical;
/// any path that gets logic of its own back fails this.
@Suite("One decision pipeline")
struct OnePipelineTests {
    /// One tick of the stream. `lag == nil`: the lag read fails (Prometheus answers 503).
    struct Tick: Sendable {
        var lag: Double?
        var lagAge: Double
        var rate: Double
        var rateAge: Double
        var desired: Int
        var ready: Int
    }

    static let outage = 300..<340  // 40 ticks of 15 s: 10 minutes

    /// Deterministic noise in [−0.5, 0.5) (a 64-bit LCG's top bits), one source per stream.
    static func noise(seed: UInt64) -> () -> Double {
        var state = seed
        return {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 40) / Double(1 << 24) - 0.5
        }
    }

    /// Two hours at 15 s: a daily-looking wave with noise, ages from 0 to 45 s, the lag outage.
    static func stream() -> [Tick] {
        let noise = Self.noise(seed: 0x9E37_79B9_7F4A_7C15)
        return (0..<480).map { i in
            let wave = 250 + 180 * sin(Double(i) * 2 * .pi / 240)
            let rate = (wave + 40 * noise()).rounded()
            let lag = (max(0, 400 * sin(Double(i) * 2 * .pi / 97) + 150 * noise())).rounded()
            let desired = 4 + (i / 50) % 4
            return Tick(
                lag: outage.contains(i) ? nil : lag, lagAge: Double((i * 7) % 46), rate: rate, rateAge: Double((i * 11) % 31),
                desired: desired, ready: i % 9 == 0 ? desired - 1 : desired)
        }
    }

    /// What each path decided at one tick, compared whole.
    struct Outcome: Equatable, CustomStringConvertible {
        var final: Int?
        var decided: Int?
        var safety: String
        var reasons: [String]
        var explanation: String
        var description: String {
            "final \(final.map(String.init) ?? "nil") (decided \(decided.map(String.init) ?? "nil")), \(safety), \(reasons): \(explanation)"
        }
    }

    static func explain(_ decision: Decision?, note: String) -> String {
        guard let decision else { return "" }
        return note.isEmpty ? decision.explanation : "\(decision.explanation) — \(note)"
    }

    /// A target that scales to zero: half-hour phases, busy then idle. The test sets the counts:
    /// 0 for the first two busy ticks (the wake-up), then 3; in an idle phase 1 for 15 minutes,
    /// then 0; and the lag read fails for ten ticks while asleep.
    static func sleepyStream() -> [Tick] {
        let noise = Self.noise(seed: 0x2545_F491_4F6C_DD1D)
        return (0..<480).map { i in
            let phase = i % 120
            let busy = (i / 120) % 2 == 0
            let rate = busy ? (100 + 40 * noise()).rounded() : 0
            let lag = busy ? (max(0, 60 + 80 * noise())).rounded() : 0
            let desired = busy ? (phase < 2 ? 0 : 3) : (phase < 60 ? 1 : 0)
            return Tick(
                lag: (420..<430).contains(i) ? nil : lag, lagAge: Double((i * 7) % 31), rate: rate, rateAge: Double((i * 11) % 31),
                desired: desired, ready: desired)
        }
    }

    static func configText(_ promURL: String, _ kubeconfig: String, _ dir: String, sleepy: Bool = false) -> String {
        let replicas = sleepy ? "{ min: 0, max: 50 }\n    scaleToZero: { idlePeriod: 5m }" : "{ min: 1, max: 50 }"
        return """
        controller:
          interval: 15s
          backfill: 0s
          decisionLog: { path: \(dir)/log.sqlite }
        sources:
          prom: { type: prometheus, url: \(promURL) }
        orchestrators:
          k8s: { type: kubernetes, kubeconfig: \(kubeconfig) }
        targets:
          - name: web
            scale: { orchestrator: k8s, kind: Deployment, namespace: default, name: web }
            replicas: \(replicas)
            metrics:
              lag: { source: prom, query: lag }
              arrivalRate: { source: prom, query: rate }
            capacity: { perReplica: 50 }
            startup: 60s
            fallback: { after: 3 }
        """
    }

    /// (a) The live controller in shadow mode; the test sets the workload's counts each tick.
    static func live(_ ticks: [Tick], sleepy: Bool = false) async throws -> (times: [Double], outcomes: [Outcome], target: TargetConfig) {
        let current = Mutex<Tick?>(nil)
        let clock = ManualClock()
        return try await FakeKubernetesAPIServer.withRunning { kube in
            try await InProcessHTTPServer.withRunning(handler: { request in
                guard let tick = current.withLock({ $0 }) else { return .json(500, "{}") }
                let now = clock.now().timeIntervalSince1970
                let (value, age): (Double?, Double) = request.query?.contains("query=lag") == true ? (tick.lag, tick.lagAge) : (tick.rate, tick.rateAge)
                guard let value else { return .json(503, #"{"status":"error","errorType":"unavailable","error":"down for the test"}"#) }
                return .json(200, #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[\#(now - age),"\#(value)"]}]}}"#)
            }) { promURL in
                let dir = FileManager.default.temporaryDirectory.appendingPathComponent("forescale-pipeline-\(UUID().uuidString)").path
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(atPath: dir) }
                let kubeconfig = "\(dir)/kubeconfig"
                try FakeKubernetesAPIServer.kubeconfig(server: kube.baseURL, token: "t").write(toFile: kubeconfig, atomically: true, encoding: .utf8)
                let configPath = "\(dir)/forescale.yaml"
                try configText(promURL, kubeconfig, dir, sleepy: sleepy).write(toFile: configPath, atomically: true, encoding: .utf8)
                let config = try ConfigLoader.load(path: configPath)
                var logger = Logger(label: "test")
                logger.logLevel = .critical
                let runtime = try await ControllerRuntime(
                    config: config, configPath: configPath,
                    dependencies: .init(
                        store: InMemoryDecisionStore(), metrics: RecordingMetrics(), clock: clock,
                        sourceContext: SourceContext(clock: clock),
                        factory: OrchestratorFactory(clock: clock), logger: logger))
                var times: [Double] = []
                var outcomes: [Outcome] = []
                for tick in ticks {
                    clock.advance(by: 15)
                    await kube.addWorkload(name: "web", replicas: tick.desired, readyReplicas: tick.ready)
                    current.withLock { $0 = tick }
                    let report = try #require(await runtime.tick(target: "web"))
                    let record = try #require(report.record, "\(report.failure.map { "\($0)" } ?? "")")
                    times.append(record.timeSeconds)
                    outcomes.append(Outcome(
                        final: record.finalReplicas, decided: record.decision.desiredReplicas, safety: record.safety.rawValue,
                        reasons: record.decision.reasons.map(\.rawValue), explanation: explain(record.decision, note: record.safetyNote)))
                }
                await runtime.shutdown()
                return (times, outcomes, config.targets[0])
            }
        }
    }

    static func input(_ tick: Tick, at time: Double) -> StepInput {
        StepInput(
            now: time, lag: tick.lag.map { .value($0, ageSeconds: tick.lagAge) } ?? .failed(kind: "httpStatus", message: "503"),
            arrivalRate: .value(tick.rate, ageSeconds: tick.rateAge), scale: .read(desired: tick.desired, ready: tick.ready, ageSeconds: 0))
    }

    /// (b) `forescale replay`'s session, with the config's policies, on the stream as replay lines.
    static func replay(_ ticks: [Tick], times: [Double], target: TargetConfig) throws -> [Outcome] {
        var session = ReplaySession(
            configured: [target.name: target.policy], configuredSafety: [target.name: target.safety],
            makeForecaster: { TargetStep.productionForecaster(policy: $0, tickSeconds: $1) })
        _ = try session.handle(line: #"{"type":"init","tickSeconds":15,"targets":[{"name":"web"}]}"#, number: 1)
        return try zip(ticks, times).enumerated().map { index, pair in
            let line = ReplayRecording.observationLine(target: "web", time: pair.1, input: input(pair.0, at: pair.1))
            let answer = try #require(try session.handle(line: line, number: index + 2))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any])
            return Outcome(
                final: object["desiredReplicas"] as? Int, decided: nil, safety: object["safety"] as? String ?? "?",
                reasons: object["reasons"] as? [String] ?? [], explanation: object["reason"] as? String ?? "")
        }
    }

    /// (c) The simulator's Forescale, shown the stream as the queue model shows a tick.
    static func simulate(_ ticks: [Tick], times: [Double], target: TargetConfig) -> [Outcome] {
        var controller = ForescaleController(
            policy: target.policy, safety: target.safety, tickSeconds: 15,
            forecaster: TargetStep.productionForecaster(policy: target.policy, tickSeconds: 15))
        return zip(ticks, times).enumerated().map { index, pair in
            let (tick, time) = pair
            let view = ControllerView(
                observation: Observation(
                    lag: tick.lag.map { Sample($0, ageSeconds: tick.lagAge) }, arrivalRate: Sample(tick.rate, ageSeconds: tick.rateAge),
                    readyReplicas: Sample(tick.ready), desiredReplicas: Sample(tick.desired)),
                now: time, second: index * 15, trueLag: 0, failedMetrics: tick.lag == nil ? [.lag] : [])
            let output = controller.tick(view)
            let result = controller.lastResult
            return Outcome(
                final: output.desiredReplicas, decided: result?.decision?.desiredReplicas, safety: result?.safety.rawValue ?? "?",
                reasons: result?.decision?.reasons.map(\.rawValue) ?? [], explanation: explain(result?.decision, note: result?.safetyNote ?? ""))
        }
    }

    /// Runs the three paths on `ticks` and expects them to agree tick by tick; returns the live outcomes.
    static func threePaths(_ ticks: [Tick], sleepy: Bool = false) async throws -> [Outcome] {
        let (times, live, target) = try await Self.live(ticks, sleepy: sleepy)
        let replayed = try Self.replay(ticks, times: times, target: target)
        let simulated = Self.simulate(ticks, times: times, target: target)
        #expect(live.count == ticks.count && replayed.count == ticks.count && simulated.count == ticks.count)
        for index in ticks.indices {
            var expected = live[index]
            expected.decided = nil  // the replay line carries the count after safety only
            var fromSimulator = simulated[index]
            fromSimulator.decided = live[index].decided == simulated[index].decided ? nil : simulated[index].decided
            #expect(replayed[index] == expected, "tick \(index): live \(live[index]) ≠ replay \(replayed[index])")
            #expect(fromSimulator == expected, "tick \(index): live \(live[index]) ≠ simulate \(simulated[index])")
            if replayed[index] != expected || fromSimulator != expected { break }
        }
        return live
    }

    @Test("live, replay and simulate make the same decisions, counts, safety states and explanations, tick by tick")
    func threePathsDecideTheSame() async throws {
        let ticks = Self.stream()
        let live = try await Self.threePaths(ticks)
        // The stream exercises what it is meant to: forecasts in the second hour, the fallback in
        // the outage, and never a count below the current one while the lag cannot be read.
        #expect(live.suffix(200).contains { $0.explanation.contains("forecast") }, "the forecaster never forecast")
        let inOutage = Self.outage.map { live[$0] }
        #expect(inOutage.filter { $0.safety == "fallback" }.count >= Self.outage.count - 3)
        for index in Self.outage { #expect((live[index].final ?? 0) >= ticks[index].desired, "tick \(index) scaled down in the outage") }
        #expect(live[Self.outage.upperBound + 1].safety != "fallback", "the fallback ends when the lag is read again")
    }

    @Test("the three paths also agree on a target that scales to zero: sleep, wake-up, a failed metric while asleep")
    func threePathsDecideTheSameForATargetThatSleeps() async throws {
        let ticks = Self.sleepyStream()
        let live = try await Self.threePaths(ticks, sleepy: true)
        for reason in ["wake_on_activity", "idle_cooldown", "idle_sleep", "asleep"] {
            #expect(live.contains { $0.reasons.contains(reason) }, "the stream never gave \(reason)")
        }
        for index in 420..<430 { #expect(live[index].final == 0, "tick \(index): a sleeping target whose lag fails stays asleep") }
        #expect(live.contains { $0.explanation.hasPrefix("wake 0 → ") })
        #expect(live.contains { $0.explanation.hasPrefix("sleep 1 → 0: ") })
    }
}
