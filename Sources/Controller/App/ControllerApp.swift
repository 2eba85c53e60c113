import Foundation
import ForescaleConfig
import Hummingbird
import Logging
import MetricSources
import Orchestrators
import ServiceLifecycle

/// The assembled controller: decision log, metrics, runtime and status API, ready to run as one
/// `ServiceGroup` (or a single round with `runOnce`). `forescale run` and the demo use it.
public struct ControllerApp: Sendable {
    public let runtime: ControllerRuntime
    public let log: DecisionLog
    public let metrics: ControllerMetrics
    public let api: StatusAPI
    let clock: any ControlClock
    let logger: Logger
    let configPath: String

    /// Opens the decision log (failing on an unwritable or corrupt file), reads the token file,
    /// and wires every target. Every error names the config key it concerns.
    /// - Parameters:
    ///   - listen: overrides `controller.status.listen` (`host`, `port`; port 0 picks a free one).
    public static func start(
        config: Config, configPath: String, clock: any ControlClock = SystemControlClock(), logger: Logger,
        sourceContext: SourceContext = SourceContext(), factory: OrchestratorFactory? = nil, listen: (host: String, port: Int)? = nil
    ) async throws(StartupError) -> ControllerApp {
        var token: String?
        if let file = config.controller.status.tokenFile {
            do { token = try StatusAPI.loadToken(file: file) } catch { throw StartupError("controller.status.tokenFile: \(error)") }
        }
        let log: DecisionLog
        do {
            log = try DecisionLog.open(path: config.controller.decisionLog.path, retentionSeconds: config.controller.decisionLog.retentionSeconds)
        } catch {
            throw StartupError("controller.decisionLog.path: \(error)")
        }
        let metrics = ControllerMetrics()
        let runtime: ControllerRuntime
        do throws(StartupError) {
            runtime = try await ControllerRuntime(
                config: config, configPath: configPath,
                dependencies: .init(
                    store: log, metrics: metrics, clock: clock, sourceContext: sourceContext,
                    factory: factory ?? OrchestratorFactory(clock: clock), logger: logger))
        } catch {
            try? log.close()
            throw error
        }
        let status = config.controller.status
        let api = StatusAPI(
            backend: runtime, auth: APIAuth(token: token, requireTokenForReads: status.requireTokenForReads), metrics: metrics,
            logger: logger, host: listen?.host ?? status.listenHost, port: listen?.port ?? status.listenPort)
        return ControllerApp(runtime: runtime, log: log, metrics: metrics, api: api, clock: clock, logger: logger, configPath: configPath)
    }

    /// One tick of every target (at most `controller.concurrency` at once, no jitter), with the
    /// decisions committed to the log before returning. Backfills first when asked.
    public func runOnce(backfill: Bool = true) async -> [TickReport] {
        if backfill { _ = await runtime.backfill() }
        let names = await runtime.targetNames
        let limit = await runtime.config.controller.concurrency
        let runtime = self.runtime
        var reports: [String: TickReport] = [:]
        await withTaskGroup(of: TickReport?.self) { group in
            var running = 0
            for name in names {
                if running >= limit, let report = await group.next() {
                    if let report { reports[report.target] = report }
                    running -= 1
                }
                group.addTask { await runtime.tick(target: name) }
                running += 1
            }
            for await report in group { if let report { reports[report.target] = report } }
        }
        await runtime.endRound()
        await log.flush()
        await runtime.shutdown()
        return names.compactMap { reports[$0] }
    }

    /// Runs until SIGTERM or SIGINT: the decision log's writer, the reconcile loop, the config
    /// reloader and the status API in one `ServiceGroup`. On shutdown the HTTP server stops first,
    /// the tick in flight finishes, and the writer commits everything queued before returning.
    /// - Parameter onListening: called with the status API's address once it accepts connections.
    public func run(backfill: Bool = true, onListening: @escaping @Sendable (String) -> Void = { _ in }) async throws {
        let reconcile = ReconcileService(runtime: runtime, clock: clock, logger: logger, backfill: backfill)
        let reload = ConfigReloadService(runtime: runtime, path: configPath, logger: logger)
        let host = api.host
        let http = Application(
            router: api.makeRouter(),
            configuration: ApplicationConfiguration(address: .hostname(api.host, port: api.port), serverName: "forescale"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                let shown = host.contains(":") ? "[\(host)]" : host
                onListening("http://\(shown):\(port)")
            },
            logger: logger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: DecisionLogWriter(log: log)),
                    .init(service: reconcile, successTerminationBehavior: .gracefullyShutdownGroup),
                    .init(service: reload),
                    .init(service: http),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch {
            await log.flush()
            await runtime.shutdown()
            try? log.close()
            throw error
        }
        await log.flush()
        await runtime.shutdown()
        try? log.close()
    }
}

/// The decision log's writer as a service: drains the queue until graceful shutdown, then
/// commits what is left and returns.
struct DecisionLogWriter: Service {
    let log: DecisionLog

    func run() async throws {
        let log = self.log
        await withGracefulShutdownHandler {
            await log.runWriter()
        } onGracefulShutdown: {
            log.finish()
        }
    }
}
