import Controller
@testable import DecisionStorage
import Foundation
import GRDB
import Pipeline
import Planner
import Testing

/// Opens a log in a fresh temporary directory, runs `body`, removes the directory.
private func withLog(
    capacity: Int = 10_000, _ body: (DecisionLog, URL) async throws -> Void
) async throws {
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let log = try DecisionLog.open(
        path: directory.appendingPathComponent("decisions.sqlite").path, retentionSeconds: 86_400, capacity: capacity)
    try await body(log, directory)
}

/// Every decision of the log, newest first, through the public paging API.
private func allDecisions(_ log: DecisionLog, _ query: DecisionQuery = DecisionQuery(limit: 1000)) throws(ControlError) -> [DecisionRecord] {
    var query = query
    var result: [DecisionRecord] = []
    // A cursor that does not move on would loop forever: fail instead.
    for _ in 0..<10_000 {
        let page = try log.decisions(query)
        result += page.decisions
        guard let cursor = page.nextCursor else { return result }
        guard cursor != query.cursor else { break }
        query.cursor = cursor
    }
    Issue.record("paging did not end")
    return result
}

private func expectControlError(
    _ kind: ControlError.Kind, parameter: String?, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws(ControlError) -> Void
) {
    do {
        try body()
        Issue.record("expected ControlError(\(kind), parameter: \(parameter ?? "nil"))", sourceLocation: sourceLocation)
    } catch {
        #expect(error.kind == kind, sourceLocation: sourceLocation)
        #expect(error.parameter == parameter, sourceLocation: sourceLocation)
    }
}

