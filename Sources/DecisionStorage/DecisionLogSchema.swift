import Foundation
import GRDB

/// The decision log's schema, as versioned GRDB migrations. Never edit a registered migration:
/// add a new one (databases in the field have already run the old ones).
enum DecisionLogSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE decisions (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        target TEXT NOT NULL,
                        time REAL NOT NULL,
                        mode TEXT NOT NULL,
                        final_replicas INTEGER NOT NULL,
                        current_replicas INTEGER NOT NULL,
                        desired_replicas INTEGER NOT NULL,
                        reactive_replicas INTEGER,
                        planned_replicas INTEGER,
                        safety TEXT NOT NULL,
                        applied INTEGER NOT NULL,
                        reasons TEXT NOT NULL,
                        explanation TEXT NOT NULL,
                        model TEXT,
                        orchestrator_answer TEXT NOT NULL,
                        record TEXT NOT NULL
                    );
                    CREATE INDEX decisions_target_time ON decisions(target, time);
                    CREATE INDEX decisions_time ON decisions(time);

                    CREATE TABLE audit (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        time REAL NOT NULL,
                        target TEXT,
                        kind TEXT NOT NULL,
                        detail TEXT NOT NULL,
                        actor TEXT NOT NULL
                    );
                    CREATE INDEX audit_time ON audit(time);
                    CREATE INDEX audit_target_time ON audit(target, time);

                    CREATE TABLE controller_state (
                        key TEXT PRIMARY KEY NOT NULL,
                        value TEXT NOT NULL
                    );

                    CREATE TABLE target_state (
                        target TEXT PRIMARY KEY NOT NULL,
                        mode TEXT,
                        override TEXT,
                        planner_state TEXT
                    );
                    """)
        }
        // v2: the numbers the scorecard reads, as columns (a 14-day scorecard read them from every
        // row's JSON before). Rows written by v1 keep NULL here; the scorecard decodes those.
        migrator.registerMigration("v2") { db in
            try db.execute(
                sql: """
                    ALTER TABLE decisions ADD COLUMN score_version INTEGER;
                    ALTER TABLE decisions ADD COLUMN lag REAL;
                    ALTER TABLE decisions ADD COLUMN arrival_rate REAL;
                    ALTER TABLE decisions ADD COLUMN throughput REAL;
                    ALTER TABLE decisions ADD COLUMN capacity REAL;
                    ALTER TABLE decisions ADD COLUMN slo REAL;
                    ALTER TABLE decisions ADD COLUMN forecast_horizon REAL;
                    ALTER TABLE decisions ADD COLUMN forecast_p50 REAL;
                    ALTER TABLE decisions ADD COLUMN forecast_upper REAL;
                    ALTER TABLE decisions ADD COLUMN forecast_quantile REAL;
                    ALTER TABLE decisions ADD COLUMN forecast_model TEXT;
                    """)
        }
        return migrator
    }
}

/// JSON coding of the log's columns. Non-finite doubles (a NaN lag the planner rejected) are
/// written as strings instead of failing the whole batch.
enum LogCoding {
    static func encoder() -> JSONEncoder {
        // Keys unsorted: nothing compares the stored text, and sorting them is work on every write.
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }

    /// The streaming encoder's text, or `encoder`'s for values it does not stream.
    static func encodeText<T: Encodable>(_ value: T, with encoder: JSONEncoder) throws -> String {
        if let text = try StreamingJSONEncoder.encode(value) { return text }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// `nil` when the column is NULL, not text, or not valid JSON for `T`.
    static func decode<T: Decodable>(_ type: T.Type, from value: DatabaseValue, with decoder: JSONDecoder) -> T? {
        guard let data = Data.fromDatabaseValue(value) else { return nil }
        return try? decoder.decode(type, from: data)
    }
}
