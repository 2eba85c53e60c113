import NIOCore
import Planner

/// NATS JetStream through the monitoring endpoint `GET /jsz?consumers=true`.
///
/// lag = the consumer's `num_pending + num_ack_pending`. Rates come from the change between two
/// polls: arrivals from the stream's `state.last_seq`, throughput from the consumer's
/// `ack_floor.stream_seq` (what it has finished). The first poll has no rate (`empty`), and a
/// sequence going backwards (the stream was recreated) is `empty` too, never a negative rate.
/// Both rates count stream sequences, so for a consumer with a subject filter they include the
/// messages it does not take.
public struct NATSSource: MetricSource {
    public let settings: SourceSettings
    public let transport: HTTPTransport
    public let clock: any ControlClock
    let tracker: SequenceTracker

    public init(settings: SourceSettings, transport: HTTPTransport = HTTPTransport(), clock: any ControlClock = SystemControlClock()) {
        self.settings = settings
        self.transport = transport
        self.clock = clock
        self.tracker = SequenceTracker()
    }

    public func read(_ request: MetricRequest, deadline: NIODeadline) async -> MetricReading {
        guard case .nats(let query) = request.query else { return wrongQuery(request) }
        return await timed { await consumer(query, request: request, deadline: deadline) }
    }

    private func consumer(_ query: NATSQuery, request: MetricRequest, deadline: NIODeadline) async -> MetricReading {
        let reply: HTTPReply
        switch await transport.get(
            settings.endpoint, path: "/jsz", query: [("consumers", "true")], deadline: deadline)
        {
        case .failure(let error): return MetricReading(outcome: .failed(error))
        case .success(let r): reply = r
        }
        var reading = MetricReading(outcome: .empty(""), attempts: reply.attempts)
        guard reply.isSuccess else {
            reading.outcome = .failed(
                FetchError(.httpStatus, "NATS monitoring answered HTTP \(reply.status): \(reply.snippet())", httpStatus: reply.status))
            return reading
        }
        let doc: JSONValue
        switch JSONValue.parse(reply.body, from: "NATS monitoring") {
        case .failure(let error):
            reading.outcome = .failed(error)
            return reading
        case .success(let d): doc = d
        }
        guard let accounts = doc["account_details"]?.array else {
            reading.outcome = .failed(
                FetchError(.decode, "NATS /jsz answer has no account_details (is JetStream enabled?): \(reply.snippet())"))
            return reading
        }
        let streams = accounts.flatMap { $0["stream_detail"]?.array ?? [] }
        guard let stream = streams.first(where: { $0["name"]?.string == query.stream }) else {
            reading.outcome = .failed(FetchError(.config, "NATS JetStream has no stream \"\(query.stream)\""))
            return reading
        }
        let consumers = stream["consumer_detail"]?.array ?? []
        guard let consumer = consumers.first(where: { $0["name"]?.string == query.consumer }) else {
            reading.outcome = .failed(
                FetchError(.config, "NATS stream \"\(query.stream)\" has no consumer \"\(query.consumer)\""))
            return reading
        }
        let names = "consumer \"\(query.consumer)\" of stream \"\(query.stream)\""
        let now = clock.unixNow
        switch request.metric {
        case .lag:
            guard let pending = consumer["num_pending"]?.double, let ackPending = consumer["num_ack_pending"]?.double else {
                reading.outcome = .failed(FetchError(.decode, "NATS \(names) has no num_pending / num_ack_pending"))
                return reading
            }
            reading.outcome = .value(pending + ackPending, timestamp: now)
        case .arrivalRate, .throughput:
            let (field, sequence) =
                request.metric == .arrivalRate
                ? ("state.last_seq of stream \"\(query.stream)\"", stream["state"]?["last_seq"]?.double)
                : ("ack_floor.stream_seq of \(names)", consumer["ack_floor"]?["stream_seq"]?.double)
            guard let sequence, sequence.isFinite, sequence >= 0 else {
                reading.outcome = .failed(FetchError(.decode, "NATS answer has no usable \(field)"))
                return reading
            }
            let key = SequenceTracker.Key(stream: query.stream, consumer: query.consumer, metric: request.metric.rawValue)
            reading.outcome = await tracker.rate(key, sequence: sequence, at: now, what: field)
        case .readyReplicas, .desiredReplicas:
            reading.outcome = .failed(FetchError(.config, "NATS cannot serve \(request.metric.rawValue)"))
        }
        return reading
    }
}

/// The previous poll of each sequence, to turn two polls into a rate.
actor SequenceTracker {
    struct Key: Hashable, Sendable {
        var stream: String
        var consumer: String
        var metric: String
    }

    private var previous: [Key: (time: Double, sequence: Double)] = [:]

    /// Records `sequence` at `time` and returns the rate since the previous poll of `key`.
    func rate(_ key: Key, sequence: Double, at time: Double, what: String) -> MetricOutcome {
        let before = previous[key]
        guard let before else {
            previous[key] = (time, sequence)
            return .empty("first poll of \(what): a rate needs a second poll")
        }
        if sequence < before.sequence {
            previous[key] = (time, sequence)
            return .empty(
                "\(what) went backwards from \(Int(before.sequence)) to \(Int(sequence)) (counter reset: stream "
                    + "recreated?); the rate resumes next poll")
        }
        let elapsed = time - before.time
        guard elapsed > 0 else {
            return .empty("two polls of \(what) at the same time; no rate yet")
        }
        previous[key] = (time, sequence)
        return .value((sequence - before.sequence) / elapsed, timestamp: time)
    }
}
