@_exported import Clocks
import Foundation
import Planner

/// The scale of one workload as its orchestrator reports it.
public struct WorkloadScale: Sendable, Equatable {
    /// The replica count the orchestrator is asked to keep (e.g. `spec.replicas`).
    public var desiredReplicas: Int
    /// Replicas ready to serve, when the orchestrator knows (e.g. `status.readyReplicas`).
    public var readyReplicas: Int?
    /// When the adapter read it, from its clock.
    public var observedAt: Date
    /// The version of the object read, when the orchestrator has one (Kubernetes `resourceVersion`),
    /// so that a write can be made against this read.
    public var version: String?

    public init(desiredReplicas: Int, readyReplicas: Int?, observedAt: Date, version: String? = nil) {
        self.desiredReplicas = desiredReplicas
        self.readyReplicas = readyReplicas
        self.observedAt = observedAt
        self.version = version
    }
}

/// What `apply` did.
public enum ApplyOutcome: Sendable, Equatable {
    /// The workload was already at the requested count: nothing was written.
    case unchanged(replicas: Int)
    /// The count was written.
    case scaled(from: Int, to: Int)
    /// This replica is not the leader: nothing was written (see `LeaderGatedOrchestrator`).
    case notLeader
}

/// The narrow interface between the decision loop and the thing that runs the workload.
///
/// One value is bound to one target (a Deployment, a command pair, a webhook name, a local pool).
/// Every error thrown is an `OrchestratorError`.
public protocol Orchestrator: Sendable {
    /// Reads the desired and ready replicas. Read-only.
    func currentScale() async throws -> WorkloadScale
    /// Makes the workload's desired count `replicas`. Idempotent: writes nothing when already there.
    /// `decision` is passed to adapters that forward the explanation (webhook); may be `nil`.
    func apply(replicas: Int, decision: Decision?) async throws -> ApplyOutcome
    /// Like `apply(replicas:decision:)`, after this process read `observed` in the same tick: an
    /// adapter may write against that read instead of reading again (Kubernetes patches with its
    /// `resourceVersion`; a conflict re-reads). The default reads again.
    func apply(replicas: Int, decision: Decision?, observed: WorkloadScale) async throws -> ApplyOutcome
    /// One line naming the target for the status API and logs, e.g. `kubernetes deployments/shop/web`.
    var targetDescription: String { get }
}

extension Orchestrator {
    public func apply(replicas: Int, decision: Decision?, observed: WorkloadScale) async throws -> ApplyOutcome {
        try await apply(replicas: replicas, decision: decision)
    }
}
