import Foundation
import GRDB

/// Why the decision log could not be opened, read or written.
///
/// The description names the file, says what is wrong and what to do, e.g.
/// `/var/lib/forescale/decisions.sqlite: file is not a database (move it aside or set
/// controller.decisionLog.path to a new file)`.
public struct DecisionLogError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, for callers that react differently (e.g. a metric label).
    public enum Kind: String, Sendable, Equatable {
        /// The file or its directory cannot be opened or created (missing directory, permissions, a file in the way).
        case cannotOpen
        /// The file exists but is not a SQLite database.
        case notADatabase
        /// The file is a SQLite database that fails its integrity check or reports corruption.
        case corrupt
        /// The file or the file system is read-only.
        case readOnly
        /// The disk is full.
        case diskFull
        /// Another process holds a lock on the database.
        case locked
        /// The database was written by a newer Forescale (unknown schema migrations).
        case newerSchema
        /// Any other SQLite or encoding failure.
        case other
    }

    /// What went wrong.
    public var kind: Kind
    /// The database file.
    public var path: String
    /// `path: what is wrong (what to do)`.
    public var description: String

    /// An error about `path`; `description` should start with the path and end with what to do.
    public init(kind: Kind, path: String, description: String) {
        self.kind = kind
        self.path = path
        self.description = description
    }

    /// Classifies an error thrown by GRDB or SQLite while working on `path`.
    /// - Parameter doing: what was being done, for the "other" case (`opening`, `writing the audit log`).
    static func from(_ error: any Error, path: String, doing: String) -> DecisionLogError {
        if let error = error as? DecisionLogError { return error }
        let newFile = "set controller.decisionLog.path to a new file"
        guard let db = error as? DatabaseError else {
            return DecisionLogError(kind: .other, path: path, description: "\(path): \(doing) failed: \(error)")
        }
        let sqlite = db.message ?? "\(db.resultCode)"
        switch db.resultCode {
        case .SQLITE_NOTADB:
            return DecisionLogError(
                kind: .notADatabase, path: path,
                description: "\(path): file is not a database (move it aside or \(newFile))")
        case .SQLITE_CORRUPT:
            return DecisionLogError(
                kind: .corrupt, path: path,
                description: "\(path): database is corrupt: \(sqlite) (move it aside, and its -wal and -shm files, "
                    + "to start a new log, or \(newFile); `sqlite3 \(path) .recover` may save the old rows)")
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH:
            return DecisionLogError(
                kind: .cannotOpen, path: path,
                description: "\(path): cannot open or create the file: \(sqlite) (check that the directory exists "
                    + "and is writable by the controller, or set controller.decisionLog.path to a writable location)")
        case .SQLITE_READONLY:
            return DecisionLogError(
                kind: .readOnly, path: path,
                description: "\(path): database is read-only: \(sqlite) (make the file, its directory and its "
                    + "-wal and -shm files writable, or set controller.decisionLog.path to a writable location)")
        case .SQLITE_FULL:
            return DecisionLogError(
                kind: .diskFull, path: path,
                description: "\(path): disk is full while \(doing) (free space, or lower controller.decisionLog.retention)")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return DecisionLogError(
                kind: .locked, path: path,
                description: "\(path): database is locked by another process while \(doing) (stop the other "
                    + "controller using this file, or give each controller its own controller.decisionLog.path)")
        case .SQLITE_IOERR:
            return DecisionLogError(
                kind: .other, path: path,
                description: "\(path): I/O error while \(doing): \(sqlite) (check the disk and the volume)")
        default:
            return DecisionLogError(kind: .other, path: path, description: "\(path): \(doing) failed: \(sqlite)")
        }
    }
}
