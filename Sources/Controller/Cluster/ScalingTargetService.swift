import Foundation
import ForescaleConfig
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
    let orchestrator: String
    let settings: KubernetesSettings
    let namespace: String?
    let elector: LeaderElector?
    let clock: any ControlClock
    let logger: Logger
    public let state: ScalingTargetSync

    public init(
        runtime: ControllerRuntime, factory: OrchestratorFactory, config: ScalingTargetsConfig, settings: KubernetesSettings,
        elector: LeaderElector?, clock: any ControlClock, logger: Logger, instance: String, interval: Double
    ) {
        self.runtime = runtime
        self.factory = factory
        self.orchestrator = config.orchestrator
        self.settings = settings
        self.namespace = config.namespace
        self.elector = elector
        self.clock = clock
        self.logger = logger
        self.state = ScalingTargetSync(runtime: runtime, logger: logger, instance: instance, interval: interval)
    }

    /// How often statuses and Events are written: a third of the interval, 1–15 s.
    var flushSeconds: Double { min(15, max(1, state.interval / 3)) }

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
                client = try await factory.kubernetesClient(named: orchestrator, settings: settings)
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
        }
    }

    /// Lists the objects once and hands them to the runtime, without a watch (`run --once`).
    public func loadOnce() async throws {
        let client = try await factory.kubernetesClient(named: orchestrator, settings: settings)
        let informer = client.scalingTargetInformer(namespace: namespace)
        await state.apply(try await informer.listAll().objects)
    }

    func flushes() async {
        while !Task.isCancelled {
            do { try await clock.sleep(seconds: flushSeconds) } catch { return }
            await flush()
        }
    }

    /// Writes what changed since the last flush (the leader only).
    public func flush() async {
        let notes = state.notes.drain()
        guard await elector?.isLeader ?? true else { return }
        let client: KubernetesClient
        do { client = try await factory.kubernetesClient(named: orchestrator, settings: settings) } catch { return }
        await state.write(notes: notes, client: client, now: clock.now().timeIntervalSince1970)
    }
}

/// What the runtime reported since the last flush.
final class RuntimeNotes: RuntimeObserver {
    enum Note: Sendable {
        case tick(TickReport, RunMode)
        case audit(AuditEvent)
    }

    private let queue = Mutex<[Note]>([])

    func ticked(_ report: TickReport, mode: RunMode) { append(.tick(report, mode)) }
    func audited(_ event: AuditEvent) { append(.audit(event)) }

    private func append(_ note: Note) {
        // Bounded: a flush that cannot keep up loses Events, never memory.
        queue.withLock { if $0.count < 10_000 { $0.append(note) } }
    }

    func drain() -> [Note] { queue.withLock { notes in defer { notes.removeAll() }; return notes } }
}
