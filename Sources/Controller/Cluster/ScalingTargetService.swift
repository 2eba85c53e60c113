import DecisionStorage
import ForescaleConfig
import Foundation
import Logging
import Orchestrators
import Pipeline
import ServiceLifecycle
import Synchronization

/// Runs the cluster's `ScalingTarget` objects as targets (`controller.scalingTargets`):
/// - a LIST+WATCH of the objects; each change is validated and handed to the runtime
///   (`setClusterTargets`), so create, change and delete take effect without a restart; an
///   object that does not validate, or whose name is taken, is not run and says why in its status;
/// - each object's `status` (observed generation, conditions, the last decision), written only
///   on change: at once when what it says changes, otherwise refreshed every five minutes, and at
///   most `writesPerSecond` in all;
/// - Events on the object and its workload for scale actions, shadow "would scale" summaries (one
///   per five minutes per target), fallback and circuit-breaker transitions, overrides and mode
///   switches, aggregated as Kubernetes' recorder does (`EventRecorder`).
/// With leader election, every replica watches and runs the targets; only the leader writes.
public struct ScalingTargetService: Service {
    let runtime: ControllerRuntime
    let factory: OrchestratorFactory
    /// `controller.scalingTargets` (it cannot change in a reload).
    let orchestrator: String
    let namespace: String?
    let elector: LeaderElector?
    let clock: any ControlClock
    let logger: Logger
    public let state: ScalingTargetSync

    public init(
        runtime: ControllerRuntime, factory: OrchestratorFactory, config: ScalingTargetsConfig, elector: LeaderElector?,
        clock: any ControlClock, logger: Logger, instance: String
    ) {
        self.runtime = runtime
        self.factory = factory
        self.orchestrator = config.orchestrator
        self.namespace = config.namespace
        self.elector = elector
        self.clock = clock
        self.logger = logger
        self.state = ScalingTargetSync(runtime: runtime, logger: logger, instance: instance)
    }

    /// The orchestrator's current client, from the config in force (a reload may have changed its
    /// kubeconfig or context: the factory then holds the new client).
    func client() async throws -> KubernetesClient {
        guard let settings = ConfigWiring.kubernetesSettings(orchestrator, in: await runtime.config) else {
            throw StartupError("controller.scalingTargets.orchestrator: '\(orchestrator)' is not a kubernetes orchestrator")
        }
        return try await factory.kubernetesClient(named: orchestrator, settings: settings)
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.watch() }
                group.addTask { await self.flushes() }
                await group.next()
                group.cancelAll()
            }
        }
    }

    /// Watches the objects through the orchestrator's current client; when a reload retires that
    /// client (the watch ends), starts again on the new one. From the start, the runtime's ticks
    /// and audited changes are queued for the Events of the next flush.
    public func watch() async {
        await runtime.observe(with: state.notes)
        var failures = 0
        while !Task.isCancelled {
            let client: KubernetesClient
            do {
                client = try await self.client()
                failures = 0
            } catch {
                failures += 1
                logger.error("ScalingTarget watch: no API client", metadata: ["orchestrator": "\(orchestrator)", "error": "\(error)"])
                do { try await clock.sleep(seconds: min(30, Double(failures) * 2)) } catch { return }
                continue
            }
            let informer = client.scalingTargetInformer(namespace: namespace)
            let logger = self.logger, state = self.state
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    await informer.run { note in
                        switch note.level {
                        case .info: logger.info("ScalingTarget watch", metadata: ["note": "\(note.message)"])
                        case .warning: logger.warning("ScalingTarget watch failing", metadata: ["error": "\(note.message)"])
                        }
                    }
                }
                group.addTask {
                    for await _ in informer.changes {
                        // While the watch is down the last known objects keep running.
                        let (live, objects) = informer.snapshot
                        if live { await state.apply(objects) }
                    }
                }
                await group.next()
                group.cancelAll()
            }
            // The watch ended (its client retired): a breath before the next client, so that a
            // client retired before the factory swapped it in is not spun on.
            if !Task.isCancelled { do { try await clock.sleep(seconds: 1) } catch { return } }
        }
    }

    /// Lists the objects once and hands them to the runtime, without a watch (`run --once`).
    /// - Parameter backfill: whether their targets are seeded from history as they join.
    public func loadOnce(backfill: Bool) async throws {
        let informer = try await client().scalingTargetInformer(namespace: namespace)
        await state.setBackfill(backfill)
        await state.apply(try await informer.listAll().objects)
    }

    /// Statuses and Events every third of the interval (1–15 s).
    func flushes() async {
        while !Task.isCancelled {
            let interval = await runtime.config.controller.intervalSeconds
            do { try await clock.sleep(seconds: min(15, max(1, interval / 3))) } catch { return }
            await flush()
        }
    }

    /// Writes what changed since the last flush (the leader only; a standby drops its Events).
    /// After a reload of the config file, every object is checked again first (on every replica).
    public func flush() async {
        let notes = state.notes.drain()
        if notes.contains(where: { if case .configReloaded = $0 { true } else { false } }) { await state.reapply() }
        guard await elector?.isLeader ?? true else {
            await state.discardPending()
            return
        }
        let client: KubernetesClient
        do { client = try await self.client() } catch {
            logger.error("ScalingTarget status and Events: no API client", metadata: ["orchestrator": "\(orchestrator)", "error": "\(error)"])
            return
        }
        let interval = await runtime.config.controller.intervalSeconds
        await state.write(notes: notes, client: client, now: clock.now().timeIntervalSince1970, interval: interval)
    }
}

/// What the runtime reported since the last flush.
final class RuntimeNotes: RuntimeObserver {
    enum Note: Sendable {
        case tick(TickReport, RunMode)
        case audit(AuditEvent)
        case configReloaded
    }

    private let queue = Mutex<[Note]>([])

    func ticked(_ report: TickReport, mode: RunMode) { append(.tick(report, mode)) }
    func audited(_ event: AuditEvent) { append(.audit(event)) }
    func configReloaded() { append(.configReloaded) }

    private func append(_ note: Note) {
        // Bounded: a flush that cannot keep up loses Events, never memory.
        queue.withLock { if $0.count < 10_000 { $0.append(note) } }
    }

    func drain() -> [Note] { queue.withLock { notes in defer { notes.removeAll() }; return notes } }
}
