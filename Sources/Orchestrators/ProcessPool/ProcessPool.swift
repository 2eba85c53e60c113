import Foundation
import Planner
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps N copies of a command running on this machine: restarts crashed workers with exponential
/// back-off, stops extra ones with SIGTERM then SIGKILL after a grace period, and stops all on `shutdown()`.
///
/// `run()` supervises until cancelled and then shuts the pool down; `apply` reconciles at once.
/// Each worker leads its own process group and stop signals go to the group, so programs a worker
/// started stop with it. Workers are not orphaned on a graceful exit (SIGTERM/SIGINT handled by the caller, which must
/// cancel `run()` or call `shutdown()`); a SIGKILL of the controller cannot be caught.
public actor ProcessPool: Orchestrator {
    struct Worker {
        var process: Process
        var pid: Int32
        var startedAt: Date
        /// When SIGTERM was sent, if it is being stopped.
        var stoppingSince: Date?
        var killed = false
    }

    public nonisolated let settings: ProcessPoolSettings
    public nonisolated let clock: any ControlClock
    private var desired = 0
    /// Set by `shutdown()`: supervision ends.
    private var stopped = false
    private var workers: [Worker] = []
    private var consecutiveCrashes = 0
    private var nextStartAllowed: Date?
    public private(set) var restarts = 0
    /// When the next (re)start is allowed after a crash, if back-off is in force.
    public var nextStartAllowedAt: Date? { nextStartAllowed }
    public private(set) var lastError: OrchestratorError?
    /// The PID of every worker whose process has exited, as it exits (crashed, stopped or killed):
    /// what a supervisor or a test waits on instead of polling. One reader at a time; the newest
    /// 256 are kept for a reader that comes late, and the stream ends with `shutdown()`.
    public nonisolated let exits: AsyncStream<Int32>
    private nonisolated let exited: AsyncStream<Int32>.Continuation

    public init(settings: ProcessPoolSettings, clock: any ControlClock = SystemControlClock()) throws {
        guard let program = settings.command.first, !program.isEmpty else {
            throw OrchestratorError(.config, "process-pool needs `command` as an argv list")
        }
        self.settings = settings
        self.clock = clock
        (exits, exited) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(256))
    }

    public nonisolated var targetDescription: String { "process-pool \(settings.command.joined(separator: " "))" }

    /// PIDs of the workers that count toward the desired number (not those being stopped).
    public var activePIDs: [Int32] { workers.filter { $0.stoppingSince == nil }.map(\.pid) }

    /// PIDs of every child still running, including those being stopped.
    public var allPIDs: [Int32] { workers.map(\.pid) }

    /// PIDs of the children sent SIGKILL after their grace and not reaped yet.
    var killedPIDs: [Int32] { workers.filter(\.killed).map(\.pid) }

    /// Read-only: starts and stops nothing (that is `apply`'s and `run()`'s job).
    public func currentScale() async throws -> WorkloadScale {
        let ready = workers.filter { $0.stoppingSince == nil && $0.process.isRunning }.count
        return WorkloadScale(desiredReplicas: desired, readyReplicas: ready, observedAt: clock.now())
    }

    public func apply(replicas: Int, decision: Decision?) async throws -> ApplyOutcome {
        guard replicas >= 0 else { throw OrchestratorError(.config, "refusing to scale to \(replicas) workers") }
        let previous = desired
        desired = replicas
        if replicas > previous { nextStartAllowed = nil }  // an explicit scale-up starts at once
        reconcile()
        if let lastError, activePIDs.count < replicas, lastError.kind == .config {
            throw lastError
        }
        return previous == replicas ? .unchanged(replicas: replicas) : .scaled(from: previous, to: replicas)
    }

    /// One supervision step: reap, escalate stops, stop extras, start missing workers.
    public func reconcile() {
        let now = clock.now()
        reap(now: now)
        for index in workers.indices {
            if let since = workers[index].stoppingSince, !workers[index].killed,
               now.timeIntervalSince(since) >= settings.stopGraceSeconds {
                signal(workers[index].pid, SIGKILL)
                workers[index].killed = true
            }
        }
        var active = workers.indices.filter { workers[$0].stoppingSince == nil }
        while active.count > desired, let newest = active.max(by: { workers[$0].startedAt < workers[$1].startedAt }) {
            signal(workers[newest].pid, SIGTERM)
            workers[newest].stoppingSince = now
            active.removeAll { $0 == newest }
        }
        if active.count < desired, nextStartAllowed.map({ now >= $0 }) ?? true {
            for _ in active.count..<desired {
                guard start(now: now) else { break }
            }
        }
    }

    private func reap(now: Date) {
        var survivors: [Worker] = []
        for worker in workers {
            if worker.process.isRunning {
                survivors.append(worker)
                continue
            }
            guard worker.stoppingSince == nil else { continue }
            // A crash (or an exit nobody asked for): restart with back-off.
            restarts += 1
            if now.timeIntervalSince(worker.startedAt) >= settings.healthyRunSeconds { consecutiveCrashes = 0 }
            consecutiveCrashes += 1
            scheduleRestart(now: now)
            lastError = OrchestratorError(
                .commandFailed, "worker \(worker.pid) of \(targetDescription) exited with status \(worker.process.terminationStatus); restarting with back-off")
        }
        workers = survivors
    }

    private func scheduleRestart(now: Date) {
        let exponent = Double(max(consecutiveCrashes - 1, 0))
        let backoff = min(settings.restartBackoffInitialSeconds * pow(2, exponent), settings.restartBackoffMaxSeconds)
        nextStartAllowed = now.addingTimeInterval(backoff)
    }

    private func start(now: Date) -> Bool {
        do {
            let exited = exited
            let process = try ProcessRunner.launch(argv: settings.command, environment: settings.environment) { process in
                process.terminationHandler = { exited.yield($0.processIdentifier) }
            }
            workers.append(Worker(process: process, pid: process.processIdentifier, startedAt: now))
            return true
        } catch let error as OrchestratorError {
            lastError = error
        } catch {
            lastError = OrchestratorError(.commandFailed, "cannot start \(settings.command[0]): \(error)")
        }
        consecutiveCrashes += 1
        scheduleRestart(now: now)
        return false
    }

    /// Signals the worker's process group, so whatever it started stops with it.
    private func signal(_ pid: Int32, _ signal: Int32) {
        ProcessRunner.signalGroup(pid, signal)
    }

    /// Supervises until the task is cancelled (or `shutdown()`), then stops every worker.
    public func run() async {
        while !Task.isCancelled && !stopped {
            reconcile()
            do {
                try await clock.sleep(seconds: settings.supervisePeriodSeconds)
            } catch {
                break
            }
        }
        await shutdown()
    }

    /// Stops every worker: SIGTERM, then SIGKILL after the grace period; returns when all have exited
    /// (bounded by the grace period plus a few seconds).
    public func shutdown() async {
        stopped = true
        desired = 0
        for index in workers.indices where workers[index].stoppingSince == nil {
            signal(workers[index].pid, SIGTERM)
            workers[index].stoppingSince = clock.now()
        }
        let termDeadline = Date().addingTimeInterval(settings.stopGraceSeconds)
        while workers.contains(where: { $0.process.isRunning }), Date() < termDeadline {
            await ProcessRunner.pause()
        }
        for worker in workers where worker.process.isRunning {
            signal(worker.pid, SIGKILL)
        }
        let killDeadline = Date().addingTimeInterval(5)
        while workers.contains(where: { $0.process.isRunning }), Date() < killDeadline {
            await ProcessRunner.pause()
        }
        workers.removeAll { !$0.process.isRunning }
        exited.finish()
    }
}

extension ProcessPool: OrchestratorBackgroundWork {
    public nonisolated var workDescription: String { "supervision of \(targetDescription)" }

    /// `run()`: restarts crashed workers between ticks, and stops every worker when cancelled.
    public func run(report: @escaping @Sendable (BackgroundNote) -> Void) async {
        await run()
    }
}