@Suite("Decision log: writes and reads")
struct DecisionLogReadWriteTests {
    @Test func recordsRoundTripWithTheirDecisionJSON() async throws {
        try await withLog { log, _ throws in
            let forecast = ForecastInput(horizonSeconds: 120, p50: 12.5, upper: 19, upperQuantile: 0.9, model: "holt-winters(add, 1440)")
            var records = [
                makeRecord(time: 1000, current: 3, final: 4, forecast: forecast),
                makeRecord(target: "batch", time: 1001, current: 1, final: 1, reactive: nil, lag: nil, rate: nil, capacity: nil),
                makeRecord(time: 1002, current: 4, final: 2, throughput: 7.25),
            ]
            records[2].mode = .live
            records[2].safety = .reactiveOnly
            records[2].safetyNote = "forecast error too high"
            records[2].applied = true
            records[2].orchestratorAnswer = "scaled 4→2"
            for record in records { #expect(log.enqueue(record)) }
            await log.flush()

            let read = try log.decisions(DecisionQuery(limit: 10))
            #expect(read.nextCursor == nil)
            #expect(read.decisions.count == 3)
            let ids = read.decisions.compactMap(\.id)
            #expect(ids.count == 3)
            #expect(ids == ids.sorted(by: >))
            // Newest first, and equal to what was enqueued apart from the assigned id.
            for (stored, original) in zip(read.decisions, records.reversed()) {
                var withoutID = stored
                withoutID.id = nil
                #expect(withoutID == original)
            }
            #expect(try log.lastDecision(target: "web")?.timeSeconds == 1002)
            #expect(try log.lastDecision(target: "batch")?.decision.reactiveReplicas == nil)
            #expect(try log.lastDecision(target: "nope") == nil)
            let oldestFirst = try log.records(target: "web", from: 0, to: 2000)
            #expect(oldestFirst.map(\.timeSeconds) == [1000, 1002])
            #expect(oldestFirst.first?.forecast == forecast)
            #expect(try log.records(target: "web", from: 1000, to: 1002).map(\.timeSeconds) == [1000])
            #expect(log.writeErrorCount == 0)
            #expect(log.undecodableRowCount == 0)
        }
    }

    @Test func scoreColumnsMatchTheRecordsAndGiveTheSameScorecard() async throws {
        try await withLog { log, _ throws in
            let forecast = ForecastInput(horizonSeconds: 60, p50: 12.5, upper: 19, upperQuantile: 0.8, model: "m")
            let records = (0..<40).map { i in
                makeRecord(
                    time: 1000 + Double(i) * 15, current: 3 + i % 3, final: 4 + i % 2, reactive: i % 5 == 0 ? nil : 3,
                    lag: i % 7 == 0 ? nil : Double(i * 40), rate: Double(10 + i % 4), throughput: i % 2 == 0 ? 9 : nil,
                    capacity: i % 3 == 0 ? nil : 5, slo: 30, forecast: i % 4 == 0 ? nil : forecast)
            } + [makeRecord(target: "other", time: 1010, current: 9, final: 9)]
            for record in records { #expect(log.enqueue(record)) }
            await log.flush()
            let fromColumns = try log.scoreInputs(target: "web", from: 0, to: 10_000)
            let fromRecords = records.filter { $0.target == "web" }.map(ScoreInput.init)
            #expect(fromColumns == fromRecords)
            let a = Scorecard.compute(target: "web", inputs: fromColumns, from: 1000, to: 1600, maxGapSeconds: 60)
            let b = Scorecard.compute(target: "web", records: records, from: 1000, to: 1600, maxGapSeconds: 60)
            #expect(a == b)
            #expect(a.forecastsScored > 0)
            #expect(a.sloBreachMinutes > 0)
        }
    }

    @Test func nonFiniteObservationsAreWrittenNotRejected() async throws {
        try await withLog { log, _ throws in
            log.enqueue(makeRecord(time: 10, lag: .nan, rate: .infinity))
            var badTime = makeRecord(time: 11)
            badTime.timeSeconds = .nan
            log.enqueue(badTime)
            log.enqueue(makeRecord(time: 12))
            await log.flush()
            let rows = try allDecisions(log)
            #expect(rows.map(\.timeSeconds) == [12, 10])
            #expect(rows.last?.decision.inputs.observation.lag?.value.isNaN == true)
            #expect(rows.last?.decision.inputs.observation.arrivalRate?.value == .infinity)
            // The record without a time is counted, and the rest of its batch is written.
            #expect(log.writeErrorCount == 1)
            #expect(log.lastWriteError?.contains("time is not finite") == true)
        }
    }

    @Test func pagingAcrossEqualTimesHasNoDuplicatesAndNoGaps() async throws {
        try await withLog { log, _ throws in
            // 4 decisions share each time, two targets interleaved: 26 rows, pages of 3 and of 4.
            for index in 0..<26 {
                log.enqueue(makeRecord(target: index.isMultiple(of: 2) ? "web" : "batch", time: 1000 + Double(index / 4) * 10))
            }
            await log.flush()
            let everything = try log.decisions(DecisionQuery(limit: 1000)).decisions
            #expect(everything.count == 26)
            let expected = everything.sorted { ($0.timeSeconds, $0.id ?? 0) > ($1.timeSeconds, $1.id ?? 0) }
            #expect(everything.map(\.id) == expected.map(\.id))

            for limit in [1, 3, 4, 13, 26] {
                var pages = 0
                var query = DecisionQuery(limit: limit)
                var ids: [Int64] = []
                while pages <= 26 {
                    let page = try log.decisions(query)
                    pages += 1
                    #expect(page.decisions.count <= limit)
                    ids += page.decisions.compactMap(\.id)
                    guard let cursor = page.nextCursor else { break }
                    query.cursor = cursor
                }
                #expect(ids == expected.compactMap(\.id), "limit \(limit)")
                #expect(Set(ids).count == ids.count)
                #expect(pages == (26 + limit - 1) / limit, "limit \(limit): no empty last page")
            }
        }
    }

    @Test func filtersByTargetSinceAndUntil() async throws {
        try await withLog { log, _ throws in
            for index in 0..<20 {
                log.enqueue(makeRecord(target: index < 10 ? "web" : "batch", time: Double(100 + (index % 10) * 10)))
            }
            await log.flush()
            let web = try allDecisions(log, DecisionQuery(target: "web", limit: 3))
            #expect(web.count == 10)
            #expect(web.allSatisfy { $0.target == "web" })
            // since inclusive, until exclusive.
            let window = try allDecisions(log, DecisionQuery(sinceSeconds: 120, untilSeconds: 150, limit: 2))
            #expect(window.map(\.timeSeconds) == [140, 140, 130, 130, 120, 120])
            let both = try allDecisions(log, DecisionQuery(target: "batch", sinceSeconds: 170, limit: 1))
            #expect(both.map(\.timeSeconds) == [190, 180, 170])
            #expect(both.allSatisfy { $0.target == "batch" })
            #expect(try log.decisions(DecisionQuery(target: "none", limit: 5)) == DecisionPage(decisions: [], nextCursor: nil))
        }
    }

    @Test func badLimitAndCursorAreBadRequests() async throws {
        try await withLog { log, _ throws in
            log.enqueue(makeRecord(time: 1))
            await log.flush()
            for limit in [0, -1, 1001] {
                expectControlError(.badRequest, parameter: "limit") { () throws(ControlError) in
                    _ = try log.decisions(DecisionQuery(limit: limit))
                }
            }
            for cursor in ["", "garbage", "1:2:3", "abc:1", "1.5:", ":4", "nan:1", "1:-4"] {
                expectControlError(.badRequest, parameter: "cursor") { () throws(ControlError) in
                    _ = try log.decisions(DecisionQuery(limit: 5, cursor: cursor))
                }
            }
            expectControlError(.badRequest, parameter: "since") { () throws(ControlError) in
                _ = try log.decisions(DecisionQuery(sinceSeconds: .nan, limit: 5))
            }
            expectControlError(.badRequest, parameter: "limit") { () throws(ControlError) in
                _ = try log.audit(target: nil, limit: 0)
            }
            #expect(try log.decisions(DecisionQuery(limit: 1000)).decisions.count == 1)
        }
    }

    @Test func undecodableRowsAreSkippedAndCounted() async throws {
        try await withLog { log, _ throws in
            for index in 0..<4 { log.enqueue(makeRecord(time: Double(index))) }
            await log.flush()
            // Damage two rows behind the log's back: broken JSON, and a number instead of text.
            let queue = try DatabaseQueue(path: log.path)
            try queue.write { db in
                try db.execute(sql: "UPDATE decisions SET record = '{\"target\": ' WHERE time = 3")
                try db.execute(sql: "UPDATE decisions SET record = 42 WHERE time = 1")
            }
            try queue.close()
            #expect(try allDecisions(log).map(\.timeSeconds) == [2, 0])
            #expect(log.undecodableRowCount == 2)
            #expect(try log.lastDecision(target: "web")?.timeSeconds == 2)
            #expect(try log.records(target: "web", from: 0, to: 10).map(\.timeSeconds) == [0, 2])
            // Paging still covers every row: the damaged ones are skipped, not the page after them.
            let first = try log.decisions(DecisionQuery(limit: 1))
            #expect(first.decisions.isEmpty)
            #expect(first.nextCursor != nil)
            #expect(try allDecisions(log, DecisionQuery(limit: 1)).map(\.timeSeconds) == [2, 0])
        }
    }

    @Test func durableForASecondConnectionOnceFlushReturns() async throws {
        try await withLog { log, directory throws in
            for index in 0..<1234 { log.enqueue(makeRecord(time: Double(index))) }
            await log.flush()
            // A separate pool on the same file, as a restarted process would open it.
            let other = try DecisionLog.open(path: log.path, retentionSeconds: 60)
            #expect(try allDecisions(other).count == 1234)
            #expect(try other.lastDecision(target: "web")?.timeSeconds == 1233)
            try other.close()
        }
    }
}

@Suite("Decision log: queue and writer")
struct DecisionLogWriterTests {
    @Test func enqueueBeyondCapacityDropsAndCounts() async throws {
        try await withLog(capacity: 3) { log, _ throws in
            let accepted = (0..<5).map { log.enqueue(makeRecord(time: Double($0))) }
            #expect(accepted == [true, true, true, false, false])
            #expect(log.droppedCount == 2)
            #expect(log.pendingCount == 3)
            // Nothing is committed until a writer or flush runs.
            #expect(try log.decisions(DecisionQuery(limit: 10)).decisions.isEmpty)
            await log.flush()
            #expect(log.pendingCount == 0)
            #expect(try allDecisions(log).map(\.timeSeconds) == [2, 1, 0])
            // Room again after the flush.
            #expect(log.enqueue(makeRecord(time: 9)))
        }
    }

    @Test func flushCommitsEverythingWithoutAWriter() async throws {
        try await withLog { log, _ throws in
            // More than one batch.
            for index in 0..<1501 { log.enqueue(makeRecord(time: Double(index))) }
            await log.flush()
            #expect(log.pendingCount == 0)
            #expect(try allDecisions(log).count == 1501)
        }
    }

    @Test(.timeLimit(.minutes(1))) func flushWithARunningWriterAndFinish() async throws {
        try await withLog { log, _ throws in
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await log.runWriter() }
                for round in 0..<5 {
                    for index in 0..<100 { log.enqueue(makeRecord(time: Double(round * 100 + index))) }
                    await log.flush()
                    #expect((try? allDecisions(log).count) == (round + 1) * 100)
                }
                for index in 500..<700 { log.enqueue(makeRecord(time: Double(index))) }
                log.finish()
                await group.waitForAll()
            }
            #expect(try allDecisions(log).count == 700)
        }
    }

