/// `targets[].metrics.NAME.query` of a prometheus source.
public struct PrometheusQuery: Sendable, Equatable {
    public var query: String
    public init(_ query: String) { self.query = query }
}

/// `targets[].metrics.NAME.group` of a burrow source.
public struct BurrowQuery: Sendable, Equatable {
    public var group: String
    public init(group: String) { self.group = group }
}

/// `targets[].metrics.NAME.{vhost, queue}` of a rabbitmq source.
public struct RabbitMQQuery: Sendable, Equatable {
    public var vhost: String
    public var queue: String
    public init(vhost: String = "/", queue: String) {
        self.vhost = vhost
        self.queue = queue
    }
}

/// `targets[].metrics.NAME.{stream, consumer}` of a nats source.
public struct NATSQuery: Sendable, Equatable {
    public var stream: String
    /// Empty when not configured: the arrival rate reads the stream alone.
    public var consumer: String
    public init(stream: String, consumer: String = "") {
        self.stream = stream
        self.consumer = consumer
    }
}

/// `targets[].metrics.NAME.{path, pointer}` of a json source.
public struct JSONQuery: Sendable, Equatable {
    /// Path appended to the source URL, e.g. `/stats/queue` (may carry a query string); empty when not configured.
    public var path: String
    /// RFC 6901 JSON pointer to the number, e.g. `/queues/0/depth`.
    public var pointer: String
    public init(path: String = "", pointer: String) {
        self.path = path
        self.pointer = pointer
    }
}

/// What a metric reference asks of its source: `targets[].metrics.NAME` minus `source`.
public enum MetricQuery: Sendable, Equatable {
    case prometheus(PrometheusQuery)
    case burrow(BurrowQuery)
    case rabbitMQ(RabbitMQQuery)
    case nats(NATSQuery)
    case json(JSONQuery)

    /// The source type this query is written for (`type` of `sources.NAME`).
    public var sourceType: String {
        switch self {
        case .prometheus: "prometheus"
        case .burrow: "burrow"
        case .rabbitMQ: "rabbitmq"
        case .nats: "nats"
        case .json: "json"
        }
    }
}
