import DecisionStorage
import Pipeline
import Planner
import Synchronization

/// The shadow scorecard of one target over a window: what going live would have changed.
///
/// Computed from the decision log (`Scorecard.compute`). Replica-hours integrate each count from
/// one decision to the next (the last one to the window's end, at most one staleness period).
public struct Scorecard: Sendable, Equatable, Codable {
    public var target: String
    public var fromSeconds: Double
    public var toSeconds: Double
    public var decisions: Int
    /// What actually ran (the workload's observed count).
    public var actualReplicaHours: Double
    /// What the controller asked for (applied in live mode, recorded in shadow mode).
    public var plannedReplicaHours: Double
    /// planned − actual: negative means going live would have saved replica-hours.
    public var replicaHoursDifference: Double
    /// What the reactive baseline (KEDA maths under HPA behaviour) asked for.
    public var reactiveReplicaHours: Double?
    /// Minutes in which the observed lag broke the latency SLO.
    public var sloBreachMinutes: Double
    /// … of which the plan had more replicas than what ran (live would likely have helped).
    public var sloBreachMinutesPlanHadMore: Double
    /// Minutes in which the plan had fewer replicas than what ran and the observed lag broke the SLO
    /// (live would likely have been worse).
    public var sloBreachMinutesPlanHadLess: Double
    /// Changes of the count: what ran, what the plan asked for, what the reactive baseline asked for.
    public var actualActions: Int
    public var plannedActions: Int
    public var reactiveActions: Int
    /// Forecast accuracy over the window: MASE of the median at the decision horizon against the
    /// naive forecast, and the share of observed rates at or below the upper quantile.
    public var forecastMASE: Double?
    public var forecastCoverage: Double?
    public var forecastQuantile: Double?
    /// How many forecasts could be scored (their horizon fell inside the window).
    public var forecastsScored: Int

    public init(
        target: String, fromSeconds: Double, toSeconds: Double, decisions: Int, actualReplicaHours: Double,
        plannedReplicaHours: Double, replicaHoursDifference: Double, reactiveReplicaHours: Double?, sloBreachMinutes: Double,
        sloBreachMinutesPlanHadMore: Double, sloBreachMinutesPlanHadLess: Double, actualActions: Int, plannedActions: Int,
        reactiveActions: Int, forecastMASE: Double?, forecastCoverage: Double?, forecastQuantile: Double?, forecastsScored: Int
    ) {
        self.target = target
        self.fromSeconds = fromSeconds
        self.toSeconds = toSeconds
        self.decisions = decisions
        self.actualReplicaHours = actualReplicaHours
        self.plannedReplicaHours = plannedReplicaHours
        self.replicaHoursDifference = replicaHoursDifference
        self.reactiveReplicaHours = reactiveReplicaHours
        self.sloBreachMinutes = sloBreachMinutes
        self.sloBreachMinutesPlanHadMore = sloBreachMinutesPlanHadMore
        self.sloBreachMinutesPlanHadLess = sloBreachMinutesPlanHadLess
        self.actualActions = actualActions
        self.plannedActions = plannedActions
        self.reactiveActions = reactiveActions
        self.forecastMASE = forecastMASE
        self.forecastCoverage = forecastCoverage
        self.forecastQuantile = forecastQuantile
        self.forecastsScored = forecastsScored
    }
}

/// One line per target in `/v1/status` and `/v1/targets`.
public struct TargetSummary: Sendable, Equatable, Codable {
    public var name: String
    /// The mode the target runs in now.
    public var mode: RunMode
    /// `target` when a per-target mode is set, else `global`.
    public var modeSource: String
    /// The scaled workload, e.g. `kubernetes deployments/shop/web`.
    public var workload: String
    public var currentReplicas: Int?
    /// The last decision's final count.
    public var desiredReplicas: Int?
    public var reactiveReplicas: Int?
    public var safety: SafetyState
    public var lastDecisionSeconds: Double?
    public var lastExplanation: String?
    public var override: TargetOverride?
    public var consecutiveFailures: Int
    /// The most recent failure, until a tick succeeds again.
    public var lastFailure: TargetFailure?
    /// Live ticks in a row whose write of the count failed (403, unreachable, deadline): the
    /// workload is not being scaled although the decisions say so. A successful write, or shadow
    /// mode, resets it.
    public var consecutiveWriteFailures: Int
    /// The last failed write, while `consecutiveWriteFailures` > 0.
    public var lastWriteFailure: TargetFailure?
    /// A target that scales to zero: asleep since when, idle for how long, what wakes it (from the
    /// last decision); `nil` for the others.
    public var sleep: SleepInputs?