    @Test(.timeLimit(.minutes(1))) func writerStopsOnCancellationAfterDraining() async throws {
        try await withLog { log, _ throws in
            // Cancelled while idle (it has committed what it was given and waits for more): returns.
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await log.runWriter() }
                log.enqueue(makeRecord(time: -1))
                await log.flush()
                group.cancelAll()
                await group.waitForAll()
            }
            #expect(try allDecisions(log).count == 1)
            // Cancelled with a backlog of several batches: everything is still committed.
            for index in 0..<2600 { log.enqueue(makeRecord(time: Double(index))) }
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await log.runWriter() }
                group.cancelAll()
                await group.waitForAll()
            }
            #expect(log.pendingCount == 0)
            #expect(try allDecisions(log).count == 2601)
        }
    }

    @Test func writeFailuresAreCountedAndTheWriterGoesOn() async throws {
        try await withLog { log, _ throws in
            log.enqueue(makeRecord(time: 1))
            await log.flush()
            try log.close()
            for index in 0..<3 { log.enqueue(makeRecord(time: Double(10 + index))) }
            await log.flush()
            #expect(log.writeErrorCount == 3)
            #expect(log.lastWriteError?.contains(log.path) == true)
            #expect(log.pendingCount == 0)
            // Reads answer `unavailable`, not a crash.
            expectControlError(.unavailable, parameter: nil) { () throws(ControlError) in
                _ = try log.decisions(DecisionQuery(limit: 5))
            }
        }
    }
}

