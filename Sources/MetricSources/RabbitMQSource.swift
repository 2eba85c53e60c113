import NIOCore
import Planner

/// A RabbitMQ queue through the management API: `GET /api/queues/{vhost}/{queue}`.
///
/// lag = `messages_ready + messages_unacknowledged`; arrivalRate = `message_stats.publish_details.rate`;
/// throughput = `message_stats.ack_details.rate`, or `deliver_get_details.rate` for auto-ack
/// consumers. The management API refreshes these every 5 s (`collect_statistics_interval`).
public struct RabbitMQSource: MetricSource {
    public let settings: SourceSettings
    public let transport: HTTPTransport
    public let clock: any ControlClock

    public init(settings: SourceSettings, transport: HTTPTransport = HTTPTransport(), clock: any ControlClock = SystemControlClock()) {
        self.settings = settings
        self.transport = transport
        self.clock = clock
    }

    public func read(_ request: MetricRequest, deadline: NIODeadline) async -> MetricReading {
        guard case .rabbitMQ(let query) = request.query else { return wrongQuery(request) }
        return await timed { await queue(query, request: request, deadline: deadline) }
    }

    private func queue(_ query: RabbitMQQuery, request: MetricRequest, deadline: NIODeadline) async -> MetricReading {
        let path = "/api/queues/\(URLText.encode(query.vhost))/\(URLText.encode(query.queue))"
        let reply: HTTPReply
        switch await transport.get(settings.endpoint, path: path, deadline: deadline) {
        case .failure(let error): return MetricReading(outcome: .failed(error))
        case .success(let r): reply = r
        }
        var reading = MetricReading(outcome: .empty(""), attempts: reply.attempts)
        let names = "queue \"\(query.queue)\" in vhost \"\(query.vhost)\""
        if reply.status == 404 {
            reading.outcome = .failed(
                FetchError(.config, "RabbitMQ has no \(names): \(reply.snippet())", httpStatus: 404))
            return reading
        }
        if reply.status == 401 || reply.status == 403 {
            reading.outcome = .failed(
                FetchError(
                    .httpStatus, "RabbitMQ refused the credentials (HTTP \(reply.status)) for \(names): \(reply.snippet())",
                    httpStatus: reply.status))
            return reading
        }
        guard reply.isSuccess else {
            reading.outcome = .failed(
                FetchError(.httpStatus, "RabbitMQ answered HTTP \(reply.status): \(reply.snippet())", httpStatus: reply.status))
            return reading
        }
        let doc: JSONValue
        switch JSONValue.parse(reply.body, from: "RabbitMQ") {
        case .failure(let error):
            reading.outcome = .failed(error)
            return reading
        case .success(let d): doc = d
        }
        guard doc.object != nil else {
            reading.outcome = .failed(FetchError(.decode, "RabbitMQ answered a \(doc.typeName), not a queue object"))
            return reading
        }
        reading.consumers = doc["consumers"]?.int
        let now = clock.unixNow
        let value: Double
        switch request.metric {
        case .lag:
            guard let ready = doc["messages_ready"]?.double, let unacked = doc["messages_unacknowledged"]?.double else {
                // A queue just declared has no counts until the first stats emission.
                reading.outcome = .empty("RabbitMQ has no message counts yet for \(names)")
                return reading
            }
            value = ready + unacked
        case .arrivalRate:
            guard let rate = doc["message_stats"]?["publish_details"]?["rate"]?.double else {
                reading.outcome = .empty("RabbitMQ has no publish rate for \(names) yet (nothing published since start)")
                return reading
            }
            value = rate
        case .throughput:
            let stats = doc["message_stats"]
            if let rate = stats?["ack_details"]?["rate"]?.double {
                value = rate
            } else if let rate = stats?["deliver_get_details"]?["rate"]?.double {
                value = rate
            } else {
                reading.outcome = .empty("RabbitMQ has no ack or deliver rate for \(names) yet (nothing consumed)")
                return reading
            }
        case .readyReplicas, .desiredReplicas:
            reading.outcome = .failed(FetchError(.config, "RabbitMQ cannot serve \(request.metric.rawValue)"))
            return reading
        }
        reading.outcome = .value(value, timestamp: now)
        return reading
    }
}
