import DecisionStorage
import ForescaleConfig
import Foundation
import Logging
import MetricSources
import Orchestrators
import ServiceLifecycle

/// Where and for whom the status API is served: `controller.status` (or `--listen`) and the token
/// read from its token file. The HTTP server itself is the StatusAPI module's, started by App.
public struct StatusServerSettings: Sendable, Equatable {
    /// The bearer token of `controller.status.tokenFile`, or `nil` when none is configured.
    public var token: String?
    public var requireTokenForReads: Bool
    public var host: String
    /// 0 picks a free port.
    public var port: Int

    public init(token: String?, requireTokenForReads: Bool, host: String, port: Int) {
        self.token = token
        self.requireTokenForReads = requireTokenForReads
        self.host = host
        self.port = port
    }
}

/// The assembled controller: decision log, metrics and runtime, ready to run as one
/// `ServiceGroup` (or a single round with `runOnce`). `forescale run` and the demo use it through
/// App, which adds the status API's HTTP server to the group.
public struct ControllerApp: Sendable {
    public let runtime: ControllerRuntime
    public let log: DecisionLog
    public let metrics: ControllerMetrics
    /// The status API's address and token, for the HTTP server App starts.
    public let status: StatusServerSettings
    /// Set with `controller.leaderElection`.
    public let elector: LeaderElector?
    /// Owns the orchestrators' clients, and the background work they need (watches, process pools).
    let factory: OrchestratorFactory
    let clock: any ControlClock
    public let logger: Logger
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
            do { token = try TokenFile.load(file) } catch { throw StartupError("controller.status.tokenFile: \(error)") }
        }
        let log: DecisionLog
        do {
            log = try DecisionLog.open(path: config.controller.decisionLog.path, retentionSeconds: config.controller.decisionLog.retentionSeconds)
        } catch {
            throw StartupError("controller.decisionLog.path: \(error)")
        }
        let metrics = ControllerMetrics()
        let factory = factory ?? OrchestratorFactory(clock: clock)
        let statusVersion = StatusVersion()
        let elector: LeaderElector?
        do throws(StartupError) {
            elector = try await Self.elector(
                config, factory: factory, clock: clock, logger: logger,
                onNote: LeaderElectionReporter(logger: logger, metrics: metrics, statusVersion: statusVersion).note)
        } catch {
            try? log.close()
            throw error
        }
        if elector != nil { metrics.recordLeader(false) }
        let runtime: ControllerRuntime
        do throws(StartupError) {
            runtime = try await ControllerRuntime(
                config: config, configPath: configPath,
                dependencies: .init(
                    store: log, metrics: metrics, clock: clock, sourceContext: sourceContext,
                    factory: factory, logger: logger, elector: elector, statusVersion: statusVersion))
        } catch {
            try? log.close()
            throw error
        }
        let settings = config.controller.status
        let status = StatusServerSettings(
            token: token, requireTokenForReads: settings.requireTokenForReads, host: listen?.host ?? settings.listenHost,
            port: listen?.port ?? settings.listenPort)
        return ControllerApp(
            runtime: runtime, log: log, metrics: metrics, status: status, elector: elector, factory: factory, clock: clock, logger: logger,
            configPath: configPath)
    }

    /// The leader elector of `controller.leaderElection`, on the named kubernetes orchestrator's
    /// API server and credentials; identity from `POD_NAME` (else the host name).
    static func elector(
        _ config: Config, factory: OrchestratorFactory, clock: any ControlClock, logger: Logger,
        onNote: (@Sendable (LeaderElectionNote) -> Void)? = nil
    ) async throws(StartupError) -> LeaderElector? {
        guard let election = config.controller.leaderElection else { return nil }
        guard let settings = ConfigWiring.kubernetesSettings(election.orchestrator, in: config) else {
            throw StartupError("controller.leaderElection.orchestrator: '\(election.orchestrator)' is not a kubernetes orchestrator")
        }
        do {
            let client = try await factory.kubernetesClient(named: election.orchestrator, settings: settings)
            let store = client.leaseStore(namespace: election.namespace, name: election.name)
            let identity = LeaderElectionSettings.defaultIdentity()
            logger.info("leader election", metadata: ["lease": "\(store.leaseDescription)", "identity": "\(identity)"])
            return try LeaderElector(
                settings: LeaderElectionSettings(identity: identity), store: store, namespace: store.namespace, name: election.name,
                clock: clock, onNote: onNote)
        } catch {
            throw StartupError("controller.leaderElection: \(error)")
        }
    }

    /// One tick of every target (at most `controller.concurrency` at once, no jitter), with the
    /// decisions committed to the log before returning. Backfills first when asked. With
    /// `controller.scalingTargets`, the objects are listed once first and run as targets.
    public func runOnce(backfill: Bool = true) async -> [TickReport] {
        if let service = await scalingTargetService() {
            // The ScalingTarget objects are listed once (no watch, no status or Event written).
            do { try await service.loadOnce(backfill: backfill) } catch {
                logger.error("could not list the ScalingTarget objects", metadata: ["error": "\(error)"])
            }
        }
        if backfill { _ = await runtime.backfill() }
        let names = await runtime.targetNames
        let limit = await runtime.config.controller.concurrency
        let runtime = self.runtime
        let reports = await boundedConcurrentMap(names, limit: limit) { await runtime.tick(target: $0) }
        await runtime.endRound()
        await log.flush()
        await runtime.shutdown()
        return reports.compactMap { $0 }
    }

    /// Runs until SIGTERM or SIGINT: the decision log's writer, the orchestrators' background work
    /// (watches, process-pool supervision), the reconcile loop, the config reloader and
    /// `extraServices` in one `ServiceGroup`. App's `serve` passes the status API's HTTP server as
    /// the first extra service, so it stops first on shutdown; the tick in flight finishes, and the
    /// writer commits everything queued before returning.
    /// - Parameter extraServices: run in the same group after the others (so they stop first on
    ///   shutdown); one that finishes with `.gracefullyShutdownGroup` ends the run (the demo's driver).
    public func run(backfill: Bool = true, extraServices: [ServiceGroupConfiguration.ServiceConfiguration] = []) async throws {
        let reconcile = ReconcileService(runtime: runtime, clock: clock, logger: logger, backfill: backfill)
        let reload = ConfigReloadService(runtime: runtime, path: configPath, logger: logger)
        var cluster: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let service = await scalingTargetService() { cluster.append(.init(service: service)) }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: DecisionLogWriter(log: log)),
                    .init(service: LeaderElectionService(elector: elector)),
                    .init(service: OrchestratorWorkService(work: factory.backgroundWork, logger: logger)),
                ] + cluster + [
                    .init(service: reconcile, successTerminationBehavior: .gracefullyShutdownGroup),
                    .init(service: reload),
                ] + extraServices,
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