    public init(
        name: String, mode: RunMode, modeSource: String, workload: String, currentReplicas: Int? = nil, desiredReplicas: Int? = nil,
        reactiveReplicas: Int? = nil, safety: SafetyState = .normal, lastDecisionSeconds: Double? = nil, lastExplanation: String? = nil,
        override: TargetOverride? = nil, consecutiveFailures: Int = 0, lastFailure: TargetFailure? = nil,
        consecutiveWriteFailures: Int = 0, lastWriteFailure: TargetFailure? = nil, sleep: SleepInputs? = nil
    ) {
        self.sleep = sleep
        self.consecutiveWriteFailures = consecutiveWriteFailures
        self.lastWriteFailure = lastWriteFailure
        self.name = name
        self.mode = mode
        self.modeSource = modeSource
        self.workload = workload
        self.currentReplicas = currentReplicas
        self.desiredReplicas = desiredReplicas
        self.reactiveReplicas = reactiveReplicas
        self.safety = safety
        self.lastDecisionSeconds = lastDecisionSeconds
        self.lastExplanation = lastExplanation
        self.override = override
        self.consecutiveFailures = consecutiveFailures
        self.lastFailure = lastFailure
    }
}

/// One point of the forecast band for the next hour.
public struct ForecastPoint: Sendable, Equatable, Codable {
    public var timeSeconds: Double
    public var p50: Double
    public var upper: Double

    public init(timeSeconds: Double, p50: Double, upper: Double) {
        self.timeSeconds = timeSeconds
        self.p50 = p50
        self.upper = upper
    }
}

/// The forecaster's view of a target.
public struct ForecastView: Sendable, Equatable, Codable {
    public var model: String?
    /// `none`, `warning`, `drift` (the drift detector's state).
    public var drift: String
    public var upperQuantile: Double
    /// Observed buckets in the forecaster's memory.
    public var history: Int
    /// The next hour, every 5 minutes; empty while warming up.
    public var nextHour: [ForecastPoint]

    public init(model: String?, drift: String, upperQuantile: Double, history: Int, nextHour: [ForecastPoint]) {
        self.model = model
        self.drift = drift
        self.upperQuantile = upperQuantile
        self.history = history
        self.nextHour = nextHour
    }
}

/// `/v1/targets/{name}`.
public struct TargetDetail: Sendable, Equatable, Codable {
    public var summary: TargetSummary
    public var lastDecision: DecisionRecord?
    public var forecast: ForecastView
    public var scorecard: Scorecard?
    /// Recent audit events of this target, newest first.
    public var audit: [AuditEvent]

    public init(summary: TargetSummary, lastDecision: DecisionRecord?, forecast: ForecastView, scorecard: Scorecard?, audit: [AuditEvent]) {
        self.summary = summary
        self.lastDecision = lastDecision
        self.forecast = forecast
        self.scorecard = scorecard
        self.audit = audit
    }
}

/// `/v1/status`.
public struct StatusSnapshot: Sendable, Equatable, Codable {
    public var version: String
    /// The global mode.
    public var mode: RunMode
    /// Whether this replica may act (always true without leader election).
    public var leader: Bool
    /// Increases on every accepted config (re)load.
    public var configGeneration: Int
    public var configPath: String
    /// Why the last reload was rejected (the old config keeps running), until a reload succeeds.
    public var configError: String?
    public var ready: Bool
    public var startedAtSeconds: Double
    public var ticks: Int
    /// Decision-log rows dropped because the write queue was full (0 under normal load).
    public var droppedDecisions: Int
    public var targets: [TargetSummary]
    /// With leader election: who holds the lease as last seen.
    public var leaderIdentity: String?
    /// With leader election: why the last attempts could not read or write the lease (this
    /// replica then never leads), until an attempt succeeds.
    public var leaseError: String?

