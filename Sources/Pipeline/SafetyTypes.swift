/// The controller's safety settings of one target (`targets[].fallback`, `targets[].forecast.maxError`
/// and `tripOnDrift`).
public struct SafetyPolicy: Sendable, Equatable, Codable {
    /// Consecutive failed ticks (a metric or the scale could not be read) before the fallback applies.
    public var fallbackAfter = 3
    /// The fallback count; `nil` keeps the current count.
    public var fallbackReplicas: Int?
    /// Whether a fixed fallback count may be below the current count (never by default).
    public var fallbackScaleDown = false
    /// The forecast circuit breaker opens when the recent forecast error exceeds this multiple of
    /// the naive forecast's error (a rolling MASE over the last scored forecasts).
    public var maxForecastError = 1.5
    /// The circuit breaker also opens while the forecaster reports drift.
    public var tripOnDrift = true

    public init() {}
}


/// A human override of one target, until `untilSeconds` (Unix seconds).
public struct TargetOverride: Sendable, Equatable, Codable {
    /// How long an override may last: 1 minute to 7 days (the control plane's rule, the status
    /// API's check and its document's pattern).
    public static let durationRange: ClosedRange<Double> = 60...(7 * 86_400)

    public enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
        /// Keep the workload at `replicas`, whatever the plan says.
        case pin
        /// Let the plan scale up, never down.
        case pauseScaleDown
        /// Change nothing at all (decisions are still made and recorded).
        case pause
    }

    public var kind: Kind
    /// The pinned count; set for `pin` only.
    public var replicas: Int?
    public var untilSeconds: Double
    /// Free text from whoever set it, for the audit log.
    public var reason: String?
    public var createdAtSeconds: Double

    public init(kind: Kind, replicas: Int? = nil, untilSeconds: Double, reason: String? = nil, createdAtSeconds: Double) {
        self.kind = kind
        self.replicas = replicas
        self.untilSeconds = untilSeconds
        self.reason = reason
        self.createdAtSeconds = createdAtSeconds
    }

    public func isActive(now: Double) -> Bool { now < untilSeconds }
}

/// What the controller's safety layer did to a decision after `decide`.
public enum SafetyState: String, Sendable, Equatable, Codable, CaseIterable {
    /// The plan went through untouched.
    case normal
    /// A metric failed or was stale this tick: the count is held (only the reactive floor may raise it).
    case holding
    /// N consecutive failures: the configured fallback applies.
    case fallback
    /// Recent forecast error or drift: the target runs on the reactive baseline only.
    case reactiveOnly = "reactive_only"
    /// A human override applied.
    case overridden
}

/// The last failure of a target's tick, for the status API.
public struct TargetFailure: Sendable, Equatable, Codable {
    /// `source` (a metric read), `orchestrator` (reading or applying the scale), `deadline`, `log`.
    public var stage: String
    /// The metric, for a source failure.
    public var metric: String?
    /// The error kind: a `FetchErrorKind` raw value (`timeout`, `connect`, `http`, …) or an orchestrator error kind.
    public var kind: String
    public var message: String
    public var atSeconds: Double

    public init(stage: String, metric: String? = nil, kind: String, message: String, atSeconds: Double) {
        self.stage = stage
        self.metric = metric
        self.kind = kind
        self.message = message
        self.atSeconds = atSeconds
    }
}
