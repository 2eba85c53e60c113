import NIOCore
import Planner

/// What every source built by the registry shares: the HTTP transport (one client, one pool;
/// its retries wait on its own clock) and the clock values' ages are read on.
public struct SourceContext: Sendable {
    public var transport: HTTPTransport
    public var clock: any ControlClock
    /// What builds each configured source from its `type` (the standard sources; a test passes
    /// one whose sources answer from a script, `ForescaleTestKit.ScriptedMetricSource`).
    public var registry: SourceRegistry

    public init(
        transport: HTTPTransport = HTTPTransport(), clock: any ControlClock = SystemControlClock(), registry: SourceRegistry = .standard
    ) {
        self.transport = transport
        self.clock = clock
        self.registry = registry
    }
}

/// Maps a config `type` to a source constructor.
public struct SourceRegistry: Sendable {
    public typealias Constructor = @Sendable (SourceSettings, SourceContext) throws(FetchError) -> any MetricSource

    private var constructors: [String: Constructor]

    public init(_ constructors: [String: Constructor] = [:]) {
        self.constructors = constructors
    }

    /// `prometheus`, `burrow`, `rabbitmq`, `nats`, `json`.
    public static let standard = SourceRegistry([
        "prometheus": { settings, context in
            PrometheusSource(settings: settings, transport: context.transport, clock: context.clock)
        },
        "burrow": { settings, context throws(FetchError) in
            guard let cluster = settings.cluster, !cluster.isEmpty else {
                throw FetchError(.config, "sources.\(settings.name): a burrow source needs a cluster")
            }
            return BurrowSource(settings: settings, transport: context.transport, clock: context.clock)
        },
        "rabbitmq": { settings, context in
            RabbitMQSource(settings: settings, transport: context.transport, clock: context.clock)
        },
        "nats": { settings, context in
            NATSSource(settings: settings, transport: context.transport, clock: context.clock)
        },
        "json": { settings, context in
            JSONSource(settings: settings, transport: context.transport, clock: context.clock)
        },
    ])

    public var typeNames: [String] { constructors.keys.sorted() }

    public mutating func register(_ type: String, _ constructor: @escaping Constructor) {
        constructors[type] = constructor
    }

    /// Builds the source for `settings.type`, or a config error listing the known types.
    public func make(_ settings: SourceSettings, context: SourceContext) throws(FetchError) -> any MetricSource {
        guard let constructor = constructors[settings.type] else {
            throw FetchError(
                .config,
                "sources.\(settings.name).type: unknown type \"\(settings.type)\" (known: \(typeNames.joined(separator: ", ")))")
        }
        guard settings.endpoint.url.hasPrefix("http://") || settings.endpoint.url.hasPrefix("https://") else {
            throw FetchError(.config, "sources.\(settings.name).url: must start with http:// or https://")
        }
        return try constructor(settings, context)
    }
}
