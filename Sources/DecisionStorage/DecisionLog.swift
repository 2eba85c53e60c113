import Foundation
import GRDB
import Planner
import Synchronization

/// The controller's SQLite decision log: every decision of every target, the audit trail of
/// mode switches and overrides, and the state that survives a restart (modes, overrides,
/// planner states).
///
/// ## Durability
/// The database runs in WAL journal mode with `PRAGMA synchronous = NORMAL`: a transaction is
/// durable once its commit returns *against a crash of the process* (`kill -9`, an OOM kill, a
/// panic), because the commit is in the WAL file, which the operating system keeps. After a
/// power loss or a kernel crash, the last few transactions committed before the failure may be
/// rolled back (the WAL is synced at checkpoints, not at every commit); the database itself stays
/// consistent.
///
/// ## Writes
/// Decisions are written off the tick's path: ``enqueue(_:)`` never blocks, and a single writer
/// (``runWriter()``, run as a service task) commits them in batches, one transaction per batch.
/// Audit events and state changes are committed synchronously before their function returns.
///
/// ## Reads
/// Reads run on a pool of reader connections concurrently with the writer and see committed rows
/// only. A row whose JSON cannot be decoded is skipped and counted in ``undecodableRowCount``.
public final class DecisionLog: Sendable {
    /// The database file.
    public let path: String
    /// How long decisions and audit events are kept (see ``pruneExpired(now:)``).
    public let retentionSeconds: Double
    /// How many decisions may wait for the writer before ``enqueue(_:)`` drops them.
    public let capacity: Int

    /// The most decisions committed in one transaction.
    static let batchSize = 500

    let pool: DatabasePool
    private let state: Mutex<QueueState>

    private struct QueueState {
        var buffer: [DecisionRecord] = []
        /// Decisions accepted by `enqueue` since open.
        var accepted: UInt64 = 0
        /// Decisions taken from the buffer and committed (or failed) since open.
        var processed: UInt64 = 0
        var dropped = 0
        var writeErrors = 0
        var lastWriteError: String?
        var undecodable = 0
        var finished = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private init(path: String, retentionSeconds: Double, capacity: Int, pool: DatabasePool) {
        self.path = path
        self.retentionSeconds = retentionSeconds
        self.capacity = capacity
        self.pool = pool
        self.state = Mutex(QueueState())
    }

    /// Opens the log at `path`, creating the file and its schema when it does not exist, and
    /// migrating an existing one to the current schema.
    ///
    /// Runs `PRAGMA quick_check` on open. Never recreates, truncates or deletes an existing file:
    /// a file that is not a SQLite database, a corrupt database or a database of a newer version
    /// fails with a ``DecisionLogError`` that names the path, the problem and what to do.
    /// The parent directory must exist (it is not created).
    ///
    /// - Parameters:
    ///   - retentionSeconds: how long rows are kept; used by ``pruneExpired(now:)``.
    ///   - capacity: how many decisions may wait for the writer before ``enqueue(_:)`` drops them.
    public static func open(path: String, retentionSeconds: Double, capacity: Int = 10_000) throws(DecisionLogError) -> DecisionLog {
        try checkLocation(path)
        var configuration = Configuration()
        configuration.label = "forescale.decisionlog"
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw DecisionLogError.from(error, path: path, doing: "opening")
        }
        do {
            try checkIntegrity(pool, path: path)
            let migrator = DecisionLogSchema.migrator
            if try pool.read({ db in try migrator.hasBeenSuperseded(db) }) {
                throw DecisionLogError(
                    kind: .newerSchema, path: path,
                    description: "\(path): the decision log was written by a newer version of Forescale "
                        + "(upgrade Forescale, or set controller.decisionLog.path to a new file)")
            }
            try migrator.migrate(pool)
        } catch {
            try? pool.close()
            throw DecisionLogError.from(error, path: path, doing: "opening")
        }
        return DecisionLog(path: path, retentionSeconds: retentionSeconds, capacity: max(1, capacity), pool: pool)
    }