@Suite("Decision log: audit, state, retention")
struct DecisionLogStateTests {
    @Test func auditIsNewestFirstAndFilteredByTarget() async throws {
        try await withLog { log, _ throws in
            let events = [
                AuditEvent(timeSeconds: 10, target: "a", kind: .mode, detail: "mode shadow → live", actor: "api"),
                AuditEvent(timeSeconds: 30, target: nil, kind: .config, detail: "reload", actor: "config"),
                AuditEvent(timeSeconds: 20, target: "b", kind: .override, detail: "override pin 5", actor: "api"),
                AuditEvent(timeSeconds: 30, target: "a", kind: .safety, detail: "fallback: 3 failures", actor: "controller"),
            ]
            for event in events { try log.appendAudit(event) }
            let all = try log.audit(target: nil, limit: 10)
            #expect(all.map(\.detail) == ["fallback: 3 failures", "reload", "override pin 5", "mode shadow → live"])
            #expect(all.allSatisfy { $0.id != nil })
            var first = all[0]
            first.id = nil
            #expect(first == events[3])
            #expect(all[1].target == nil)
            #expect(try log.audit(target: "a", limit: 10).map(\.timeSeconds) == [30, 10])
            #expect(try log.audit(target: nil, limit: 2).map(\.timeSeconds) == [30, 30])
            #expect(try log.audit(target: "zzz", limit: 10).isEmpty)
        }
    }

