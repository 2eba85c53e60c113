import NIOCore
import Planner

/// A place values come from: one configured source (`sources.NAME`).
///
/// Narrow on purpose (like KEDA's `Scaler`): fetch one value for one metric reference. A source
/// never throws and never invents a number; everything it learns is in the `MetricReading`.
public protocol MetricSource: Sendable {
    /// The configured name and settings of this source.
    var settings: SourceSettings { get }

    /// Reads one value before `deadline` (the endpoint's `timeout` may cut it shorter).
    func read(_ request: MetricRequest, deadline: NIODeadline) async -> MetricReading

    /// Reads several values of one target before `deadline`, one reading per request in order.
    ///
    /// The default reads each concurrently with `read(_:deadline:)`. A source whose values can share
    /// one upstream call overrides it (`JSONSource` fetches each distinct document once).
    func read(_ requests: [MetricRequest], deadline: NIODeadline) async -> [MetricReading]
}

extension MetricSource {
    public func read(_ requests: [MetricRequest], deadline: NIODeadline) async -> [MetricReading] {
        if requests.count == 1 { return [await read(requests[0], deadline: deadline)] }
        return await withTaskGroup(of: (Int, MetricReading).self) { group in
            for (index, request) in requests.enumerated() {
                group.addTask { (index, await read(request, deadline: deadline)) }
            }
            var readings = [MetricReading?](repeating: nil, count: requests.count)
            for await (index, reading) in group { readings[index] = reading }
            return readings.map { $0! }
        }
    }
}

/// A source that can also return history (Prometheus), for backfilling the forecaster.
public protocol RangeMetricSource: MetricSource {
    func readRange(
        _ query: PrometheusQuery, start: Double, end: Double, stepSeconds: Double, deadline: NIODeadline
    ) async -> RangeReading
}

/// What a source knows about a Kafka consumer group besides its lag (Burrow).
public struct ConsumerGroupDetails: Sendable, Equatable {
    /// Burrow's overall evaluation: `OK`, `WARN`, `ERR`, `STOP`, `STALL`, `REWIND`, `NOTFOUND`.
    public var status: String
    /// Partitions of the consumed topics; replicas above it would idle (the partition cap).
    public var partitionCount: Int?
    /// Share of partitions with a full offset window (1.0 when Burrow has seen enough commits).
    public var complete: Double?
    /// Partitions whose status is not `OK`, as `topic:partition=STATUS`.
    public var troubledPartitions: [String]

    public init(status: String, partitionCount: Int?, complete: Double?, troubledPartitions: [String]) {
        self.status = status
        self.partitionCount = partitionCount
        self.complete = complete
        self.troubledPartitions = troubledPartitions
    }

    /// True when the group or a partition is stopped, stalled or in error: the consumer is not
    /// making progress, which more replicas may not fix. Surfaced, never hidden.
    public var notProgressing: Bool {
        let bad: Set<String> = ["STOP", "STALL", "ERR"]
        return bad.contains(status) || troubledPartitions.contains { entry in
            bad.contains(where: { entry.hasSuffix("=" + $0) })
        }
    }
}

/// One read: the outcome plus what it cost and anything worth telling a person.
public struct MetricReading: Sendable, Equatable {
    public var outcome: MetricOutcome
    /// Wall time the read took, retries included.
    public var latencySeconds: Double
    public var attempts: Int
    /// Upstream warnings (Prometheus `warnings`), and notes such as a partial Burrow window.
    public var warnings: [String]
    /// Burrow's consumer-group evaluation, when the source has one.
    public var consumerGroup: ConsumerGroupDetails?
    /// Consumers attached (RabbitMQ `consumers`), when the source reports it.
    public var consumers: Int?

    public init(
        outcome: MetricOutcome, latencySeconds: Double = 0, attempts: Int = 1, warnings: [String] = [],
        consumerGroup: ConsumerGroupDetails? = nil, consumers: Int? = nil
    ) {
        self.consumers = consumers
        self.outcome = outcome
        self.latencySeconds = latencySeconds
        self.attempts = attempts
        self.warnings = warnings
        self.consumerGroup = consumerGroup
    }

    static func failed(_ kind: FetchErrorKind, _ message: String) -> MetricReading {
        MetricReading(outcome: .failed(FetchError(kind, message)))
    }
}

/// A point of history.
public struct RangePoint: Sendable, Equatable {
    public var timestamp: Double
    public var value: Double
    public init(timestamp: Double, value: Double) {
        self.timestamp = timestamp
        self.value = value
    }
}

/// History read for backfill: the points in time order, or why there are none.
public struct RangeReading: Sendable, Equatable {
    public var result: Result<[RangePoint], FetchError>
    /// Points left out because they were NaN, infinite or negative.
    public var droppedPoints: Int
    /// Requests sent (the range is chunked under Prometheus's 11,000-point limit).
    public var requests: Int
    public var warnings: [String]

    public init(
        result: Result<[RangePoint], FetchError>, droppedPoints: Int = 0, requests: Int = 0, warnings: [String] = []
    ) {
        self.result = result
        self.droppedPoints = droppedPoints
        self.requests = requests
        self.warnings = warnings
    }
}

extension MetricSource {
    /// The error a source answers for a query written for another source type.
    func wrongQuery(_ request: MetricRequest) -> MetricReading {
        .failed(
            .config,
            "source \"\(settings.name)\" is of type \(settings.type), but the \(request.metric.rawValue) reference "
                + "is written for \(request.query.sourceType)")
    }
}

/// Measures how long `body` takes, into the reading's `latencySeconds`.
func timed(_ body: () async -> MetricReading) async -> MetricReading {
    let clock = ContinuousClock()
    let start = clock.now
    var reading = await body()
    let elapsed = clock.now - start
    reading.latencySeconds =
        Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return reading
}
