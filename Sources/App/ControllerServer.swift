import Controller
import Hummingbird
import Logging
import ServiceLifecycle
import StatusAPI

extension ControllerApp {
    /// The status API over this controller's runtime, metrics, token and address.
    public func makeStatusAPI() -> StatusAPI {
        StatusAPI(
            backend: runtime, auth: APIAuth(token: status.token, requireTokenForReads: status.requireTokenForReads), metrics: metrics,
            logger: logger, host: status.host, port: status.port)
    }

    /// Runs the controller (`run`) with the status API's HTTP server in the same `ServiceGroup`,
    /// until SIGTERM or SIGINT. On shutdown the HTTP server stops first, the tick in flight
    /// finishes, and the decision log's writer commits everything queued before returning.
    /// - Parameter onListening: called with the status API's address once it accepts connections.
    /// - Parameter extraServices: run in the same group after the others (so they stop first on
    ///   shutdown); one that finishes with `.gracefullyShutdownGroup` ends the run (the demo's driver).
    public func serve(
        backfill: Bool = true, extraServices: [ServiceGroupConfiguration.ServiceConfiguration] = [],
        onListening: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws {
        let api = makeStatusAPI()
        let host = api.host
        let http = Application(
            router: try api.makeRouter(),
            configuration: ApplicationConfiguration(address: .hostname(api.host, port: api.port), serverName: "forescale"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                let shown = host.contains(":") ? "[\(host)]" : host
                onListening("http://\(shown):\(port)")
            },
            logger: logger)
        try await run(backfill: backfill, extraServices: [.init(service: http)] + extraServices)
    }
}