    @Test func stateSurvivesCloseAndReopen() async throws {
        let directory = try makeTemporaryDirectory()
        defer { removeTemporaryDirectory(directory) }
        let path = directory.appendingPathComponent("state.sqlite").path
        let planner = try plannerState(lastObservedReplicas: 4)
        let pin = TargetOverride(kind: .pin, replicas: 5, untilSeconds: 5000, reason: "black friday", createdAtSeconds: 1000)
        do {
            let log = try DecisionLog.open(path: path, retentionSeconds: 60)
            #expect(try log.loadState() == PersistedControllerState())
            try log.saveGlobalMode(.live)
            try log.saveTargetMode(.shadow, target: "web")
            try log.saveTargetMode(.live, target: "batch")
            try log.saveOverride(pin, target: "web")
            try log.saveOverride(TargetOverride(kind: .pause, untilSeconds: 10, createdAtSeconds: 1), target: "gone")
            try log.savePlannerStates(["web": planner, "batch": PlannerState()])
            try log.saveTargetMode(nil, target: "batch")
            try log.saveOverride(nil, target: "gone")
            try log.close()
        }
        let reopened = try DecisionLog.open(path: path, retentionSeconds: 60)
        let state = try reopened.loadState()
        #expect(state.globalMode == .live)
        #expect(state.targetModes == ["web": .shadow])
        #expect(state.overrides == ["web": pin])
        #expect(state.plannerStates == ["web": planner, "batch": PlannerState()])
        #expect(state.plannerStates["web"]?.lastObservedReplicas == 4)
        try reopened.saveGlobalMode(nil)
        #expect(try reopened.loadState().globalMode == nil)
        #expect(reopened.undecodableRowCount == 0)
        try reopened.close()
    }

    @Test func pruneDeletesOldDecisionsAndAudit() async throws {
        try await withLog { log, _ throws in
            for index in 0..<10 { log.enqueue(makeRecord(time: Double(index * 100))) }
            await log.flush()
            for time in [100.0, 499, 500, 900] {
                try log.appendAudit(AuditEvent(timeSeconds: time, target: "web", kind: .mode, detail: "t\(time)", actor: "api"))
            }
            #expect(try log.prune(olderThan: 500) == 5)
            #expect(try allDecisions(log).map(\.timeSeconds) == [900, 800, 700, 600, 500])
            #expect(try log.audit(target: nil, limit: 10).map(\.timeSeconds) == [900, 500])
            #expect(try log.prune(olderThan: 500) == 0)
            // retentionSeconds is 86 400: now = 86 400 + 750 cuts before 750.
            #expect(try log.pruneExpired(now: 86_400 + 750) == 3)
            #expect(try allDecisions(log).map(\.timeSeconds) == [900, 800])
        }
    }
}

