import Controller
import Pipeline
import Foundation

/// The generated `APIProtocol`: mode switches and overrides (audited and persisted by the backend).
/// `RequestGate` has already authenticated the caller and checked the body is one JSON object
/// without duplicate keys; the generated decoding refused unknown fields and wrong types.
extension StatusAPI {
    func setMode(_ input: Operations.SetMode.Input) async throws -> Operations.SetMode.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("body", "a JSON object body is required") }
        let result = try await backend.setMode(Self.runMode(body.mode), target: nil, actor: Self.actor)
        return .ok(.init(body: .json(.init(mode: Self.runMode(result)))))
    }

    func setTargetMode(_ input: Operations.SetTargetMode.Input) async throws -> Operations.SetTargetMode.Output {
        let name = try Self.targetName(input.path.name)
        guard case .json(let body) = input.body else { throw APIError.badRequest("body", "a JSON object body is required") }
        let result = try await backend.setMode(Self.runMode(body.mode), target: name, actor: Self.actor)
        return .ok(.init(body: .json(.init(target: name, mode: Self.runMode(result)))))
    }

    func setOverride(_ input: Operations.SetOverride.Input) async throws -> Operations.SetOverride.Output {
        let name = try Self.targetName(input.path.name)
        guard case .json(let body) = input.body else { throw APIError.badRequest("body", "a JSON object body is required") }
        let override = try Self.overrideRequest(body)
        return .ok(.init(body: .json(try await backend.setOverride(override, target: name, actor: Self.actor))))
    }

    func clearOverride(_ input: Operations.ClearOverride.Input) async throws -> Operations.ClearOverride.Output {
        let name = try Self.targetName(input.path.name)
        try await backend.clearOverride(target: name, actor: Self.actor)
        return .noContent(.init())
    }

    /// The override of a decoded body, with the rules the document states but the generated
    /// decoding does not check: `replicas` for `pin` only, its bounds, the duration's, `reason`'s length.
    static func overrideRequest(_ body: Components.Schemas.OverrideRequest) throws -> OverrideRequest {
        guard let kind = TargetOverride.Kind(rawValue: body.kind.rawValue) else {
            throw APIError.badRequest("kind", "kind must be one of \(TargetOverride.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let replicas = body.replicas {
            guard kind == .pin else { throw APIError.badRequest("replicas", "replicas is only for pin") }
            guard (0...100_000).contains(replicas) else { throw APIError.badRequest("replicas", "replicas must be an integer from 0 to 100000") }
        } else if kind == .pin {
            throw APIError.badRequest("replicas", "replicas is required for pin")
        }
        guard apiDuration(body.duration, range: overrideDurationRange) != nil else {
            throw APIError.badRequest("duration", durationProblem("duration", body.duration, range: overrideDurationRange))
        }
        if let reason = body.reason, reason.unicodeScalars.count > 1000 {
            throw APIError.badRequest("reason", "reason must be at most 1000 characters")
        }
        return OverrideRequest(kind: kind, replicas: body.replicas, duration: body.duration, reason: body.reason)
    }

    static func runMode(_ mode: Components.Schemas.RunMode) -> RunMode {
        switch mode {
        case .live: .live
        case .shadow: .shadow
        }
    }

    static func runMode(_ mode: RunMode) -> Components.Schemas.RunMode {
        switch mode {
        case .live: .live
        case .shadow: .shadow
        }
    }
}
