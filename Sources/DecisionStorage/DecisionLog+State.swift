import Foundation
import GRDB
import Pipeline
import Planner

extension DecisionLog {
    private static let globalModeKey = "globalMode"

    // MARK: - Audit

    /// Appends an audit event and commits it before returning (a mode switch is durable before
    /// the API answers). The event's `id` is ignored; the log assigns one.
    public func appendAudit(_ event: AuditEvent) throws(DecisionLogError) {
        try write(doing: "writing the audit log") { db in
            try db.execute(
                sql: "INSERT INTO audit (time, target, kind, detail, actor) VALUES (?, ?, ?, ?, ?)",
                arguments: [event.timeSeconds, event.target, event.kind.rawValue, event.detail, event.actor])
        }
    }

    // MARK: - Persisted state

    /// What was saved by the `save…` functions. A value that cannot be decoded (e.g. written by
    /// an incompatible version) is left out and counted in ``undecodableRowCount``: the target
    /// then starts from its defaults rather than the controller refusing to start.
    public func loadState() throws(DecisionLogError) -> PersistedControllerState {
        let (globalValue, rows) = try read(doing: "reading the saved state") { db in
            let global = try DatabaseValue.fetchOne(
                db, sql: "SELECT value FROM controller_state WHERE key = ?", arguments: [Self.globalModeKey])
            let rows = try Row.fetchAll(db, sql: "SELECT target, mode, override, planner_state FROM target_state")
            return (global, rows)
        }
        let decoder = LogCoding.decoder()
        var skipped = 0
        var state = PersistedControllerState()
        if let globalValue, !globalValue.isNull {
            if let mode = LogCoding.decode(RunMode.self, from: globalValue, with: decoder) {
                state.globalMode = mode
            } else {
                skipped += 1
            }
        }
        for row in rows {
            guard let target = String.fromDatabaseValue(row[0]) else {
                skipped += 1
                continue
            }
            let modeValue: DatabaseValue = row[1]
            if !modeValue.isNull {
                if let text = String.fromDatabaseValue(modeValue), let mode = RunMode(rawValue: text) {
                    state.targetModes[target] = mode
                } else {
                    skipped += 1
                }
            }
            let overrideValue: DatabaseValue = row[2]
            if !overrideValue.isNull {
                if let value = LogCoding.decode(TargetOverride.self, from: overrideValue, with: decoder) {
                    state.overrides[target] = value
                } else {
                    skipped += 1
                }
            }
            let plannerValue: DatabaseValue = row[3]
            if !plannerValue.isNull {
                if let value = LogCoding.decode(PlannerState.self, from: plannerValue, with: decoder) {
                    state.plannerStates[target] = value
                } else {
                    skipped += 1
                }
            }
        }
        countUndecodable(skipped)
        return state
    }

    /// Saves the global mode (`nil`: back to the config's `controller.mode`), committed before returning.
    public func saveGlobalMode(_ mode: RunMode?) throws(DecisionLogError) {
        let json: String?
        do {
            json = try mode.map { try LogCoding.encodeText($0, with: LogCoding.encoder()) }
        } catch {
            throw DecisionLogError.from(error, path: path, doing: "encoding the global mode")
        }
        try write(doing: "saving the global mode") { db in
            if let json {
                try db.execute(
                    sql: "INSERT INTO controller_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    arguments: [Self.globalModeKey, json])
            } else {
                try db.execute(sql: "DELETE FROM controller_state WHERE key = ?", arguments: [Self.globalModeKey])
            }
        }
    }

    /// Saves a target's mode (`nil`: the target follows the global mode), committed before returning.
    public func saveTargetMode(_ mode: RunMode?, target: String) throws(DecisionLogError) {
        try write(doing: "saving the mode of \(target)") { db in
            try Self.upsert(db, target: target, column: "mode", value: mode?.rawValue)
        }
    }

    /// Saves a target's override (`nil` clears it), committed before returning.
    public func saveOverride(_ override: TargetOverride?, target: String) throws(DecisionLogError) {
        let json: String?
        do {
            json = try override.map { try LogCoding.encodeText($0, with: LogCoding.encoder()) }
        } catch {
            throw DecisionLogError.from(error, path: path, doing: "encoding the override of \(target)")
        }
        try write(doing: "saving the override of \(target)") { db in
            try Self.upsert(db, target: target, column: "override", value: json)
        }
    }

    /// Saves the planner state of every target in `states`, in one transaction. Targets absent
    /// from `states` keep what was saved for them before.
    public func savePlannerStates(_ states: [String: PlannerState]) throws(DecisionLogError) {
        guard !states.isEmpty else { return }
        let encoder = LogCoding.encoder()
        var rows: [(String, String)] = []
        do {
            for (target, state) in states.sorted(by: { $0.key < $1.key }) {
                rows.append((target, try LogCoding.encodeText(state, with: encoder)))
            }
        } catch {
            throw DecisionLogError.from(error, path: path, doing: "encoding planner states")
        }
        try write(doing: "saving planner states") { db in
            for (target, json) in rows {
                try Self.upsert(db, target: target, column: "planner_state", value: json)
            }
        }
    }

    /// Sets one column of a target's state row, creating the row, and drops rows left empty.
    private static func upsert(_ db: Database, target: String, column: String, value: String?) throws {
        // `column` is one of three literals of this file, never user input.
        try db.execute(
            sql: "INSERT INTO target_state (target, \(column)) VALUES (?, ?) ON CONFLICT(target) DO UPDATE SET \(column) = excluded.\(column)",
            arguments: [target, value])
        if value == nil {
            try db.execute(
                sql: "DELETE FROM target_state WHERE target = ? AND mode IS NULL AND override IS NULL AND planner_state IS NULL",
                arguments: [target])
        }
    }

    // MARK: - Retention

    /// Deletes decisions and audit events with a time before `cutoff` (Unix seconds), in one transaction.
    /// - Returns: how many decisions were deleted.
    @discardableResult
    public func prune(olderThan cutoff: Double) throws(DecisionLogError) -> Int {
        try write(doing: "pruning") { db in
            try db.execute(sql: "DELETE FROM decisions WHERE time < ?", arguments: [cutoff])
            let deleted = db.changesCount
            try db.execute(sql: "DELETE FROM audit WHERE time < ?", arguments: [cutoff])
            return deleted
        }
    }

    /// ``prune(olderThan:)`` with the cutoff `now - retentionSeconds`.
    @discardableResult
    public func pruneExpired(now: Double) throws(DecisionLogError) -> Int {
        try prune(olderThan: now - retentionSeconds)
    }

    // MARK: - Helpers

    private func write<T>(doing: String, _ updates: (Database) throws -> T) throws(DecisionLogError) -> T {
        do {
            return try pool.write(updates)
        } catch {
            throw DecisionLogError.from(error, path: path, doing: doing)
        }
    }

    private func read<T>(doing: String, _ value: (Database) throws -> T) throws(DecisionLogError) -> T {
        do {
            return try pool.read(value)
        } catch {
            throw DecisionLogError.from(error, path: path, doing: doing)
        }
    }
}
