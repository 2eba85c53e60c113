import Foundation
import ForescaleConfig
import Logging
import Orchestrators
import ServiceLifecycle
import UnixSignals

/// The reconcile loop as a service: backfill, then a round of ticks every `controller.interval`.
///
/// Each target ticks at a fixed offset into the round (a share of the interval up to
/// `controller.jitter`, derived from its name so that it is stable across restarts); at most
/// `controller.concurrency` ticks run at once. On graceful shutdown no new tick starts, the
/// ticks in flight finish, and the service returns (the decision log's writer, started before
/// it, then drains its queue).
public struct ReconcileService: Service {
    let runtime: ControllerRuntime
    let clock: any ControlClock
    let logger: Logger
    let backfill: Bool

    public init(runtime: ControllerRuntime, clock: any ControlClock, logger: Logger, backfill: Bool = true) {
        self.runtime = runtime
        self.clock = clock
        self.logger = logger
        self.backfill = backfill
    }

    public func run() async throws {
        if backfill {
            let seeded = await runtime.backfill()
            if !seeded.isEmpty { logger.info("backfill done", metadata: ["seededTargets": "\(seeded.count)"]) }
        }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let start = clock.now()
            let config = await runtime.config
            let finished = await Self.runRound(
                runtime: runtime, names: await runtime.targetNames, config: config.controller, clock: clock, roundStart: start)
            await runtime.endRound()
            guard finished else { break }
            let wait = config.controller.intervalSeconds - clock.now().timeIntervalSince(start)
            let clock = self.clock
            do {
                try await cancelWhenGracefulShutdown { try await clock.sleep(seconds: max(0, wait)) }
            } catch {
                break
            }
        }
        logger.info("reconcile loop stopped")
    }

    /// One round: every target once, at its offset, under the concurrency bound. Returns `false`
    /// when shutdown interrupted the round (the started ticks still finished).
    static func runRound(
        runtime: ControllerRuntime, names: [String], config: ControllerConfig, clock: any ControlClock, roundStart: Date
    ) async -> Bool {
        let interval = config.intervalSeconds
        let scheduled = names.map { ($0, offset(of: $0, jitter: config.jitter, interval: interval)) }.sorted { $0.1 < $1.1 }
        return await withTaskGroup(of: Void.self) { group in
            var running = 0
            for (name, offset) in scheduled {
                let wait = offset - clock.now().timeIntervalSince(roundStart)
                if wait > 0 {
                    do { try await cancelWhenGracefulShutdown { try await clock.sleep(seconds: wait) } } catch { return false }
                }
                if Task.isShuttingDownGracefully || Task.isCancelled { return false }
                if running >= config.concurrency {
                    await group.next()
                    running -= 1
                }
                group.addTask { _ = await runtime.tick(target: name) }
                running += 1
            }
            await group.waitForAll()
            return true
        }
    }

    /// A stable offset into the round for `name`: FNV-1a of the name, scaled to `jitter × interval`.
    static func offset(of name: String, jitter: Double, interval: Double) -> Double {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return Double(hash % 10_000) / 10_000 * jitter * interval
    }
}

/// Reloads the config on SIGHUP and when the file changes (checked every 2 seconds).
public struct ConfigReloadService: Service {
    let runtime: ControllerRuntime
    let path: String
    let logger: Logger
    let pollSeconds: Double

    public init(runtime: ControllerRuntime, path: String, logger: Logger, pollSeconds: Double = 2) {
        self.runtime = runtime
        self.path = path
        self.logger = logger
        self.pollSeconds = pollSeconds
    }

    /// The file's modification time and size; `nil` when it cannot be read.
    static func fingerprint(_ path: String) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        let date = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let size = (attributes[.size] as? NSNumber)?.intValue ?? -1
        return "\(date):\(size)"
    }

    public func run() async throws {
        let runtime = self.runtime, path = self.path, logger = self.logger, poll = self.pollSeconds
        let signals = await UnixSignalsSequence(trapping: .sighup)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in signals.cancelOnGracefulShutdown() {
                    logger.notice("SIGHUP: reloading the config", metadata: ["path": "\(path)"])
                    await runtime.reload(ConfigLoader.loadResult(path: path))
                }
            }
            group.addTask {
                var last = Self.fingerprint(path)
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    do {
                        try await cancelWhenGracefulShutdown { try await Task.sleep(nanoseconds: UInt64(poll * 1_000_000_000)) }
                    } catch {
                        return
                    }
                    let now = Self.fingerprint(path)
                    if now != last, now != nil {
                        last = now
                        logger.notice("the config file changed: reloading", metadata: ["path": "\(path)"])
                        await runtime.reload(ConfigLoader.loadResult(path: path))
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
