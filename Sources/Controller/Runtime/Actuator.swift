import Orchestrators
import Pipeline
import Planner

/// What acting on a decision did.
public struct ActOutcome: Sendable, Equatable {
    /// Whether the workload's count was changed.
    public var applied: Bool
    /// The orchestrator's answer, or what shadow mode would have done.
    public var answer: String
    /// The orchestrator's error kind (`conflict`, `forbidden`, …) when it failed.
    public var failureKind: String?

    public init(applied: Bool, answer: String, failureKind: String? = nil) {
        self.applied = applied
        self.answer = answer
        self.failureKind = failureKind
    }
}

/// The last step of a tick. Shadow mode is a different actuator, not a branch in the loop.
public protocol Actuator: Sendable {
    var mode: RunMode { get }
    /// - Parameter observed: the workload's scale as this tick read it.
    func act(replicas: Int, observed: WorkloadScale, decision: Decision) async -> ActOutcome
}

/// Applies the count through the target's orchestrator.
public struct LiveActuator: Actuator {
    let orchestrator: any Orchestrator

    public init(orchestrator: any Orchestrator) { self.orchestrator = orchestrator }

    public var mode: RunMode { .live }

    public func act(replicas: Int, observed: WorkloadScale, decision: Decision) async -> ActOutcome {
        do {
            switch try await orchestrator.apply(replicas: replicas, decision: decision, observed: observed) {
            case .scaled(let from, let to): return ActOutcome(applied: true, answer: "scaled \(from)→\(to)")
            case .unchanged(let count): return ActOutcome(applied: false, answer: "unchanged \(count)")
            case .notLeader: return ActOutcome(applied: false, answer: "not leader: nothing written")
            }
        } catch let error as OrchestratorError {
            return ActOutcome(applied: false, answer: "error: \(error)", failureKind: error.label)
        } catch {
            return ActOutcome(applied: false, answer: "error: \(error)", failureKind: "unknown")
        }
    }
}

/// Records what live mode would have done and touches nothing.
public struct ShadowActuator: Actuator {
    public init() {}

    public var mode: RunMode { .shadow }

    public func act(replicas: Int, observed: WorkloadScale, decision: Decision) async -> ActOutcome {
        let current = observed.desiredReplicas
        return ActOutcome(applied: false, answer: replicas == current ? "shadow: no change" : "shadow: would scale \(current)→\(replicas)")
    }
}
