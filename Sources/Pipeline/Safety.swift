import Planner

/// What the controller remembers of one target between ticks, besides the planner's state:
/// consecutive failures, the fallback and the forecast circuit breaker. Pure value, no clock.
public struct SafetyMemory: Sendable, Equatable, Codable {
    /// Ticks in a row in which a metric or the scale could not be read.
    public var consecutiveFailures = 0
    public var fallbackActive = false
    public var circuitOpen = false
    /// Why the circuit is open (`forecast error 2.10 × naive > 1.5`, `drift detected`).
    public var circuitReason: String?
    /// Forecasts waiting for the observation at their horizon.
    var pending: [PendingForecast] = []
    /// The last scored forecasts: (|p50 − actual|, |naive − actual|).
    var scored: [ScoredForecast] = []

    public init() {}

    /// Forecasts scored before the circuit breaker judges the error (fewer: too early to tell).
    public static let minimumScored = 10
    /// The rolling window of scored forecasts.
    public static let window = 30
    static let maxPending = 1_000

    /// Σ forecast errors / Σ naive errors over the window; `nil` while fewer than `minimumScored`
    /// or when the naive forecast was perfect.
    public var rollingError: Double? {
        guard scored.count >= Self.minimumScored else { return nil }
        let naive = scored.reduce(0) { $0 + $1.naive }
        guard naive > 0 else { return nil }
        return scored.reduce(0) { $0 + $1.forecast } / naive
    }
}

struct PendingForecast: Sendable, Equatable, Codable {
    var dueSeconds: Double
    var p50: Double
    /// The rate observed when the forecast was made: the naive forecast.
    var naive: Double
}

struct ScoredForecast: Sendable, Equatable, Codable {
    var forecast: Double
    var naive: Double
}

/// The safety layer between `decide` and the actuator: fallback after repeated failures, the
/// forecast circuit breaker and human overrides. Pure: no I/O, no clock reads.
public enum Safety {
    /// A change of the target's safety state, for the audit log.
    public struct Transition: Sendable, Equatable {
        /// What changed, for Events and alerts.
        public enum Kind: String, Sendable, Equatable {
            case fallbackEntered, fallbackLeft, circuitOpened, circuitClosed
        }
        public var kind: Kind
        public var state: SafetyState
        public var detail: String
    }

    /// Scores forecasts whose horizon has come, records the forecast made now, and opens or
    /// closes the circuit breaker. Returns whether the plan may use the forecast this tick, and
    /// the circuit's transition if it changed.
    public static func judgeForecast(
        memory: inout SafetyMemory, observedRate: Double?, forecast: ForecastInput?, drifting: Bool,
        policy: SafetyPolicy, now: Double
    ) -> (useForecast: Bool, transition: Transition?) {
        if let rate = observedRate, rate.isFinite, rate >= 0 {
            var keep: [PendingForecast] = []
            for item in memory.pending {
                if item.dueSeconds <= now {
                    memory.scored.append(ScoredForecast(forecast: abs(item.p50 - rate), naive: abs(item.naive - rate)))
                } else {
                    keep.append(item)
                }
            }
            memory.pending = keep
            if memory.scored.count > SafetyMemory.window { memory.scored.removeFirst(memory.scored.count - SafetyMemory.window) }
            if let forecast, forecast.p50.isFinite {
                memory.pending.append(PendingForecast(dueSeconds: now + forecast.horizonSeconds, p50: forecast.p50, naive: rate))
                if memory.pending.count > SafetyMemory.maxPending { memory.pending.removeFirst() }
            }
        }
        var reason: String?
        if let error = memory.rollingError, error > policy.maxForecastError {
            reason = "forecast error \(format(error)) × naive > \(format(policy.maxForecastError)) over the last \(memory.scored.count) forecasts"
        } else if policy.tripOnDrift, drifting {
            reason = "the forecaster detected drift"
        }
        var transition: Transition?
        if let reason, !memory.circuitOpen {
            memory.circuitOpen = true
            transition = Transition(kind: .circuitOpened, state: .reactiveOnly, detail: "circuit open: \(reason); forecasts off until they recover")
        } else if reason == nil, memory.circuitOpen {
            memory.circuitOpen = false
            let error = memory.rollingError.map { " (error \(format($0)) × naive)" } ?? ""
            transition = Transition(kind: .circuitClosed, state: .normal, detail: "circuit closed: forecasts recovered\(error)")
        }
        memory.circuitReason = reason
        return (!memory.circuitOpen, transition)
    }

