import Logging
import Orchestrators

/// Makes leader election visible: a warning naming the cause when the lease cannot be read or
/// written (a replica that cannot reach its lease never leads, and every decision reads "not
/// leader"), a notice when it recovers and on every change of leadership, the `forescale_leader`
/// gauge and the lease-attempt counters, and at once in `GET /v1/status` (not a cache age later).
public struct LeaderElectionReporter: Sendable {
    let logger: Logger
    let metrics: ControllerMetrics
    let statusVersion: StatusVersion

    public init(logger: Logger, metrics: ControllerMetrics, statusVersion: StatusVersion) {
        self.logger = logger
        self.metrics = metrics
        self.statusVersion = statusVersion
    }

    public func note(_ note: LeaderElectionNote) {
        switch note {
        case .leadership(let leading, let identity, let holder):
            metrics.recordLeader(leading)
            statusVersion.noteChange()
            logger.notice(
                leading ? "leader election: this replica leads and applies counts" : "leader election: this replica stopped leading",
                metadata: ["identity": "\(identity)", "holder": "\(holder ?? "none")"])
        case .leaseFailing(let error, let description, let consecutive):
            statusVersion.noteChange()
            logger.warning(
                "leader election: the lease cannot be read or written; this replica does not lead and writes nothing",
                metadata: [
                    "lease": "\(description)", "kind": "\(error.label)", "error": "\(error.message)",
                    "consecutiveFailures": "\(consecutive)",
                ])
        case .leaseRecovered(let description, let afterFailures):
            statusVersion.noteChange()
            logger.notice("leader election: the lease answers again", metadata: ["lease": "\(description)", "failedAttempts": "\(afterFailures)"])
        case .attempted(let failure):
            metrics.recordLeaseAttempt(failedKind: failure?.label)
        }
    }
}
