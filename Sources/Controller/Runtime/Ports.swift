import DecisionStorage
import Pipeline
import Planner

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
