import DecisionStorage
import Logging
import Pipeline

/// What a tick leaves behind besides its state: the metrics of its reads, decision and writes,
/// its log lines, and its decision row in the store. The safety transitions it returns are for
/// the runtime to audit (an audit also invalidates the status cache and tells the observer).
struct TickRecorder: Sendable {
    let store: any DecisionWriter
    let metrics: any MetricsRecorder
    let logger: Logger

    /// Records `report`; returns the audit events of its safety transitions.
    func record(_ report: TickReport, now: Double) -> [AuditEvent] {
        for fetch in report.fetches {
            metrics.recordFetch(source: fetch.source, metric: fetch.metric, seconds: fetch.seconds, errorKind: fetch.errorKind)
        }
        var audits: [AuditEvent] = []
        for transition in report.transitions {
            audits.append(AuditEvent(timeSeconds: now, target: report.target, kind: .safety, detail: transition.detail, actor: "controller"))
            metrics.recordSafety(target: report.target, state: transition.state.rawValue)
            logger.notice(
                "safety state changed", metadata: ["target": "\(report.target)", "state": "\(transition.state.rawValue)", "detail": "\(transition.detail)"])
        }
        if let error = report.forecastError { metrics.recordForecastError(target: report.target, absoluteError: error) }
        if let failure = report.writeFailure {
            metrics.recordWriteFailure(target: report.target, kind: failure.kind)
            logger.warning(
                "live target: writing the replica count failed",
                metadata: [
                    "target": "\(report.target)", "kind": "\(failure.kind)", "error": "\(failure.message)",
                    "consecutiveFailures": "\(report.consecutiveWriteFailures)",
                ])
        }
        guard let record = report.record else {
            if let failure = report.failure {
                logger.warning(
                    "no decision: the workload's scale could not be read",
                    metadata: ["target": "\(report.target)", "stage": "\(failure.stage)", "kind": "\(failure.kind)", "error": "\(failure.message)"])
            }
            return audits
        }
        if !store.enqueue(record) {
            logger.error("decision log queue full: a decision row was dropped", metadata: ["target": "\(report.target)"])
        }
        metrics.recordDroppedDecisions(total: store.droppedCount)
        let decision = record.decision
        metrics.recordDecision(
            target: record.target, reasons: decision.reasons.map(\.rawValue), mode: record.mode, desired: record.finalReplicas,
            reactive: decision.reactiveReplicas, current: decision.currentReplicas)
        metrics.recordForecast(
            target: record.target, p50: record.forecast?.p50, upper: record.forecast?.upper,
            observed: decision.inputs.observation.arrivalRate?.value)
        if let startup = decision.inputs.observedStartupSeconds { metrics.recordStartup(target: record.target, seconds: startup) }
        if record.finalReplicas != decision.currentReplicas || record.applied {
            logger.info(
                "decision",
                metadata: [
                    "target": "\(record.target)", "mode": "\(record.mode.rawValue)", "from": "\(decision.currentReplicas)",
                    "to": "\(record.finalReplicas)", "answer": "\(record.orchestratorAnswer)", "explanation": "\(decision.explanation)",
                ])
        }
        return audits
    }
}
