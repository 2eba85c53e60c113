import ForescaleTestKit
import Foundation
@testable import Orchestrators
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Real processes: waits are conditions polled with a bound, never fixed sleeps.
@Suite("Process pool", .serialized)
struct ProcessPoolTests {
    static func alive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 }

    /// A worker that exits cleanly on SIGTERM, and a marker file per PID.
    static func workerScript(in folder: URL, ignoreTerm: Bool = false) throws -> URL {
        let script = folder.appendingPathComponent(ignoreTerm ? "stubborn.sh" : "worker.sh")
        let trap = ignoreTerm ? "trap '' TERM" : "trap 'exit 0' TERM"
        try write("#!/bin/sh\n\(trap)\necho $$ >> \"\(folder.path)/started\"\nwhile :; do sleep 0.05; done\n", to: script, executable: true)
        return script
    }

    @Test func scaleZeroThreeOneZeroLeavesExactlyTheExpectedPIDs() async throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = try Self.workerScript(in: folder)
        let pool = try ProcessPool(settings: ProcessPoolSettings(command: [script.path], stopGraceSeconds: 5))

        let empty = try await pool.currentScale()
        #expect(empty.desiredReplicas == 0 && empty.readyReplicas == 0)
        #expect(try await pool.apply(replicas: 3, decision: nil) == .scaled(from: 0, to: 3))
        let three = await pool.activePIDs
        #expect(three.count == 3)
        #expect(three.allSatisfy(Self.alive))
        #expect(try await pool.currentScale().readyReplicas == 3)
        #expect(try await pool.apply(replicas: 3, decision: nil) == .unchanged(replicas: 3))

        #expect(try await pool.apply(replicas: 1, decision: nil) == .scaled(from: 3, to: 1))
        let one = await pool.activePIDs
        #expect(one.count == 1)
        #expect(Set(one).isSubset(of: Set(three)))
        let stopped = Set(three).subtracting(one)
        #expect(await eventually { stopped.allSatisfy { !Self.alive($0) } })
        #expect(one.allSatisfy(Self.alive))
        await pool.reconcile()
        #expect(await pool.allPIDs == one)

        #expect(try await pool.apply(replicas: 0, decision: nil) == .scaled(from: 1, to: 0))
        #expect(await eventually { !Self.alive(one[0]) })
        await pool.reconcile()
        #expect(await pool.allPIDs.isEmpty)
        #expect(await pool.restarts == 0)
        // Every process ever started is gone: no orphans.
        let started = try String(contentsOf: folder.appendingPathComponent("started"), encoding: .utf8)
            .split(separator: "\n").compactMap { Int32($0) }
        #expect(started.count == 3)
        #expect(started.allSatisfy { !Self.alive($0) })
    }

    @Test func crashedWorkerIsRestartedWithBackoff() async throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = try Self.workerScript(in: folder)
        let pool = try ProcessPool(
            settings: ProcessPoolSettings(command: [script.path], stopGraceSeconds: 2, restartBackoffInitialSeconds: 0.2, supervisePeriodSeconds: 0.05))
        _ = try await pool.apply(replicas: 2, decision: nil)
        let before = await pool.activePIDs
        kill(before[0], SIGKILL)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await pool.run() }
            let replaced = await eventually {
                let now = await pool.activePIDs
                return now.count == 2 && !now.contains(before[0]) && now.contains(before[1])
            }
            #expect(replaced)
            group.cancelAll()
        }
        // run() ends by stopping every worker.
        let last = await pool.allPIDs
        #expect(last.isEmpty)
        #expect(await pool.restarts == 1)
        #expect(await pool.lastError?.kind == .commandFailed)
        #expect(!Self.alive(before[1]))
    }

    /// Back-off is measured on the injected clock: a worker that keeps crashing is restarted after 1, 2, 4 s.
    @Test func backoffDoublesOnTheInjectedClock() async throws {
        let clock = ManualClock()
        let pool = try ProcessPool(
            settings: ProcessPoolSettings(command: ["/bin/false"], restartBackoffInitialSeconds: 1, restartBackoffMaxSeconds: 4), clock: clock)
        _ = try await pool.apply(replicas: 1, decision: nil)
        for expected in [1.0, 2.0, 4.0, 4.0] {
            #expect(await eventually { (try? await pool.currentScale().readyReplicas) == 0 })
            await pool.reconcile()  // reaps the crash, schedules the restart
            let scheduled = try #require(await pool.nextStartAllowedAt)
            #expect(scheduled.timeIntervalSince(clock.now()) == expected)
            clock.advance(by: expected - 0.5)
            await pool.reconcile()
            #expect(await pool.allPIDs.isEmpty)  // still backing off
            clock.advance(by: 0.5)
            await pool.reconcile()
            #expect(await pool.allPIDs.count == 1)  // restarted
        }
        #expect(await pool.restarts == 4)
        await pool.shutdown()
    }

    @Test func workerIgnoringSIGTERMIsKilledAfterTheGrace() async throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = try Self.workerScript(in: folder, ignoreTerm: true)
        let pool = try ProcessPool(settings: ProcessPoolSettings(command: [script.path], stopGraceSeconds: 0.3))
        _ = try await pool.apply(replicas: 1, decision: nil)
        let pid = try #require(await pool.activePIDs.first)
        // Wait until the script has installed its trap (it writes its PID after the trap line).
        #expect(await eventually { (try? String(contentsOf: folder.appendingPathComponent("started"), encoding: .utf8))?.contains("\(pid)") == true })
        _ = try await pool.apply(replicas: 0, decision: nil)
        let started = Date()
        #expect(await eventually(within: 5) {
            await pool.reconcile()
            return !Self.alive(pid)
        })
        #expect(Date().timeIntervalSince(started) >= 0.25)
        await pool.shutdown()
    }

    @Test func shutdownStopsEveryWorker() async throws {
        let pool = try ProcessPool(settings: ProcessPoolSettings(command: ["sleep", "300"], stopGraceSeconds: 2))
        _ = try await pool.apply(replicas: 3, decision: nil)
        let pids = await pool.activePIDs
        #expect(pids.count == 3 && pids.allSatisfy(Self.alive))
        await pool.shutdown()
        #expect(pids.allSatisfy { !Self.alive($0) })
        #expect(await pool.allPIDs.isEmpty)
    }

    @Test func programsAWorkerStartedDoNotOutliveIt() async throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = folder.appendingPathComponent("parent.sh")
        let record = folder.appendingPathComponent("grandchild")
        try write("#!/bin/sh\nsleep 300 &\necho $! > \"\(record.path)\"\nwait\n", to: script, executable: true)
        let pool = try ProcessPool(settings: ProcessPoolSettings(command: [script.path], stopGraceSeconds: 2))
        _ = try await pool.apply(replicas: 1, decision: nil)
        let worker = try #require(await pool.activePIDs.first)
        #expect(
            await eventually { (try? String(contentsOf: record, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) } != nil }
        )
        let grandchild = try #require(Int32(try String(contentsOf: record, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(Self.alive(grandchild))
        await pool.shutdown()
        #expect(!Self.alive(worker))
        #expect(await eventually { !Self.alive(grandchild) })
    }

    @Test func missingProgramIsAConfigError() async throws {
        let pool = try ProcessPool(settings: ProcessPoolSettings(command: ["/nonexistent/worker"]))
        let error = await #expect(throws: OrchestratorError.self) { try await pool.apply(replicas: 1, decision: nil) }
        #expect(error?.kind == .config)
        #expect(throws: OrchestratorError.self) { try ProcessPool(settings: ProcessPoolSettings(command: [])) }
    }
}
