import Foundation
import GRDB
import Planner

extension DecisionLog {
    /// The largest `limit` of ``decisions(_:)`` and ``audit(target:limit:)``.
    public static let maxPageSize = 1000

    /// A page of committed decisions, newest first (by time, then by id).
    ///
    /// Filters: `target`, `since` (inclusive), `until` (exclusive). `limit` must be 1…1000, else
    /// `ControlError(.badRequest, parameter: "limit")`. `cursor` is a page's `nextCursor` (an
    /// opaque `time:id` string); anything else is `ControlError(.badRequest, parameter: "cursor")`.
    /// Pages never repeat or skip a row, also across decisions with equal times. A row whose JSON
    /// cannot be decoded is left out of the page (and counted in ``undecodableRowCount``), so a page
    /// may hold fewer than `limit` decisions while `nextCursor` is set.
    ///
    /// - Throws: `ControlError(.unavailable)` when the database cannot be read.
    public func decisions(_ query: DecisionQuery) throws(ControlError) -> DecisionPage {
        guard (1...Self.maxPageSize).contains(query.limit) else {
            throw ControlError(.badRequest, parameter: "limit", "limit must be 1…\(Self.maxPageSize), got \(query.limit)")
        }
        if let since = query.sinceSeconds, !since.isFinite {
            throw ControlError(.badRequest, parameter: "since", "since must be a finite time")
        }
        if let until = query.untilSeconds, !until.isFinite {
            throw ControlError(.badRequest, parameter: "until", "until must be a finite time")
        }
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let target = query.target {
            conditions.append("target = ?")
            arguments.append(target)
        }
        if let since = query.sinceSeconds {
            conditions.append("time >= ?")
            arguments.append(since)
        }
        if let until = query.untilSeconds {
            conditions.append("time < ?")
            arguments.append(until)
        }
        if let cursor = query.cursor {
            guard let (time, id) = Self.parseCursor(cursor) else {
                throw ControlError(.badRequest, parameter: "cursor", "cursor is not one of this log's nextCursor values")
            }
            conditions.append("(time < ? OR (time = ? AND id < ?))")
            arguments.append(contentsOf: [time, time, id] as [any DatabaseValueConvertible])
        }
        var sql = "SELECT id, time, record FROM decisions"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY time DESC, id DESC LIMIT ?"
        arguments.append(query.limit + 1)

        let rows = try readRows(sql: sql, arguments: StatementArguments(arguments))
        let pageRows = rows.prefix(query.limit)
        let decisions = decodeRecords(pageRows)
        var nextCursor: String?
        if rows.count > query.limit, let last = pageRows.last,
           let id = Int64.fromDatabaseValue(last[0]), let time = Double.fromDatabaseValue(last[1]) {
            nextCursor = Self.cursor(time: time, id: id)
        }
        return DecisionPage(decisions: decisions, nextCursor: nextCursor)
    }

    /// The newest committed decision of `target` (by time, then id), or `nil` when there is none.
    /// - Throws: `ControlError(.unavailable)` when the database cannot be read.
    public func lastDecision(target: String) throws(ControlError) -> DecisionRecord? {
        // A few rows, in case the newest one cannot be decoded.
        let rows = try readRows(
            sql: "SELECT id, time, record FROM decisions WHERE target = ? ORDER BY time DESC, id DESC LIMIT 10",
            arguments: [target])
        return decodeRecords(rows[...]).first
    }

    /// The committed decisions of `target` with `from <= time < to`, oldest first (by time, then
    /// id), for ``Scorecard/compute(target:records:from:to:maxGapSeconds:)``. To let the decision
    /// just before the window count, ask from `from - maxGapSeconds`.
    /// - Throws: `ControlError(.unavailable)` when the database cannot be read.
    public func records(target: String, from: Double, to: Double) throws(ControlError) -> [DecisionRecord] {
        let rows = try readRows(
            sql: "SELECT id, time, record FROM decisions WHERE target = ? AND time >= ? AND time < ? ORDER BY time, id",
            arguments: [target, from, to])
        return decodeRecords(rows[...])
    }

