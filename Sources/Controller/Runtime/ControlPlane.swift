import DecisionStorage
import ForescaleConfig
import Pipeline

/// What people decide about the controller at run time: the global mode, each target's mode and
/// each target's override, and the rules they follow. A value; the runtime persists, audits and
/// logs each change it makes (`ControllerRuntime+Control.swift`).
struct ControlPlane: Sendable, Equatable {
    /// The global mode switched through the API; nil: `controller.mode` from the config.
    var globalMode: RunMode?
    /// Per-target modes switched through the API.
    var targetModes: [String: RunMode]
    var overrides: [String: TargetOverride]
    /// Each target's `mode` from the config, when it sets one, and `controller.mode`.
    private(set) var configuredModes: [String: RunMode] = [:]
    private(set) var configuredGlobalMode: RunMode = .shadow

    init(persisted: PersistedControllerState, config: Config) {
        globalMode = persisted.globalMode
        targetModes = persisted.targetModes
        overrides = persisted.overrides
        configure(config)
    }

    /// Takes the modes a new config declares.
    mutating func configure(_ config: Config) {
        configuredGlobalMode = config.controller.mode
        configuredModes = [:]
        for target in config.targets {
            if let mode = target.mode { configuredModes[target.name] = mode }
        }
    }

    var effectiveGlobalMode: RunMode { globalMode ?? configuredGlobalMode }

    /// The mode a target runs in: a per-target switch from the API, else the target's `mode` in
    /// the config, else the global mode (the API's switch, else `controller.mode`).
    func mode(of target: String) -> (mode: RunMode, source: String) {
        if let mode = targetModes[target] { return (mode, "target") }
        if let configured = configuredModes[target] { return (configured, "config") }
        return (effectiveGlobalMode, "global")
    }

    /// The override in force for `target` at `now`.
    func activeOverride(_ target: String, now: Double) -> TargetOverride? {
        overrides[target].flatMap { $0.isActive(now: now) ? $0 : nil }
    }

    /// Removes and returns `target`'s override when it has expired by `now`.
    mutating func takeExpiredOverride(_ target: String, now: Double) -> TargetOverride? {
        guard let override = overrides[target], !override.isActive(now: now) else { return nil }
        overrides[target] = nil
        return override
    }

    /// The override `request` asks for on `target` at `now`, or why it cannot be: a duration of
    /// 1m to 7d in the config's grammar; a pin needs replicas within the target's bounds (409
    /// outside them: well formed, refused by the config), only a pin takes replicas.
    static func override(_ request: OverrideRequest, on target: TargetConfig, now: Double) throws(ControlError) -> TargetOverride {
        let seconds: Double
        switch ConfigValues.duration(request.duration) {
        case .failure(let error): throw ControlError(.badRequest, parameter: "duration", error.message)
        case .success(let value): seconds = value
        }
        guard TargetOverride.durationRange.contains(seconds) else {
            throw ControlError(.badRequest, parameter: "duration", "must be 1m to 7d, got \(request.duration)")
        }
        if request.kind == .pin {
            guard let replicas = request.replicas else {
                throw ControlError(.badRequest, parameter: "replicas", "a pin needs replicas")
            }
            let bounds = target.policy.minReplicas...target.policy.maxReplicas
            guard bounds.contains(replicas) else {
                throw ControlError(
                    .conflict, parameter: "replicas",
                    "must be \(bounds.lowerBound)–\(bounds.upperBound) (replicas.min–replicas.max of \(target.name)), got \(replicas)")
            }
        } else if request.replicas != nil {
            throw ControlError(.badRequest, parameter: "replicas", "only a pin takes replicas")
        }
        return TargetOverride(
            kind: request.kind, replicas: request.replicas, untilSeconds: now + seconds, reason: request.reason, createdAtSeconds: now)
    }
}
