import NIOCore
import Planner

/// One value of a target to read: which source, and what to ask it.
public struct BoundRequest: Sendable {
    public var source: any MetricSource
    public var request: MetricRequest

    public init(source: any MetricSource, request: MetricRequest) {
        self.source = source
        self.request = request
    }
}

/// Reads all of a target's values concurrently under one deadline (shorter than the tick interval).
public enum TargetFetch {
    /// Readings keyed by metric. Each value that misses the deadline is `failed(timeout)` on its own;
    /// the others are kept.
    public static func readAll(_ requests: [BoundRequest], deadline: NIODeadline) async -> [MetricName: MetricReading] {
        await withTaskGroup(of: (MetricName, MetricReading).self) { group in
            for bound in requests {
                group.addTask {
                    (bound.request.metric, await bound.source.read(bound.request, deadline: deadline))
                }
            }
            var result: [MetricName: MetricReading] = [:]
            for await (metric, reading) in group { result[metric] = reading }
            return result
        }
    }

    /// The observation's metric samples from readings: anything but a fresh value is missing (`nil`).
    public static func samples(_ readings: [MetricName: MetricReading], now: Double) -> (
        lag: Sample<Double>?, arrivalRate: Sample<Double>?, throughput: Sample<Double>?
    ) {
        (
            readings[.lag]?.outcome.sample(now: now),
            readings[.arrivalRate]?.outcome.sample(now: now),
            readings[.throughput]?.outcome.sample(now: now)
        )
    }
}