@Suite("Decision log: opening bad files")
struct DecisionLogOpenTests {
    @Test func aFileThatIsNotSQLiteIsRefusedAndLeftAlone() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeTemporaryDirectory(directory) }
        let path = directory.appendingPathComponent("x.sqlite").path
        let bytes = Data(String(repeating: "not a database, just some text\n", count: 200).utf8)
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try DecisionLog.open(path: path, retentionSeconds: 60)
        } throws: { error in
            guard let error = error as? DecisionLogError else { return false }
            return error.kind == .notADatabase && error.description.hasPrefix(path + ": file is not a database")
                && error.description.contains("controller.decisionLog.path")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["x.sqlite"])
    }

    @Test("an empty (0-byte) file is refused, not taken for a new log, and left as it is")
    func anEmptyFileIsRefused() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeTemporaryDirectory(directory) }
        let path = directory.appendingPathComponent("decisions.sqlite").path
        // A log in live mode with an override, then truncated to 0 bytes.
        let log = try DecisionLog.open(path: path, retentionSeconds: 60)
        try log.saveGlobalMode(.live)
        try log.close()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count > 0)
        try Data().write(to: URL(fileURLWithPath: path))
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        #expect {
            _ = try DecisionLog.open(path: path, retentionSeconds: 60)
        } throws: { error in
            guard let error = error as? DecisionLogError else { return false }
            return error.kind == .notADatabase && error.description.hasPrefix(path + ": the file is empty (0 bytes)")
                && error.description.contains("delete the empty file to start a new log")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["decisions.sqlite"])
        // A path that does not exist yet is a new log, as before.
        let fresh = try DecisionLog.open(path: directory.appendingPathComponent("new.sqlite").path, retentionSeconds: 60)
        #expect(try fresh.loadState().globalMode == nil)
        try fresh.close()
    }

    @Test func anUnwritableLocationIsRefusedClearly() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeTemporaryDirectory(directory) }
        let file = directory.appendingPathComponent("file.txt")
        try Data("x".utf8).write(to: file)
        let cases: [(String, String)] = [
            (file.appendingPathComponent("log.sqlite").path, "is not a directory"),
            (file.appendingPathComponent("sub/log.sqlite").path, "is not a directory"),
            (directory.appendingPathComponent("missing/log.sqlite").path, "does not exist"),
            (directory.path, "is a directory"),
        ]
        for (path, problem) in cases {
            do {
                _ = try DecisionLog.open(path: path, retentionSeconds: 60)
                Issue.record("opened \(path)")
            } catch {
                #expect(error.kind == .cannotOpen)
                #expect(error.path == path)
                #expect(error.description.hasPrefix(path + ": "), "\(error)")
                #expect(error.description.contains(problem), "\(error)")
            }
        }
        #expect(try Data(contentsOf: file) == Data("x".utf8))
    }

    @Test func aNewerSchemaIsRefused() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeTemporaryDirectory(directory) }
        let path = directory.appendingPathComponent("newer.sqlite").path
        try DecisionLog.open(path: path, retentionSeconds: 60).close()
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')") }
        try queue.close()
        #expect {
            _ = try DecisionLog.open(path: path, retentionSeconds: 60)
        } throws: { error in
            (error as? DecisionLogError)?.kind == .newerSchema
        }
    }

    @Test(.timeLimit(.minutes(1))) func aCorruptDatabaseFailsClearlyOrReadsWithSkips() async throws {
        let directory = try makeTemporaryDirectory()
        defer { removeTemporaryDirectory(directory) }
        let path = directory.appendingPathComponent("corrupt.sqlite").path
        do {
            let log = try DecisionLog.open(path: path, retentionSeconds: 60)
            for index in 0..<3000 { log.enqueue(makeRecord(time: Double(index))) }
            await log.flush()
            try log.close()
        }
        // Move everything from the WAL into the main file, so the garbage hits real pages.
        let queue = try DatabaseQueue(path: path)
        try await queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try queue.close()
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let pageSize = 4096
        try #require(bytes.count > 50 * pageSize)
        let firstPage = bytes.count / pageSize / 2
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for offset in (firstPage * pageSize)..<((firstPage + 8) * pageSize) {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes[offset] = UInt8(truncatingIfNeeded: seed >> 56)
        }
        try bytes.write(to: URL(fileURLWithPath: path))

        do {
            let log = try DecisionLog.open(path: path, retentionSeconds: 60)
            // Opened anyway: reads either work (with skips) or answer `unavailable`.
            do {
                let rows = try allDecisions(log)
                #expect(rows.count <= 3000)
            } catch {
                #expect(error.kind == .unavailable)
            }
            try? log.close()
        } catch {
            #expect(error.kind == .corrupt)
            #expect(error.description.hasPrefix(path + ": database is corrupt"), "\(error)")
            #expect(error.description.contains("move it aside"))
        }
    }
}

/// A planner state with something in it (its fields are only settable inside the Planner module).
private func plannerState(lastObservedReplicas: Int) throws -> PlannerState {
    let json = """
        {"planRecommendations": [{"time": 10, "replicas": 3}], "reactiveRecommendations": [],
         "scaleEvents": [{"time": 5, "change": 2}], "lastObservedReplicas": \(lastObservedReplicas),
         "capacity": {"samples": [4.5, 5.5], "lastLag": 120}}
        """
    return try JSONDecoder().decode(PlannerState.self, from: Data(json.utf8))
}
