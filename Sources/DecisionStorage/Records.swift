import Pipeline
import Planner

/// One row of the decision log: everything needed to explain and score one tick of one target.
public struct DecisionRecord: Sendable, Equatable, Codable {
    /// Assigned by the log when the row is committed (monotonic); `nil` before.
    public var id: Int64?
    public var target: String
    /// The tick's time, Unix seconds.
    public var timeSeconds: Double
    /// The mode the target ran in for this tick.
    public var mode: RunMode
    /// The decision core's answer (inputs, forecast, reasons, explanation) before safety and overrides.
    public var decision: Decision
    /// The count the controller asked for after safety and overrides (what live mode applies).
    public var finalReplicas: Int
    public var safety: SafetyState
    /// Why safety or an override changed or held the count; empty when `safety == .normal`.
    public var safetyNote: String
    /// The model that made the forecast, when one was made (also when the plan did not use it).
    public var model: String?
    /// The forecast the forecaster had this tick, used or not.
    public var forecast: ForecastInput?
    /// Failed metric reads this tick: metric name → "kind: message".
    public var fetchErrors: [String: String]
    /// Whether the orchestrator was asked to change the count and did.
    public var applied: Bool
    /// The orchestrator's answer: `scaled 3→5`, `unchanged 3`, `not leader`, `error: …`,
    /// or in shadow mode `shadow: would scale 3→5` / `shadow: no change`.
    public var orchestratorAnswer: String
    /// The target's latency SLO and capacity per replica at the time, for the scorecard.
    public var latencySLOSeconds: Double
    public var capacityPerReplica: Double?

    public init(
        id: Int64? = nil, target: String, timeSeconds: Double, mode: RunMode, decision: Decision, finalReplicas: Int,
        safety: SafetyState, safetyNote: String = "", model: String?, forecast: ForecastInput?, fetchErrors: [String: String] = [:],
        applied: Bool, orchestratorAnswer: String, latencySLOSeconds: Double, capacityPerReplica: Double?
    ) {
        self.id = id
        self.target = target
        self.timeSeconds = timeSeconds
        self.mode = mode
        self.decision = decision
        self.finalReplicas = finalReplicas
        self.safety = safety
        self.safetyNote = safetyNote
        self.model = model
        self.forecast = forecast
        self.fetchErrors = fetchErrors
        self.applied = applied
        self.orchestratorAnswer = orchestratorAnswer
        self.latencySLOSeconds = latencySLOSeconds
        self.capacityPerReplica = capacityPerReplica
    }
}

/// An audited change: a mode switch, an override, a fallback or circuit-breaker transition, a reload.
public struct AuditEvent: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
        case mode
        case override
        case safety
        case config
    }

    public var id: Int64?
    public var timeSeconds: Double
    /// `nil` for controller-wide events.
    public var target: String?
    public var kind: Kind
    /// One line: `mode shadow → live`, `override pin 5 until …`, `fallback: 3 consecutive failures (lag: timeout)`.
    public var detail: String
    /// Who: `api` (token holder), `controller` (automatic), `config`.
    public var actor: String

    public init(id: Int64? = nil, timeSeconds: Double, target: String?, kind: Kind, detail: String, actor: String) {
        self.id = id
        self.timeSeconds = timeSeconds
        self.target = target
        self.kind = kind
        self.detail = detail
        self.actor = actor
    }
}

/// What survives a restart besides the decisions: modes, overrides and each target's planner state.
public struct PersistedControllerState: Sendable, Equatable, Codable {
    /// `nil` when never switched through the API: the config's `controller.mode` applies.
    public var globalMode: RunMode?
    /// Per-target mode overrides; a target absent here follows the global mode.
    public var targetModes: [String: RunMode]
    public var overrides: [String: TargetOverride]
    /// Each target's `PlannerState` (windows, scale events, learned capacity), as last saved.
    public var plannerStates: [String: PlannerState]

    public init(
        globalMode: RunMode? = nil, targetModes: [String: RunMode] = [:], overrides: [String: TargetOverride] = [:],
        plannerStates: [String: PlannerState] = [:]
    ) {
        self.globalMode = globalMode
        self.targetModes = targetModes
        self.overrides = overrides
        self.plannerStates = plannerStates
    }
}

/// A page of the decision log, newest first.
public struct DecisionPage: Sendable, Equatable {
    public var decisions: [DecisionRecord]
    /// Pass back as `cursor` for the next (older) page; `nil` at the end.
    public var nextCursor: String?

    public init(decisions: [DecisionRecord], nextCursor: String?) {
        self.decisions = decisions
        self.nextCursor = nextCursor
    }
}

/// A query of the decision log. Times are Unix seconds; `since` inclusive, `until` exclusive.
public struct DecisionQuery: Sendable, Equatable {
    public var target: String?
    public var sinceSeconds: Double?
    public var untilSeconds: Double?
    /// 1…1000.
    public var limit: Int
    /// From a previous page's `nextCursor`.
    public var cursor: String?

    public init(target: String? = nil, sinceSeconds: Double? = nil, untilSeconds: Double? = nil, limit: Int = 100, cursor: String? = nil) {
        self.target = target
        self.sinceSeconds = sinceSeconds
        self.untilSeconds = untilSeconds
        self.limit = limit
        self.cursor = cursor
    }
}
