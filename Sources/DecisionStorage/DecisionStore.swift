import Pipeline
import Planner

/// Where the controller writes what it decided and what people changed. Never blocks a tick.
public protocol DecisionWriter: Sendable {
    /// Never blocks; `false` when the write queue is full (the row is dropped and counted).
    @discardableResult func enqueue(_ record: DecisionRecord) -> Bool
    /// Returns once everything enqueued before the call is committed.
    func flush() async
    /// Rows dropped because the write queue was full, since start.
    var droppedCount: Int { get }
    func appendAudit(_ event: AuditEvent) throws
    /// Removes the decisions older than `seconds` (Unix time); returns how many.
    func prune(olderThan seconds: Double) throws -> Int
}

/// What the status API and the scorecard read of the log.
public protocol DecisionReader: Sendable {
    func decisions(_ query: DecisionQuery) throws(ControlError) -> DecisionPage
    func lastDecision(target: String) throws(ControlError) -> DecisionRecord?
    func records(target: String, from: Double, to: Double) throws(ControlError) -> [DecisionRecord]
    /// What the scorecard reads of the same rows, without decoding whole records.
    func scoreInputs(target: String, from: Double, to: Double) throws(ControlError) -> [ScoreInput]
    func audit(target: String?, limit: Int) throws(ControlError) -> [AuditEvent]
}

/// What survives a restart: modes, overrides and the planner states.
public protocol ControllerStateStore: Sendable {
    func loadState() throws -> PersistedControllerState
    func saveGlobalMode(_ mode: RunMode?) throws
    func saveTargetMode(_ mode: RunMode?, target: String) throws
    func saveOverride(_ override: TargetOverride?, target: String) throws
    func savePlannerStates(_ states: [String: PlannerState]) throws
}

/// All three: what the controller's runtime is given. `DecisionLog` (SQLite) is the
/// implementation, `ForescaleTestKit.InMemoryDecisionStore` the test double.
public typealias DecisionStore = DecisionWriter & DecisionReader & ControllerStateStore

extension DecisionLog: DecisionWriter, DecisionReader, ControllerStateStore {}
