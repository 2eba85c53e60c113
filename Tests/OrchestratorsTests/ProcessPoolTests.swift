import ForescaleTestKit
import Foundation
@testable import Orchestrators
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Real processes, waited on by event: the pool's exit stream, a named pipe a script writes to (a
/// line when it is ready, end of file when its last writer exits), and the manual clock's sleepers.
/// No polling and no real-time wait; the time limit only ends a test that hangs.
@Suite("Process pool", .serialized, .timeLimit(.minutes(1)))
struct ProcessPoolTests {
    static func alive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 }

    /// Waits until every PID of `pids` has come out of the pool's exit stream.
    static func awaitExits(_ pids: some Sequence<Int32>, _ exits: inout AsyncStream<Int32>.Iterator) async {
        var waiting = Set(pids)
        while !waiting.isEmpty, let pid = await exits.next() { waiting.remove(pid) }
    }

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
        var exits = pool.exits.makeAsyncIterator()

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
        await Self.awaitExits(stopped, &exits)
        #expect(stopped.allSatisfy { !Self.alive($0) })
        #expect(one.allSatisfy(Self.alive))
        await pool.reconcile()
        #expect(await pool.allPIDs == one)

        #expect(try await pool.apply(replicas: 0, decision: nil) == .scaled(from: 1, to: 0))
        await Self.awaitExits(one, &exits)
        #expect(!Self.alive(one[0]))
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
        let clock = ManualClock()
        let pool = try ProcessPool(
            settings: ProcessPoolSettings(command: [script.path], stopGraceSeconds: 2, restartBackoffInitialSeconds: 0.2, supervisePeriodSeconds: 0.05),
            clock: clock)
        var exits = pool.exits.makeAsyncIterator()
        _ = try await pool.apply(replicas: 2, decision: nil)
        let before = await pool.activePIDs
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await pool.run() }
            #expect(await clock.waitForSleepers())  // run() reconciled and waits for its next round
            kill(before[0], SIGKILL)
            await Self.awaitExits([before[0]], &exits)
            clock.advance(by: 0.05)  // the next round reaps the crash and schedules the restart
            #expect(await clock.waitForSleepers())
            #expect(await pool.activePIDs == [before[1]])
            #expect(await pool.nextStartAllowedAt == clock.now().addingTimeInterval(0.2))
            clock.advance(by: 0.2)  // the back-off has passed: the round after restarts it
            #expect(await clock.waitForSleepers())
            let now = await pool.activePIDs
            #expect(now.count == 2 && !now.contains(before[0]) && now.contains(before[1]))
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
        var exits = pool.exits.makeAsyncIterator()
        _ = try await pool.apply(replicas: 1, decision: nil)
        for expected in [1.0, 2.0, 4.0, 4.0] {
            await Self.awaitExits(await pool.allPIDs, &exits)  // /bin/false has exited
            #expect(try await pool.currentScale().readyReplicas == 0)
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

    /// The grace is measured on the injected clock: a worker that ignores SIGTERM gets SIGKILL once
    /// `stopGraceSeconds` have passed on it, not before.
    @Test func workerIgnoringSIGTERMIsKilledAfterTheGrace() async throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let ready = try NamedPipe(folder.appendingPathComponent("ready"))
        var said = ready.lines().makeAsyncIterator()
        defer { ready.release() }
        let script = folder.appendingPathComponent("stubborn.sh")
        // SIGTERM ignored before it says its PID; `sleep` inherits the ignored signal.
        try write("#!/bin/sh\ntrap '' TERM\necho $$ > \"\(ready.path)\"\nexec sleep 300\n", to: script, executable: true)
        let clock = ManualClock()
        let pool = try ProcessPool(settings: ProcessPoolSettings(command: [script.path], stopGraceSeconds: 0.3), clock: clock)
        var exits = pool.exits.makeAsyncIterator()
        _ = try await pool.apply(replicas: 1, decision: nil)
        let pid = try #require(await pool.activePIDs.first)
        #expect(await said.next() == "\(pid)")
        _ = try await pool.apply(replicas: 0, decision: nil)  // SIGTERM, ignored
        clock.advance(by: 0.2)
        await pool.reconcile()
        #expect(await pool.allPIDs == [pid])
        #expect(await pool.killedPIDs.isEmpty, "inside the grace: no SIGKILL yet")
        clock.advance(by: 0.1)
        await pool.reconcile()  // the grace has passed: SIGKILL
        #expect(await pool.killedPIDs == [pid])
        await Self.awaitExits([pid], &exits)
        #expect(!Self.alive(pid))
        await pool.reconcile()
        #expect(await pool.allPIDs.isEmpty)
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
        // The grandchild says its PID on the pipe and holds it open until it exits.
        let pipe = try NamedPipe(folder.appendingPathComponent("grandchild"))
        var said = pipe.lines().makeAsyncIterator()
        defer { pipe.release() }
        let script = folder.appendingPathComponent("parent.sh")
        try write("#!/bin/sh\nsh -c 'echo $$; exec sleep 300' > \"\(pipe.path)\" &\nwait\n", to: script, executable: true)
        let pool = try ProcessPool(settings: ProcessPoolSettings(command: [script.path], stopGraceSeconds: 2))
        _ = try await pool.apply(replicas: 1, decision: nil)
        let worker = try #require(await pool.activePIDs.first)
        let line = try #require(await said.next())
        let grandchild = try #require(Int32(line))
        #expect(grandchild != worker && Self.alive(grandchild))
        await pool.shutdown()
        #expect(!Self.alive(worker))
        // The pipe ends when its only writer, the grandchild, has exited.
        #expect(await said.next() == nil)
    }

    @Test func missingProgramIsAConfigError() async throws {
        let pool = try ProcessPool(settings: ProcessPoolSettings(command: ["/nonexistent/worker"]))
        let error = await #expect(throws: OrchestratorError.self) { try await pool.apply(replicas: 1, decision: nil) }
        #expect(error?.kind == .config)
        #expect(throws: OrchestratorError.self) { try ProcessPool(settings: ProcessPoolSettings(command: [])) }
    }
}
