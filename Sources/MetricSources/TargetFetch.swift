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
    /// the others are kept. Requests to the same source go to it together, so that values which share
    /// an upstream call (several pointers into one JSON document) cost one call.
    public static func readAll(_ requests: [BoundRequest], deadline: NIODeadline) async -> [MetricName: MetricReading] {
        var groups: [(source: any MetricSource, requests: [MetricRequest])] = []
        for bound in requests {
            if let index = groups.firstIndex(where: { $0.source.settings == bound.source.settings }) {
                groups[index].requests.append(bound.request)
            } else {
                groups.append((bound.source, [bound.request]))
            }
        }
        if groups.count == 1, let only = groups.first {
            return Self.keyed(only.requests, await only.source.read(only.requests, deadline: deadline))
        }
        return await withTaskGroup(of: [MetricName: MetricReading].self) { group in
            for (source, sourceRequests) in groups {
                group.addTask { Self.keyed(sourceRequests, await source.read(sourceRequests, deadline: deadline)) }
            }
            var result: [MetricName: MetricReading] = [:]
            for await part in group { result.merge(part) { $1 } }
            return result
        }
    }

    private static func keyed(_ requests: [MetricRequest], _ readings: [MetricReading]) -> [MetricName: MetricReading] {
        var result: [MetricName: MetricReading] = [:]
        for (request, reading) in zip(requests, readings) { result[request.metric] = reading }
        return result
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
