/// Per-target memory of the decision core, passed into `decide` and returned updated.
///
/// A value type the caller keeps (and may persist: it is `Codable`). Memory is bounded: windows
/// are pruned by age and capped at `PlannerState.maxEntries` entries each.
public struct PlannerState: Sendable, Equatable, Codable {
    /// Unstabilised recommendations of the plan, for its stabilisation windows.
    public internal(set) var planRecommendations: [TimedCount] = []
    /// Unstabilised recommendations of the reactive baseline, for its own windows.
    public internal(set) var reactiveRecommendations: [TimedCount] = []
    /// Changes of the workload's desired count, for the rate policies.
    public internal(set) var scaleEvents: [ScaleEvent] = []
    /// The desired count seen in the previous tick.
    public internal(set) var lastObservedReplicas: Int?
    /// A change this core decided, not yet seen applied: when the next tick observes it, it is
    /// recorded as a scale event at the time it was decided (as the HPA records its own changes).
    public internal(set) var pendingChange: PendingChange?
    public internal(set) var capacity = CapacityLearnerState()
    /// Scale to zero: the last tick the target was active (lag or arrivals above the activation
    /// thresholds), or could not tell (a metric missing or invalid is never read as idle).
    /// `nil` before the first tick of a target that sleeps.
    public internal(set) var lastActiveAt: Double?
    /// Scale to zero: since when the workload has been seen at zero replicas, while it is.
    public internal(set) var asleepSince: Double?
    /// Burst mode: the last lag, the last expected rate and the hold after a burst (`nil` before the
    /// first tick; optional so that a state persisted before it decodes).
    public internal(set) var burst: BurstMemory?
    /// Observed start-ups and the scale-ups waiting for their replicas (optional, as `burst`).
    public internal(set) var startup: StartupMemory?

    /// The longest any window or event list may grow.
    public static let maxEntries = 2048

    public init() {}
}

/// A replica count recommended at a time.
public struct TimedCount: Sendable, Equatable, Codable {
    public var time: Double
    public var replicas: Int
    /// What the scale-down stabilisation window holds of this recommendation, when less than
    /// `replicas`: the count the arrival rate alone needs, without the replicas planned to drain a
    /// backlog once. `nil` (and every entry persisted before it existed): all of `replicas`.
    public var held: Int?
    /// A plan made with a usable forecast, for one start-up ahead: the scale-down window may
    /// release it once that time has passed (`Guardrails.held`). `nil` (every seed, hold, override
    /// and fallback, and every entry persisted before it existed): held for the whole window.
    public var releasable: Bool?

    public init(time: Double, replicas: Int, held: Int? = nil, releasable: Bool = false) {
        self.time = time
        self.replicas = replicas
        self.held = held.flatMap { $0 < replicas ? $0 : nil }
        self.releasable = releasable ? true : nil
    }

    /// The count the scale-down window holds (never more than `replicas`, whatever was decoded).
    var holds: Int { min(held ?? replicas, replicas) }
}

/// A change of the workload's desired count: positive up, negative down.
public struct ScaleEvent: Sendable, Equatable, Codable {
    public var time: Double
    public var change: Int

    public init(time: Double, change: Int) {
        self.time = time
        self.change = change
    }
}

/// A change decided at `time`, from `from` to `to` replicas.
public struct PendingChange: Sendable, Equatable, Codable {
    public var time: Double
    public var from: Int
    public var to: Int
}

extension PlannerState {
    /// Records the change of the observed desired count since the previous tick.
    ///
    /// A change this core decided and now sees applied is dated when it was decided; any other
    /// change (a decision not applied in shadow mode, an operator, another controller) is dated now.
    mutating func recordObservedReplicas(_ observed: Int, now: Double) {
        defer {
            lastObservedReplicas = observed
            pendingChange = nil
        }
        guard let last = lastObservedReplicas, observed != last else { return }
        let time: Double
        if let pending = pendingChange, pending.from == last, pending.to == observed { time = pending.time } else { time = now }
        scaleEvents.append(ScaleEvent(time: time, change: observed - last))
        if observed > last {
            var memory = startup ?? StartupMemory()
            memory.noteScaleUp(to: observed, at: time)
            startup = memory
        }
    }

    /// Notes a decided change so the next tick can date it when it sees it applied.
    mutating func noteDecision(from current: Int, to desired: Int, now: Double) {
        pendingChange = desired == current ? nil : PendingChange(time: now, from: current, to: desired)
    }

    /// Records that the caller asked for `replicas` instead of this tick's decision (a fallback or
    /// a human override): the count enters the stabilisation window, so that when the plan takes
    /// over again it cannot drop below it before a full scale-down window, and the change is
    /// dated now when the next tick sees it applied.
    public mutating func noteOverride(replicas: Int, current: Int, now: Double) {
        if let last = planRecommendations.last, last.time == now {
            planRecommendations[planRecommendations.count - 1] = TimedCount(
                time: now, replicas: max(last.replicas, replicas), held: max(last.holds, replicas))
        } else {
            planRecommendations.append(TimedCount(time: now, replicas: replicas))
        }
        noteDecision(from: current, to: replicas, now: now)
    }

    /// Drops entries older than every window and period that could still read them.
    mutating func prune(now: Double, policy: ScalingPolicy) {
        let planWindow = max(policy.scaleUp.stabilizationWindowSeconds, policy.scaleDown.stabilizationWindowSeconds)
        let reactiveWindow = max(
            policy.reactive.scaleUp.stabilizationWindowSeconds, policy.reactive.scaleDown.stabilizationWindowSeconds)
        let periods = [policy.scaleUp, policy.scaleDown, policy.reactive.scaleUp, policy.reactive.scaleDown]
            .flatMap(\.policies).map(\.periodSeconds)
        let longestPeriod = periods.max() ?? 0
        planRecommendations = Self.keep(planRecommendations, newerThan: now - planWindow, time: \.time)
        reactiveRecommendations = Self.keep(reactiveRecommendations, newerThan: now - reactiveWindow, time: \.time)
        scaleEvents = Self.keep(scaleEvents, newerThan: now - longestPeriod, time: \.time)
    }

    private static func keep<T>(_ items: [T], newerThan cutoff: Double, time: (T) -> Double) -> [T] {
        let recent = items.filter { time($0) > cutoff }
        return recent.count > maxEntries ? Array(recent.suffix(maxEntries)) : recent
    }
}
