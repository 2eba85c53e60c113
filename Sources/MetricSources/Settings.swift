@_exported import Clocks
@_exported import Endpoints
import Foundation
import Planner

/// One configured source: `sources.NAME` in the config.
public struct SourceSettings: Sendable, Equatable {
    public var name: String
    /// `prometheus`, `burrow`, `rabbitmq`, `nats` or `json` (see `SourceRegistry`).
    public var type: String
    public var endpoint: HTTPEndpoint
    /// Burrow only: the Kafka cluster name as Burrow knows it.
    public var cluster: String?

    public init(name: String, type: String, endpoint: HTTPEndpoint, cluster: String? = nil) {
        self.name = name
        self.type = type
        self.endpoint = endpoint
        self.cluster = cluster
    }
}

/// One value to fetch: which metric of the observation it feeds, and the query.
public struct MetricRequest: Sendable, Equatable {
    /// `lag`, `arrivalRate` or `throughput`; sources with fixed fields (Burrow, RabbitMQ, NATS) pick by it.
    public var metric: MetricName
    public var query: MetricQuery

    public init(metric: MetricName, query: MetricQuery) {
        self.metric = metric
        self.query = query
    }
}
