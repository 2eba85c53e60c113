import Foundation

/// What `forescale probe` prints for one target: a read-only look at its scale through its orchestrator.
public struct ScaleProbeResult: Sendable, Equatable {
    public var target: String
    public var scale: WorkloadScale?
    public var error: OrchestratorError?

    /// One line, e.g. `ok    kubernetes apps/v1 deployments shop/web: desired 3, ready 2`
    /// or `error kubernetes …: forbidden: 403 Forbidden on GET …`.
    public var line: String {
        if let scale {
            let ready = scale.readyReplicas.map(String.init) ?? "unknown"
            return "ok    \(target): desired \(scale.desiredReplicas), ready \(ready)"
        }
        return "error \(target): \(error?.description ?? "no answer")"
    }
}

public enum ScaleProbe {
    /// Reads the current scale; never writes. Errors are returned, not thrown.
    public static func probe(_ orchestrator: any Orchestrator) async -> ScaleProbeResult {
        do {
            let scale = try await orchestrator.currentScale()
            return ScaleProbeResult(target: orchestrator.targetDescription, scale: scale, error: nil)
        } catch let error as OrchestratorError {
            return ScaleProbeResult(target: orchestrator.targetDescription, scale: nil, error: error)
        } catch {
            return ScaleProbeResult(target: orchestrator.targetDescription, scale: nil, error: OrchestratorError(.connection, "\(error)"))
        }
    }
}
