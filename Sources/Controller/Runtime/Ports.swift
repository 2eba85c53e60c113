import Pipeline
import Planner

/// Where the controller keeps decisions, audit events and what survives a restart.
/// `DecisionLog` (SQLite) is the implementation; the narrow protocol keeps the loop testable.
public protocol DecisionStore: Sendable {
    /// Never blocks; `false` when the write queue is full (the row is dropped and counted).
    @discardableResult func enqueue(_ record: DecisionRecord) -> Bool
    /// Returns once everything enqueued before the call is committed.
    func flush() async
    var droppedCount: Int { get }
    func decisions(_ query: DecisionQuery) throws(ControlError) -> DecisionPage
    func lastDecision(target: String) throws(ControlError) -> DecisionRecord?
    func records(target: String, from: Double, to: Double) throws(ControlError) -> [DecisionRecord]
    /// What the scorecard reads of the same rows, without decoding whole records.
    func scoreInputs(target: String, from: Double, to: Double) throws(ControlError) -> [ScoreInput]
    func audit(target: String?, limit: Int) throws(ControlError) -> [AuditEvent]
    func appendAudit(_ event: AuditEvent) throws
    func loadState() throws -> PersistedControllerState
    func saveGlobalMode(_ mode: RunMode?) throws
    func saveTargetMode(_ mode: RunMode?, target: String) throws
    func saveOverride(_ override: TargetOverride?, target: String) throws
    func savePlannerStates(_ states: [String: PlannerState]) throws
    func prune(olderThan seconds: Double) throws -> Int
}

/// What the loop reports to `/metrics`. `ControllerMetrics` (Prometheus) is the implementation.
public protocol MetricsRecorder: Sendable {
    func recordDecision(target: String, reasons: [String], mode: RunMode, desired: Int, reactive: Int?, current: Int)
    func recordForecast(target: String, p50: Double?, upper: Double?, observed: Double?)
    func recordForecastError(target: String, absoluteError: Double)
    /// The median start-up observed from the orchestrator's ready count (seconds), once known.
    func recordStartup(target: String, seconds: Double)
    func recordFetch(source: String, metric: String, seconds: Double, errorKind: String?)
    func recordTick(seconds: Double)
    func recordDroppedDecisions(total: Int)
    func recordSafety(target: String, state: String)
    /// A live write of the count failed (`kind`: the orchestrator's error kind, or `deadline`).
    func recordWriteFailure(target: String, kind: String)
}

/// Told by the runtime of each tick and each audited change (mode, override, safety, config), on
/// the runtime's actor: an implementation queues what it needs and returns at once.
public protocol RuntimeObserver: Sendable {
    func ticked(_ report: TickReport, mode: RunMode)
    func audited(_ event: AuditEvent)
    /// A new config file is in force (its sources may have changed under the cluster's targets).
    func configReloaded()
}
