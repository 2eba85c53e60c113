import Foundation
import Planner

/// How to authenticate to a source. Secrets are read from files at request time, never from config text.
public enum HTTPAuth: Sendable, Equatable {
    case none
    /// `Authorization: Bearer <contents of file>` (trailing whitespace trimmed).
    case bearerTokenFile(String)
    /// `Authorization: Basic base64(username:<contents of passwordFile>)`.
    case basic(username: String, passwordFile: String)
}

/// TLS settings for an `https` endpoint.
public struct TLSSettings: Sendable, Equatable {
    /// PEM file with the CA certificates to trust instead of the system's.
    public var caFile: String?
    /// Skip certificate verification entirely (tests, labs). Never the default.
    public var insecureSkipVerify: Bool

    public init(caFile: String? = nil, insecureSkipVerify: Bool = false) {
        self.caFile = caFile
        self.insecureSkipVerify = insecureSkipVerify
    }
}

/// Where a source lives and how to talk to it. Maps one-to-one to the config's
/// `sources.NAME.{url, timeout, auth, tls, headers}`.
public struct HTTPEndpoint: Sendable, Equatable {
    /// Base URL, e.g. `http://prometheus:9090` (a path prefix such as `/prom` is kept).
    public var url: String
    /// Upper bound for one fetch, retries included. The tick's deadline may be shorter.
    public var timeoutSeconds: Double
    public var auth: HTTPAuth
    public var tls: TLSSettings?
    /// Extra headers sent with every request (e.g. `X-Scope-OrgID` for Mimir/Cortex).
    public var headers: [String: String]
    /// The largest response body read; a larger one fails as `tooLarge`.
    public var maxBodyBytes: Int

    public init(
        url: String, timeoutSeconds: Double = 5, auth: HTTPAuth = .none, tls: TLSSettings? = nil,
        headers: [String: String] = [:], maxBodyBytes: Int = 4 << 20
    ) {
        self.url = url
        self.timeoutSeconds = timeoutSeconds
        self.auth = auth
        self.tls = tls
        self.headers = headers
        self.maxBodyBytes = maxBodyBytes
    }
}

/// One configured source: `sources.NAME` in the config.
public struct SourceSettings: Sendable, Equatable {
    public var name: String
    /// `prometheus`, `burrow`, `rabbitmq`, `nats` or `json` (see `SourceRegistry`).
    public var type: String
    public var endpoint: HTTPEndpoint
    /// Burrow only: the Kafka cluster name as Burrow knows it.
    public var cluster: String?
    /// A value older than this is `stale`; `nil` never marks values stale.
    public var staleAfterSeconds: Double?

    public init(
        name: String, type: String, endpoint: HTTPEndpoint, cluster: String? = nil, staleAfterSeconds: Double? = nil
    ) {
        self.name = name
        self.type = type
        self.endpoint = endpoint
        self.cluster = cluster
        self.staleAfterSeconds = staleAfterSeconds
    }
}

public struct PrometheusQuery: Sendable, Equatable {
    public var query: String
    public init(_ query: String) { self.query = query }
}

public struct BurrowQuery: Sendable, Equatable {
    public var group: String
    public init(group: String) { self.group = group }
}

public struct RabbitMQQuery: Sendable, Equatable {
    public var vhost: String
    public var queue: String
    public init(vhost: String = "/", queue: String) {
        self.vhost = vhost
        self.queue = queue
    }
}

public struct NATSQuery: Sendable, Equatable {
    public var stream: String
    public var consumer: String
    public init(stream: String, consumer: String) {
        self.stream = stream
        self.consumer = consumer
    }
}

public struct JSONQuery: Sendable, Equatable {
    /// Path appended to the source URL, e.g. `/stats/queue` (may carry a query string).
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

    /// The source type this query is written for.
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

/// One value to fetch: which metric of the observation it feeds, and the query.
public struct MetricRequest: Sendable, Equatable {
    /// `lag`, `arrivalRate` or `throughput`; sources with fixed fields (Burrow, RabbitMQ, NATS) pick by it.
    public var metric: MetricName
    public var query: MetricQuery
    /// Counts and rates cannot be negative; a negative number fails as `invalidValue`.
    public var nonNegative: Bool

    public init(metric: MetricName, query: MetricQuery, nonNegative: Bool = true) {
        self.metric = metric
        self.query = query
        self.nonNegative = nonNegative
    }
}

/// The wall clock as Unix seconds, injected so tests control ages and rates.
public struct WallClock: Sendable {
    public let now: @Sendable () -> Double

    public init(_ now: @escaping @Sendable () -> Double) { self.now = now }

    /// The system clock.
    public static let system = WallClock { Date().timeIntervalSince1970 }
}