    /// What the scorecard needs of `target`'s decisions with `from <= time < to`, oldest first,
    /// read from columns (rows written before those columns existed are decoded from their JSON).
    /// - Throws: `ControlError(.unavailable)` when the database cannot be read.
    public func scoreInputs(target: String, from: Double, to: Double) throws(ControlError) -> [ScoreInput] {
        let rows = try readRows(
            sql: """
                SELECT id, time, current_replicas, final_replicas, reactive_replicas, score_version, lag, arrival_rate,
                    throughput, capacity, slo, forecast_horizon, forecast_p50, forecast_upper, forecast_quantile, forecast_model,
                    CASE WHEN score_version IS NULL THEN record END AS record
                FROM decisions WHERE target = ? AND time >= ? AND time < ? ORDER BY time, id
                """,
            arguments: [target, from, to])
        let decoder = LogCoding.decoder()
        var inputs: [ScoreInput] = []
        inputs.reserveCapacity(rows.count)
        for row in rows {
            if (row["score_version"] as Int?) == nil {
                let value: DatabaseValue = row["record"]
                if let record = LogCoding.decode(DecisionRecord.self, from: value, with: decoder) { inputs.append(ScoreInput(record)) }
                continue
            }
            var forecast: ForecastInput?
            if let horizon = row["forecast_horizon"] as Double?, let p50 = row["forecast_p50"] as Double?,
               let upper = row["forecast_upper"] as Double?
            {
                forecast = ForecastInput(
                    horizonSeconds: horizon, p50: p50, upper: upper, upperQuantile: row["forecast_quantile"] ?? 0.9,
                    model: row["forecast_model"] ?? "")
            }
            inputs.append(ScoreInput(
                target: target, timeSeconds: row["time"], currentReplicas: row["current_replicas"], finalReplicas: row["final_replicas"],
                reactiveReplicas: row["reactive_replicas"], lag: row["lag"], arrivalRate: row["arrival_rate"],
                throughput: row["throughput"], capacityPerReplica: row["capacity"], latencySLOSeconds: row["slo"] ?? .infinity,
                forecast: forecast))
        }
        return inputs
    }

    /// Audit events, newest first (by time, then id); `target == nil` means every event
    /// (controller-wide ones included). `limit` must be 1…1000.
    /// - Throws: `ControlError(.badRequest, parameter: "limit")`, or `.unavailable` when the
    ///   database cannot be read.
    public func audit(target: String?, limit: Int) throws(ControlError) -> [AuditEvent] {
        guard (1...Self.maxPageSize).contains(limit) else {
            throw ControlError(.badRequest, parameter: "limit", "limit must be 1…\(Self.maxPageSize), got \(limit)")
        }
        let rows: [Row]
        if let target {
            rows = try readRows(
                sql: "SELECT id, time, target, kind, detail, actor FROM audit WHERE target = ? ORDER BY time DESC, id DESC LIMIT ?",
                arguments: [target, limit])
        } else {
            rows = try readRows(
                sql: "SELECT id, time, target, kind, detail, actor FROM audit ORDER BY time DESC, id DESC LIMIT ?",
                arguments: [limit])
        }
        var events: [AuditEvent] = []
        var skipped = 0
        for row in rows {
            guard let id = Int64.fromDatabaseValue(row[0]), let time = Double.fromDatabaseValue(row[1]),
                  let kindText = String.fromDatabaseValue(row[3]), let kind = AuditEvent.Kind(rawValue: kindText),
                  let detail = String.fromDatabaseValue(row[4]), let actor = String.fromDatabaseValue(row[5])
            else {
                skipped += 1
                continue
            }
            let targetValue: DatabaseValue = row[2]
            events.append(AuditEvent(
                id: id, timeSeconds: time, target: String.fromDatabaseValue(targetValue), kind: kind, detail: detail, actor: actor))
        }
        countUndecodable(skipped)
        return events
    }

    // MARK: - Helpers

    static func cursor(time: Double, id: Int64) -> String { "\(time):\(id)" }

    static func parseCursor(_ cursor: String) -> (Double, Int64)? {
        let parts = cursor.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let time = Double(parts[0]), time.isFinite, let id = Int64(parts[1]), id >= 0 else { return nil }
        return (time, id)
    }

    private func readRows(sql: String, arguments: StatementArguments) throws(ControlError) -> [Row] {
        do {
            return try pool.read { db in try Row.fetchAll(db, sql: sql, arguments: arguments) }
        } catch {
            throw ControlError(.unavailable, "decision log: " + DecisionLogError.from(error, path: path, doing: "reading").description)
        }
    }

    /// Decodes `id, time, record` rows, skipping (and counting) the undecodable ones.
    private func decodeRecords(_ rows: ArraySlice<Row>) -> [DecisionRecord] {
        let decoder = LogCoding.decoder()
        var records: [DecisionRecord] = []
        records.reserveCapacity(rows.count)
        var skipped = 0
        for row in rows {
            guard let id = Int64.fromDatabaseValue(row[0]),
                  var record = LogCoding.decode(DecisionRecord.self, from: row[2], with: decoder)
            else {
                skipped += 1
                continue
            }
            record.id = id
            records.append(record)
        }
        countUndecodable(skipped)
        return records
    }
}
