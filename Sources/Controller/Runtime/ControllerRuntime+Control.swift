import DecisionStorage
import Pipeline

/// The runtime's control plane: switching modes and setting or clearing overrides through the
/// API, each checked by `ControlPlane`, persisted, audited and logged.
extension ControllerRuntime {
    public func setMode(_ mode: RunMode, target: String?, actor: String) async throws(ControlError) -> RunMode {
        let now = now()
        if let target {
            guard workers[target] != nil else { throw ControlError(.notFound, parameter: "name", "no target named '\(target)'") }
            let before = control.mode(of: target).mode
            do { try deps.store.saveTargetMode(mode, target: target) } catch {
                throw ControlError(.unavailable, "could not persist the mode: \(error)")
            }
            control.targetModes[target] = mode
            audit(AuditEvent(timeSeconds: now, target: target, kind: .mode, detail: "mode \(before.rawValue) → \(mode.rawValue)", actor: actor))
            deps.logger.notice(
                "target mode switched", metadata: ["target": "\(target)", "from": "\(before.rawValue)", "to": "\(mode.rawValue)", "actor": "\(actor)"])
            return mode
        }
        let before = control.effectiveGlobalMode
        do { try deps.store.saveGlobalMode(mode) } catch {
            throw ControlError(.unavailable, "could not persist the mode: \(error)")
        }
        control.globalMode = mode
        audit(AuditEvent(timeSeconds: now, target: nil, kind: .mode, detail: "global mode \(before.rawValue) → \(mode.rawValue)", actor: actor))
        deps.logger.notice("global mode switched", metadata: ["from": "\(before.rawValue)", "to": "\(mode.rawValue)", "actor": "\(actor)"])
        return mode
    }

    public func setOverride(_ request: OverrideRequest, target: String, actor: String) async throws(ControlError) -> TargetOverride {
        guard let targetConfig = config.targets.first(where: { $0.name == target }) else {
            throw ControlError(.notFound, parameter: "name", "no target named '\(target)'")
        }
        let now = now()
        let override = try ControlPlane.override(request, on: targetConfig, now: now)
        do { try deps.store.saveOverride(override, target: target) } catch {
            throw ControlError(.unavailable, "could not persist the override: \(error)")
        }
        control.overrides[target] = override
        let what = request.kind == .pin ? "pin \(request.replicas ?? 0)" : request.kind.rawValue
        let why = request.reason.map { ": \($0)" } ?? ""
        audit(AuditEvent(timeSeconds: now, target: target, kind: .override, detail: "override \(what) for \(request.duration)\(why)", actor: actor))
        deps.logger.notice("override set", metadata: ["target": "\(target)", "override": "\(what)", "duration": "\(request.duration)", "actor": "\(actor)"])
        return override
    }

    public func clearOverride(target: String, actor: String) async throws(ControlError) {
        guard workers[target] != nil else { throw ControlError(.notFound, parameter: "name", "no target named '\(target)'") }
        // Clearing is idempotent: no override, nothing to do (204, as the OpenAPI document says).
        guard let existing = control.overrides[target] else { return }
        do { try deps.store.saveOverride(nil, target: target) } catch {
            throw ControlError(.unavailable, "could not persist the override: \(error)")
        }
        control.overrides[target] = nil
        audit(AuditEvent(timeSeconds: now(), target: target, kind: .override, detail: "override \(existing.kind.rawValue) removed", actor: actor))
    }
}
