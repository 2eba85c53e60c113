import Foundation
import NIOCore
import Planner

/// One target to probe: its name and its values with their sources.
public struct ProbeTarget: Sendable {
    public var name: String
    public var values: [BoundRequest]

    public init(name: String, values: [BoundRequest]) {
        self.name = name
        self.values = values
    }
}

/// One line of `forescale probe`: a value of a target, as fetched once.
public struct ProbeRow: Sendable, Equatable, Codable {
    public var target: String
    public var metric: String
    public var source: String
    /// `value`, `empty`, `stale` or `failed`.
    public var outcome: String
    public var value: Double?
    public var ageSeconds: Double?
    public var errorKind: String?
    public var message: String?
    public var latencyMs: Double
    public var attempts: Int
    public var warnings: [String]
    /// Burrow: partitions and whether the group is stopped/stalled.
    public var partitionCount: Int?
    public var notProgressing: Bool?

    public init(
        target: String, metric: String, source: String, outcome: String, value: Double? = nil,
        ageSeconds: Double? = nil, errorKind: String? = nil, message: String? = nil, latencyMs: Double = 0,
        attempts: Int = 1, warnings: [String] = [], partitionCount: Int? = nil, notProgressing: Bool? = nil
    ) {
        self.target = target
        self.metric = metric
        self.source = source
        self.outcome = outcome
        self.value = value
        self.ageSeconds = ageSeconds
        self.errorKind = errorKind
        self.message = message
        self.latencyMs = latencyMs
        self.attempts = attempts
        self.warnings = warnings
        self.partitionCount = partitionCount
        self.notProgressing = notProgressing
    }

    public var failed: Bool { outcome == "failed" || outcome == "invalid" }
}

/// The `forescale probe` core: fetch every value of every target once and report each one.
public enum Probe {
    /// Fetches all targets concurrently, each target's values under one deadline of `timeoutSeconds`.
    /// Rows come in target order, then in the order of each target's values.
    public static func run(_ targets: [ProbeTarget], timeoutSeconds: Double = 10, clock: any ControlClock = SystemControlClock()) async
        -> [ProbeRow]
    {
        let deadline = NIODeadline.now() + .nanoseconds(Int64(timeoutSeconds * 1e9))
        return await withTaskGroup(of: (Int, [ProbeRow]).self) { group in
            for (index, target) in targets.enumerated() {
                group.addTask {
                    let readings = await TargetFetch.readAll(target.values, deadline: deadline)
                    let now = clock.unixNow
                    let rows = target.values.map { bound in
                        row(target: target.name, bound: bound, reading: readings[bound.request.metric], now: now)
                    }
                    return (index, rows)
                }
            }
            var all: [(Int, [ProbeRow])] = []
            for await item in group { all.append(item) }
            return all.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
    }

    static func row(target: String, bound: BoundRequest, reading: MetricReading?, now: Double) -> ProbeRow {
        let reading = reading ?? MetricReading(outcome: .failed(FetchError(.timeout, "no reading")))
        var row = ProbeRow(
            target: target, metric: bound.request.metric.rawValue, source: bound.source.settings.name,
            outcome: reading.outcome.kindName, value: nil, ageSeconds: nil, errorKind: nil, message: nil,
            latencyMs: (reading.latencySeconds * 1000 * 10).rounded() / 10, attempts: reading.attempts,
            warnings: reading.warnings, partitionCount: reading.consumerGroup?.partitionCount,
            notProgressing: reading.consumerGroup?.notProgressing)
        switch reading.outcome {
        case .value(let v, let t):
            row.value = v
            row.ageSeconds = max(0, now - t)
            // The step's rule, so that probe says what a tick would make of the value.
            if let problem = MetricValidity.problem(v) {
                row.outcome = "invalid"
                row.errorKind = "invalidValue"
                row.message = "\(bound.request.metric.rawValue) is \(problem): a tick holds on it"
            }
        case .empty(let why):
            row.message = why
        case .failed(let e):
            row.errorKind = e.kind.rawValue
            row.message = e.message
        }
        return row
    }

    /// True when any value failed: `forescale probe` then exits non-zero.
    public static func anyFailed(_ rows: [ProbeRow]) -> Bool { rows.contains(where: \.failed) }

    /// A table for people: one line per value, then the messages of what was not a value.
    public static func text(_ rows: [ProbeRow]) -> String {
        let header = ["TARGET", "METRIC", "SOURCE", "OUTCOME", "VALUE", "AGE", "LATENCY"]
        let cells = rows.map { r in
            [
                r.target, r.metric, r.source, r.errorKind.map { "failed(\($0))" } ?? r.outcome,
                r.value.map(format) ?? "-", r.ageSeconds.map { "\(format($0))s" } ?? "-",
                "\(format(r.latencyMs))ms",
            ]
        }
        let widths = header.indices.map { i in ([header] + cells).map { $0[i].count }.max() ?? 0 }
        func line(_ c: [String]) -> String {
            c.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
        var out = ([header] + cells).map(line)
        for r in rows {
            if let m = r.message { out.append("\(r.target).\(r.metric): \(m)") }
            for w in r.warnings { out.append("\(r.target).\(r.metric): warning: \(w)") }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// The rows as a JSON array (keys sorted), for scripts.
    public static func json(_ rows: [ProbeRow]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data = (try? encoder.encode(rows)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func format(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(format: "%.3g", x)
    }
}
