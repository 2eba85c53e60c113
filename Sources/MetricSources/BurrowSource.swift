import NIOCore
import Planner

/// Kafka consumer lag from Burrow's v3 HTTP API: `GET /v3/kafka/{cluster}/consumer/{group}/lag`.
///
/// Burrow serves lag only (`status.totallag`); it also reports the partition count (the partition
/// cap) and its evaluation of the group, which the reading carries in `consumerGroup`.
public struct BurrowSource: MetricSource {
    public let settings: SourceSettings
    public let transport: HTTPTransport
    public let clock: any ControlClock

    public init(settings: SourceSettings, transport: HTTPTransport = HTTPTransport(), clock: any ControlClock = SystemControlClock()) {
        self.settings = settings
        self.transport = transport
        self.clock = clock
    }

    public func read(_ request: MetricRequest, deadline: NIODeadline) async -> MetricReading {
        guard case .burrow(let query) = request.query else { return wrongQuery(request) }
        guard request.metric == .lag else {
            return .failed(
                .config,
                "Burrow serves consumer lag only; \(request.metric.rawValue) needs another source "
                    + "(e.g. a Prometheus kafka exporter preset)")
        }
        guard let cluster = settings.cluster, !cluster.isEmpty else {
            return .failed(.config, "Burrow source \"\(settings.name)\" has no cluster")
        }
        return await timed { await lag(cluster: cluster, group: query.group, request: request, deadline: deadline) }
    }

    private func lag(cluster: String, group: String, request: MetricRequest, deadline: NIODeadline) async
        -> MetricReading
    {
        let path = "/v3/kafka/\(URLText.encode(cluster))/consumer/\(URLText.encode(group))/lag"
        let reply: HTTPReply
        switch await transport.get(settings.endpoint, path: path, deadline: deadline) {
        case .failure(let error): return MetricReading(outcome: .failed(error))
        case .success(let r): reply = r
        }
        var reading = MetricReading(outcome: .empty(""), attempts: reply.attempts)
        let names = "consumer group \"\(group)\" in cluster \"\(cluster)\""
        let parsed = JSONValue.parse(reply.body, from: "Burrow")
        if reply.status == 404 {
            let message = (try? parsed.get())?["message"]?.string ?? reply.snippet()
            reading.outcome = .failed(
                FetchError(.config, "Burrow does not know \(names): \(message)", httpStatus: 404))
            return reading
        }
        let doc: JSONValue
        switch parsed {
        case .failure(let error):
            reading.outcome = .failed(
                reply.isSuccess
                    ? error
                    : FetchError(.httpStatus, "Burrow answered HTTP \(reply.status): \(reply.snippet())", httpStatus: reply.status))
            return reading
        case .success(let d): doc = d
        }
        if doc["error"]?.bool == true {
            let message = doc["message"]?.string ?? "no message"
            reading.outcome = .failed(
                FetchError(.upstream, "Burrow error for \(names) (HTTP \(reply.status)): \(message)", httpStatus: reply.status))
            return reading
        }
        guard reply.isSuccess else {
            reading.outcome = .failed(
                FetchError(.httpStatus, "Burrow answered HTTP \(reply.status): \(reply.snippet())", httpStatus: reply.status))
            return reading
        }
        guard let status = doc["status"], status.object != nil else {
            reading.outcome = .failed(FetchError(.decode, "Burrow answer has no status object: \(reply.snippet())"))
            return reading
        }
        let details = Self.details(status)
        reading.consumerGroup = details
        if details.status == "NOTFOUND" {
            reading.outcome = .failed(FetchError(.config, "Burrow does not know \(names) (status NOTFOUND)"))
            return reading
        }
        if let complete = details.complete, complete < 1 {
            reading.warnings.append("Burrow has a partial offset window for \(names) (complete \(complete))")
        }
        if details.notProgressing {
            let which = details.troubledPartitions.prefix(5).joined(separator: ", ")
            reading.warnings.append("\(names) is \(details.status), not progressing: \(which)")
        }
        guard let total = status["totallag"]?.double else {
            reading.outcome = .failed(FetchError(.decode, "Burrow answer has no numeric status.totallag"))
            return reading
        }
        reading.outcome = .value(total, timestamp: clock.unixNow)
        return reading
    }

    /// The group's evaluation out of Burrow's `status` object.
    static func details(_ status: JSONValue) -> ConsumerGroupDetails {
        let troubled = (status["partitions"]?.array ?? []).compactMap { p -> String? in
            let s = p["status"]?.string ?? "UNKNOWN"
            guard s != "OK" else { return nil }
            return "\(p["topic"]?.string ?? "?"):\(p["partition"]?.int.map(String.init) ?? "?")=\(s)"
        }
        return ConsumerGroupDetails(
            status: status["status"]?.string ?? "UNKNOWN",
            partitionCount: status["partition_count"]?.int,
            complete: status["complete"]?.double,
            troubledPartitions: troubled)
    }
}