    /// Counts a tick's failure or success and says whether the fallback applies.
    public static func noteTick(memory: inout SafetyMemory, failed: Bool, failure: String?, policy: SafetyPolicy) -> Transition? {
        if failed {
            memory.consecutiveFailures += 1
            if !memory.fallbackActive, memory.consecutiveFailures >= policy.fallbackAfter {
                memory.fallbackActive = true
                let target =
                    policy.fallbackReplicas.map { "\($0) replicas\(policy.fallbackScaleDown ? "" : " (never below current)")" } ?? "keep the current count"
                return Transition(
                    kind: .fallbackEntered, state: .fallback,
                    detail: "fallback after \(memory.consecutiveFailures) consecutive failed ticks (\(failure ?? "unknown")): \(target)")
            }
            return nil
        }
        memory.consecutiveFailures = 0
        if memory.fallbackActive {
            memory.fallbackActive = false
            return Transition(kind: .fallbackLeft, state: .normal, detail: "fallback ended: the tick read every metric again")
        }
        return nil
    }

    /// The count to ask for after `decide`: fallback, then the override.
    ///
    /// - A failed tick (before the fallback applies) keeps `decide`'s answer, which holds the count
    ///   on missing data (only the reactive floor may raise it).
    /// - The fallback keeps the count, or applies the fixed count (never below current unless
    ///   `fallbackScaleDown`).
    /// - `pin` sets the count; `pauseScaleDown` keeps at least the current count; `pause` keeps it.
    public static func finalCount(
        decision: Decision, memory: SafetyMemory, tickFailed: Bool, override: TargetOverride?, policy: SafetyPolicy, now: Double
    ) -> (replicas: Int, state: SafetyState, note: String) {
        let current = decision.currentReplicas
        var replicas = decision.desiredReplicas
        var state: SafetyState = .normal
        var note = ""
        if memory.circuitOpen {
            state = .reactiveOnly
            note = "forecast circuit open (\(memory.circuitReason ?? "recovering")): planned from the observed rate"
        }
        if tickFailed {
            state = .holding
            note = "a metric could not be read: holding \(current)\(replicas > current ? ", raised by the reactive floor to \(replicas)" : "")"
        }
        if memory.fallbackActive {
            state = .fallback
            if let fixed = policy.fallbackReplicas {
                replicas = policy.fallbackScaleDown ? fixed : max(fixed, current)
                note = "fallback after \(memory.consecutiveFailures) failed ticks: \(replicas) (configured \(fixed))"
            } else {
                replicas = max(current, replicas)
                note = "fallback after \(memory.consecutiveFailures) failed ticks: keeping \(replicas)"
            }
        }
        if let override, override.isActive(now: now) {
            switch override.kind {
            case .pin:
                let pinned = override.replicas ?? current
                note = "pinned to \(pinned) by an override until \(Int(override.untilSeconds))" + (replicas != pinned ? " (plan: \(replicas))" : "")
                replicas = pinned
                state = .overridden
            case .pauseScaleDown:
                if replicas < current {
                    note = "scale-down paused by an override (plan: \(replicas))"
                    replicas = current
                    state = .overridden
                }
            case .pause:
                note = "paused by an override" + (replicas != current ? " (plan: \(replicas))" : "")
                replicas = current
                state = .overridden
            }
        }
        return (replicas, state, note)
    }

    static func format(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) + ".0" : String(rounded)
    }
}
