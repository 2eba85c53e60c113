import ArgumentParser
import ForescaleConfig
import Foundation
import Planner
import Simulation

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay a recorded trace through Forescale and the reactive baselines in the standard scenario.")

    @Option(name: .long, help: "A timestamp,value CSV of arrivals per interval.")
    var trace: String

    @Option(help: "Seconds from asking for a replica to it consuming.") var startup = 120
    @Option(name: .customLong("metric-delay"), help: "Seconds the metrics lag behind.") var metricDelay = 30
    @Option(name: .customLong("rate-window"), help: "Seconds rates are averaged over.") var rateWindow = 60
    @Option(name: .customLong("rebalance-pause"), help: "Seconds every change of consumers pauses the group.") var rebalancePause = 5
    @Option(help: "Latency SLO in seconds.") var slo = 60
    @Option(name: .customLong("peak-replicas"), help: "Replicas the 99.9th-percentile rate needs (sizes capacity).") var peakReplicas = 40
    @Option(help: "Seconds between decisions.") var tick = 15
    @Option(help: "Seconds not scored at the start (default: min(7 days, 30 % of the span)).") var warmup: Int?
    @Option(help: "Days of the trace to simulate from its start.") var days = 21.0
    @Option(
        name: .customLong("min-replicas"),
        help:
            "Minimum replicas of every policy. 0: Forescale scales to zero (its scaleToZero defaults, or --config's), the KEDA sweep runs KEDA's scale to zero (activation threshold 0, cooldownPeriod 300 s, then the HPA from 1), and the report names the first-message delay after each wake-up."
    )
    var minReplicas = 1
    @Option(help: "A config file: Forescale runs with its first target's policy (or --target's); bounds, capacity, SLO and start-up come from the scenario.")
    var config: String?
    @Option(help: "The config target whose policy to use.") var target: String?
    @Flag(help: "Print JSON instead of a table.") var json = false
    @Option(help: "Write an SVG plot: Forescale over time, and the cost/lateness frontier of the KEDA sweep.")
    var plot: String?
    @Option(help: "Write what Forescale was shown, as replay-protocol lines (docs/replay.md), to this file.")
    var record: String?
    @Option(help: "Write Forescale's ticks as CSV (time, arrival rate, desired, ready, lag, forecast p50 and upper) to this file.")
    var ticks: String?
    @Option(
        name: .customLong("outage"),
        help: "A metric outage, START:DURATION from the trace's start (e.g. 3d:10m): every metric read fails then. Repeatable.")
    var outages: [String] = []

    /// `START:DURATION`, each a config duration (`3d`, `10m`, `1h30m`).
    static func outage(_ text: String) throws -> Scenario.Outage {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw ValidationError("--outage: expected START:DURATION such as 3d:10m, got '\(text)'") }
        func seconds(_ part: Substring, _ what: String) throws -> Int {
            switch ConfigValues.duration(String(part)) {
            case .success(let value): return Int(value)
            case .failure(let error): throw ValidationError("--outage \(text): \(what): \(error.message)")
            }
        }
        let start = try seconds(parts[0], "start")
        let duration = try seconds(parts[1], "duration")
        guard duration > 0 else { throw ValidationError("--outage \(text): the duration must be > 0") }
        return Scenario.Outage(startSecond: start, durationSeconds: duration)
    }

    func run() throws {
        var scenario = Scenario()
        scenario.startupSeconds = startup
        scenario.metricDelaySeconds = metricDelay
        scenario.rateWindowSeconds = rateWindow
        scenario.rebalancePauseSeconds = rebalancePause
        scenario.sloSeconds = slo
        scenario.peakReplicas = peakReplicas
        scenario.tickSeconds = tick
        scenario.warmupSeconds = warmup
        scenario.spanSeconds = Int(days * 86_400)
        guard minReplicas >= 0 else { throw ValidationError("--min-replicas must be ≥ 0, got \(minReplicas)") }
        scenario.minReplicas = minReplicas
        scenario.outages = try outages.map(Self.outage)
        let configured = try configuredPolicy()
        let loaded = try Trace.load(path: trace)
        var recorded: [String] = []
        var ticks: [TickRecord] = []
        let bar = ProgressBar()
        let comparison = Comparison.run(
            trace: loaded, scenario: scenario,
            adjust: { scenarioPolicy in
                guard var policy = configured else { return scenarioPolicy }
                policy.minReplicas = scenarioPolicy.minReplicas
                policy.maxReplicas = scenarioPolicy.maxReplicas
                policy.capacity = scenarioPolicy.capacity
                policy.latencySLOSeconds = scenarioPolicy.latencySLOSeconds
                policy.startupSeconds = scenarioPolicy.startupSeconds
                policy.partitions = nil
                return policy
            },
            record: { policy, tick in
                guard policy == "forescale" else { return }
                if plot != nil || self.ticks != nil { ticks.append(tick) }
                if record != nil, let input = tick.input {
                    recorded.append(ReplayRecording.observationLine(target: loaded.name, time: tick.time, input: input))
                }
            },
            progress: bar.update)
        bar.finish()
        if let plot {
            do {
                try Plot.svg(comparison: comparison, ticks: ticks).write(toFile: plot, atomically: true, encoding: .utf8)
            } catch {
                throw ValidationError("cannot write \(plot): \(error.localizedDescription)")
            }
        }
        if let path = self.ticks {
            var csv = "time,arrivalRate,desired,ready,lag,forecastP50,forecastUpper\n"
            for tick in ticks {
                csv += "\(Int(tick.time)),\(tick.arrivalRate),\(tick.desired),\(tick.ready),\(tick.lag),"
                    + "\(tick.forecast.map { String($0.p50) } ?? ""),\(tick.forecast.map { String($0.upper) } ?? "")\n"
            }
            do {
                try csv.write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw ValidationError("cannot write \(path): \(error.localizedDescription)")
            }
        }
        if let record {
            let policy = Comparison.defaultPolicy(capacity: comparison.capacityPerReplica, scenario: scenario)
            let header = ReplayRecording.initLine(target: loaded.name, tickSeconds: scenario.tickSeconds, policy: policy)
            let text = ([header] + recorded).joined(separator: "\n") + "\n"
            do {
                try text.write(toFile: record, atomically: true, encoding: .utf8)
            } catch {
                throw ValidationError("cannot write \(record): \(error.localizedDescription)")
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(comparison), as: UTF8.self))
        } else {
            print(ComparisonTable.render(comparison))
        }
    }

    private func configuredPolicy() throws -> ScalingPolicy? {
        guard let config else { return nil }
        let loaded = try loadConfigOrExit(config)
        guard let chosen = target.map({ name in loaded.targets.first { $0.name == name } }) ?? loaded.targets.first else {
            throw ValidationError("\(config) has no target named '\(target ?? "")'")
        }
        return chosen.policy
    }
}