extension ControllerApp {
    /// The `ScalingTarget` watch, status and Events, with `controller.scalingTargets`.
    public func scalingTargetService() async -> ScalingTargetService? {
        let config = await runtime.config
        guard let cluster = config.controller.scalingTargets else { return nil }
        return ScalingTargetService(
            runtime: runtime, factory: factory, config: cluster, elector: elector, clock: clock, logger: logger,
            instance: await elector?.identity ?? LeaderElectionSettings.defaultIdentity())
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

/// Runs the leader elector (when configured) until graceful shutdown, then releases the Lease so
/// a standby takes over at once. Stops after the reconcile loop (services stop in reverse order).
struct LeaderElectionService: Service {
    let elector: LeaderElector?

    func run() async throws {
        guard let elector else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown { await elector.run() }
        await elector.release()
    }
}

/// Runs the orchestrators' background work — each Kubernetes watch, each process pool's
/// supervision — as it is created (at start-up and on reloads), until graceful shutdown; stops
/// after the reconcile loop, so the last tick still reads from the watches and pools.
struct OrchestratorWorkService: Service {
    let work: AsyncStream<any OrchestratorBackgroundWork>
    let logger: Logger

    func run() async throws {
        let work = self.work, logger = self.logger
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for await item in work {
                    let description = item.workDescription
                    group.addTask {
                        await item.run { note in
                            switch note.level {
                            case .info: logger.info("background work", metadata: ["work": "\(description)", "note": "\(note.message)"])
                            case .warning: logger.warning("background work failing", metadata: ["work": "\(description)", "error": "\(note.message)"])
                            }
                        }
                    }
                }
                group.cancelAll()
            }
        }
    }
}