    /// Refuses a path that is a directory, or whose parent is missing or not a directory, with a
    /// clearer message than SQLite's "unable to open database file".
    private static func checkLocation(_ path: String) throws(DecisionLogError) {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        if fileManager.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw DecisionLogError(
                kind: .cannotOpen, path: path,
                description: "\(path): is a directory (set controller.decisionLog.path to a file, e.g. \(path)/decisions.sqlite)")
        }
        // SQLite would take an empty file for a new database and start from nothing: global mode
        // back to the config's, overrides and history gone, without a word. A log is never empty once
        // opened (the schema is written at once), so an empty file is a truncated log.
        if let size = (try? fileManager.attributesOfItem(atPath: path))?[.size] as? NSNumber, size.intValue == 0 {
            throw DecisionLogError(
                kind: .notADatabase, path: path,
                description: "\(path): the file is empty (0 bytes), so it is not a decision log, and starting a new one would "
                    + "silently drop the modes, overrides and history of a log that was truncated (restore it from a backup, "
                    + "or delete the empty file to start a new log)")
        }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        // Walk up to the first existing ancestor: a regular file there makes the path unusable.
        var ancestor = parent
        while !ancestor.isEmpty, ancestor != "/" {
            if fileManager.fileExists(atPath: ancestor, isDirectory: &isDirectory) {
                if !isDirectory.boolValue {
                    throw DecisionLogError(
                        kind: .cannotOpen, path: path,
                        description: "\(path): cannot create the file: \(ancestor) is not a directory "
                            + "(set controller.decisionLog.path to a file in a writable directory)")
                }
                break
            }
            ancestor = URL(fileURLWithPath: ancestor).deletingLastPathComponent().path
        }
        if !fileManager.fileExists(atPath: parent, isDirectory: &isDirectory) {
            throw DecisionLogError(
                kind: .cannotOpen, path: path,
                description: "\(path): cannot create the file: directory \(parent) does not exist "
                    + "(create it, writable by the controller, or set controller.decisionLog.path to a file in an existing directory)")
        }
    }

    private static func checkIntegrity(_ pool: DatabasePool, path: String) throws {
        let problems = try pool.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check(5)") }
        if problems != ["ok"] {
            var summary = problems.prefix(3).joined(separator: "; ")
                .split(whereSeparator: \.isNewline).joined(separator: " ")
            if summary.count > 300 { summary = String(summary.prefix(300)) + "…" }
            throw DecisionLogError(
                kind: .corrupt, path: path,
                description: "\(path): database is corrupt (quick_check: \(summary)) (move it aside, and its -wal and "
                    + "-shm files, to start a new log, or set controller.decisionLog.path to a new file; "
                    + "`sqlite3 \(path) .recover` may save the old rows)")
        }
    }

    /// Closes the database connections. Later calls fail (reads with `unavailable`, writes are
    /// counted as write errors). Call after ``runWriter()`` has returned.
    public func close() throws(DecisionLogError) {
        do {
            try pool.close()
        } catch {
            throw DecisionLogError.from(error, path: path, doing: "closing")
        }
    }

    // MARK: - Counters

    /// Decisions refused by ``enqueue(_:)`` because the queue was full, since open.
    public var droppedCount: Int { state.withLock { $0.dropped } }
    /// Decisions that could not be written (encoding or SQLite failures, e.g. disk full), since open.
    public var writeErrorCount: Int { state.withLock { $0.writeErrors } }
    /// The last write failure, for the status API and logs.
    public var lastWriteError: String? { state.withLock { $0.lastWriteError } }
    /// Rows skipped by reads because their JSON could not be decoded, since open.
    public var undecodableRowCount: Int { state.withLock { $0.undecodable } }
    /// Decisions waiting for the writer.
    public var pendingCount: Int { state.withLock { $0.buffer.count } }

    func countUndecodable(_ count: Int) {
        guard count > 0 else { return }
        state.withLock { $0.undecodable += count }
    }

    // MARK: - Queue and writer

    /// Queues a decision for the writer. Never blocks and never waits.
    ///
    /// - Returns: `false` when the queue already holds ``capacity`` decisions: the record is
    ///   dropped and counted in ``droppedCount``.
    @discardableResult
    public func enqueue(_ record: DecisionRecord) -> Bool {
        let (accepted, waiters) = state.withLock { state -> (Bool, [CheckedContinuation<Void, Never>]) in
            guard state.buffer.count < capacity else {
                state.dropped += 1
                return (false, [])
            }
            state.buffer.append(record)
            state.accepted &+= 1
            let waiters = state.waiters
            state.waiters = []
            return (true, waiters)
        }
        for waiter in waiters { waiter.resume() }
        return accepted
    }

    /// Commits queued decisions in batches (one transaction per batch, at most 500 decisions) until
    /// the task is cancelled or ``finish()`` is called, then commits what is left and returns.
    ///
    /// Run exactly one writer per log (e.g. as a swift-service-lifecycle service). A failed batch
    /// is counted in ``writeErrorCount`` and the writer goes on with the next one.
    public func runWriter() async {
        while true {
            if await drainBatch() > 0 { continue }
            if Task.isCancelled || state.withLock({ $0.finished }) { break }
            await waitForWork()
        }
        await flush()
    }

    /// Asks ``runWriter()`` to commit what is queued and return.
    public func finish() {
        let waiters = state.withLock { state in
            state.finished = true
            let waiters = state.waiters
            state.waiters = []
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once every decision enqueued before the call is committed (or, when the write
    /// failed, counted in ``writeErrorCount``). Works with or without a running writer, and also
    /// when the calling task is cancelled (it is used on shutdown).
    public func flush() async {
        let target = state.withLock { $0.accepted }
        while state.withLock({ $0.processed }) < target {
            // Batches are taken and committed on the pool's serial writer queue, so when a batch
            // finds the queue empty every earlier decision has been committed.
            if await drainBatch() == 0 { break }
        }
    }

    /// Waits until a decision is queued, ``finish()`` is called or the task is cancelled.
    private func waitForWork() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if !state.buffer.isEmpty || state.finished || Task.isCancelled { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiters = state.withLock { state in
                let waiters = state.waiters
                state.waiters = []
                return waiters
            }
            for waiter in waiters { waiter.resume() }
        }
    }

    /// Takes one batch and commits it on the pool's serial writer queue, without blocking a
    /// thread of the caller and without reacting to task cancellation (a batch taken is always
    /// written or counted). Returns how many decisions it took.
    private func drainBatch() async -> Int {
        await withCheckedContinuation { (continuation: CheckedContinuation<Int, Never>) in
            pool.asyncWriteWithoutTransaction { db in
                continuation.resume(returning: self.writeBatch(db))
            }
        }
    }

    private func writeBatch(_ db: Database) -> Int {
        let batch = state.withLock { state -> [DecisionRecord] in
            let count = min(state.buffer.count, Self.batchSize)
            guard count > 0 else { return [] }
            if count == state.buffer.count {
                defer { state.buffer = [] }
                return state.buffer
            }
            defer { state.buffer.removeFirst(count) }
            return Array(state.buffer.prefix(count))
        }
        guard !batch.isEmpty else { return 0 }

        var failures = 0
        var lastError: String?
        let encoder = LogCoding.encoder()
        var rows: [(DecisionRecord, String)] = []
        rows.reserveCapacity(batch.count)
        for record in batch {
            guard record.timeSeconds.isFinite else {
                failures += 1
                lastError = "decision of \(record.target): time is not finite (\(record.timeSeconds))"
                continue
            }
            var stored = record
            stored.id = nil
            do {
                rows.append((record, try LogCoding.encodeText(stored, with: encoder)))
            } catch {
                failures += 1
                lastError = "decision of \(record.target) at \(record.timeSeconds): cannot encode: \(error)"
            }
        }
        if !rows.isEmpty {
            do {
                try db.inTransaction {
                    let statement = try db.cachedStatement(sql: """
                        INSERT INTO decisions (target, time, mode, final_replicas, current_replicas, desired_replicas,
                            reactive_replicas, planned_replicas, safety, applied, reasons, explanation, model,
                            orchestrator_answer, record, score_version, lag, arrival_rate, throughput, capacity, slo,
                            forecast_horizon, forecast_p50, forecast_upper, forecast_quantile, forecast_model)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                    for (record, json) in rows {
                        let decision = record.decision
                        try statement.execute(arguments: [
                            record.target, record.timeSeconds, record.mode.rawValue, record.finalReplicas,
                            decision.currentReplicas, decision.desiredReplicas, decision.reactiveReplicas,
                            decision.plannedReplicas, record.safety.rawValue, record.applied,
                            decision.reasons.map(\.rawValue).joined(separator: ","), decision.explanation,
                            record.model, record.orchestratorAnswer, json,
                        ] + Self.scoreColumns(record))
                    }
                    return .commit
                }
            } catch {
                failures += rows.count
                lastError = DecisionLogError.from(error, path: path, doing: "writing decisions").description
            }
        }
        state.withLock { state in
            state.processed &+= UInt64(batch.count)
            state.writeErrors += failures
            if let lastError { state.lastWriteError = lastError }
        }
        return batch.count
    }
}

extension DecisionLog {
    /// The scorecard's columns of a record (finite numbers only: SQLite has no NaN).
    static func scoreColumns(_ record: DecisionRecord) -> StatementArguments {
        let score = ScoreInput(record)
        func finite(_ value: Double?) -> Double? { value.flatMap { $0.isFinite ? $0 : nil } }
        let forecast = score.forecast
        return [
            finite(score.lag), finite(score.arrivalRate), finite(score.throughput), finite(score.capacityPerReplica),
            finite(score.latencySLOSeconds), finite(forecast?.horizonSeconds), finite(forecast?.p50), finite(forecast?.upper),
            finite(forecast?.upperQuantile), forecast?.model,
        ]
    }
}