    public init(
        version: String, mode: RunMode, leader: Bool, configGeneration: Int, configPath: String, configError: String?, ready: Bool,
        startedAtSeconds: Double, ticks: Int, droppedDecisions: Int, targets: [TargetSummary], leaderIdentity: String? = nil,
        leaseError: String? = nil
    ) {
        self.leaderIdentity = leaderIdentity
        self.leaseError = leaseError
        self.version = version
        self.mode = mode
        self.leader = leader
        self.configGeneration = configGeneration
        self.configPath = configPath
        self.configError = configError
        self.ready = ready
        self.startedAtSeconds = startedAtSeconds
        self.ticks = ticks
        self.droppedDecisions = droppedDecisions
        self.targets = targets
    }
}

/// `POST /v1/targets/{name}/override` body: `{"kind": "pin", "replicas": 5, "duration": "30m", "reason": "…"}`.
public struct OverrideRequest: Sendable, Equatable, Codable {
    public var kind: TargetOverride.Kind
    public var replicas: Int?
    /// A duration in the config syntax (`30m`, `2h`), 1 minute to 7 days.
    public var duration: String
    public var reason: String?

    public init(kind: TargetOverride.Kind, replicas: Int? = nil, duration: String, reason: String? = nil) {
        self.kind = kind
        self.replicas = replicas
        self.duration = duration
        self.reason = reason
    }
}

/// What the status API reads and changes. The controller implements it; tests use a fake.
public protocol StatusBackend: Sendable {
    func status() async -> StatusSnapshot
    func targetSummaries() async -> [TargetSummary]
    /// - Parameter scorecardWindowSeconds: 1 h to 14 d.
    func targetDetail(name: String, scorecardWindowSeconds: Double) async throws(ControlError) -> TargetDetail
    func decisions(_ query: DecisionQuery) async throws(ControlError) -> DecisionPage
    /// `target == nil` switches the global mode. Audited and persisted before returning.
    /// Returns the target's (or the global) mode after the change.
    func setMode(_ mode: RunMode, target: String?, actor: String) async throws(ControlError) -> RunMode
    func setOverride(_ request: OverrideRequest, target: String, actor: String) async throws(ControlError) -> TargetOverride
    func clearOverride(target: String, actor: String) async throws(ControlError)
    /// Ready after the first complete tick of every target.
    func isReady() async -> Bool
    /// The target's decisions over the last `windowSeconds` (5 min to 14 d), downsampled for a chart.
    func series(name: String, windowSeconds: Double) async throws(ControlError) -> TargetSeries
    /// Counts changes of what `status()` shows, readable without awaiting the backend; `nil` (the
    /// default) means every `GET /v1/status` asks `status()` afresh.
    var statusVersion: StatusVersion? { get }
}

extension StatusBackend {
    public var statusVersion: StatusVersion? { nil }
}

/// Counts changes of the status snapshot, so that `GET /v1/status` can answer from a cached body.
///
/// `changes` counts what a reader must see at once (a mode switch, an override, a reload, a safety
/// transition); `ticks` counts tick results, which the API may show up to its cache age late.
public final class StatusVersion: Sendable {
    public struct Count: Sendable, Equatable {
        public var changes = 0
        public var ticks = 0

        public init(changes: Int = 0, ticks: Int = 0) {
            self.changes = changes
            self.ticks = ticks
        }
    }

    private let count = Mutex(Count())

    public init() {}

    public var current: Count { count.withLock { $0 } }
    public func noteChange() { count.withLock { $0.changes += 1 } }
    public func noteTick() { count.withLock { $0.ticks += 1 } }
}
