/// The guardrails, each a small pure step that says whether it changed the number.
///
/// Applied by `decide` in this order (the plan and the reactive baseline share steps 1–5):
/// 1. tolerance, 2. bounds (min, max), 3. partition cap, 4. stabilisation windows,
/// 5. rate policies, 6. the reactive floor (plan only). Steps 4 and 5 follow the Kubernetes
/// HPA's `stabilizeRecommendationWithBehaviors` and `convertDesiredReplicasWithBehaviorRate`.
enum Guardrails {
    /// Largest replica count any computation produces before the bounds cut it.
    static let replicaCeiling = 1_000_000

    /// Rounds a fractional replica need up, ignoring floating-point dust (4.0000000001 → 4).
    static func replicas(for need: Double) -> Int {
        if need == .infinity { return replicaCeiling }
        guard need.isFinite, need > 0 else { return 0 }
        let bounded = min(need, Double(replicaCeiling))
        return Int((bounded - 1e-9).rounded(.up))
    }

    /// HPA's tolerance: when `need` is within `tolerance` of `current` (as a ratio), keep `current`.
    /// With no current replicas there is no ratio, and any need counts.
    static func tolerate(need: Double, current: Int, tolerance: Double) -> (replicas: Int, held: Bool) {
        let rounded = replicas(for: need)
        guard current > 0 else { return (rounded, false) }
        let ratio = need / Double(current)
        if abs(1 - ratio) <= tolerance { return (current, rounded != current) }
        return (rounded, false)
    }

    /// Bounds and the partition cap, in that order, each with the reason it left.
    /// `minimum` defaults to `minReplicas`; the plan of a target that sleeps passes its awake floor.
    static func bound(_ replicas: Int, policy: ScalingPolicy, minimum: Int? = nil) -> (replicas: Int, steps: [Step]) {
        var value = replicas
        var steps: [Step] = []
        let minimum = minimum ?? policy.minReplicas
        if value < minimum {
            value = minimum
            steps.append(Step(reason: .belowMinReplicas, replicas: value))
        }
        if value > policy.maxReplicas {
            value = policy.maxReplicas
            steps.append(Step(reason: .aboveMaxReplicas, replicas: value))
        }
        if let partitions = policy.partitions, value > partitions {
            value = partitions
            steps.append(Step(reason: .partitionCap, replicas: value))
        }
        return (value, steps)
    }

    /// HPA stabilisation: scale up no further than the lowest recommendation of the scale-up
    /// window, scale down no further than the highest the scale-down window holds. Records
    /// `recommendation` in `window`; `holding`, when lower, is what the scale-down window keeps of
    /// it (see `TimedCount.held`); `release` shortens the hold (see `held(_:above:now:release:)`).
    static func stabilize(
        _ recommendation: Int, current: Int, window: inout [TimedCount],
        up: ScalingRules, down: ScalingRules, now: Double, holding: Int? = nil, release: Double? = nil
    ) -> (replicas: Int, step: Step?, releasing: Bool) {
        // Like the HPA, an empty window is seeded with the current count, so that a fresh start
        // never scales down before a full scale-down window of evidence.
        if window.isEmpty, down.stabilizationWindowSeconds > 0 {
            window.append(TimedCount(time: now, replicas: current))
        }
        var upLimit = recommendation
        var downLimit = recommendation
        // Whether what holds the count is only plans being released (a tie with any other entry,
        // which holds for the whole window, is not).
        var releasing = false
        let upCutoff = now - up.stabilizationWindowSeconds
        let downCutoff = now - down.stabilizationWindowSeconds
        for entry in window {
            if entry.time > upCutoff { upLimit = min(upLimit, entry.replicas) }
            guard entry.time > downCutoff else { continue }
            let holds = held(entry, above: recommendation, now: now, release: release)
            let released = release != nil && entry.releasable == true
            if holds > downLimit {
                downLimit = holds
                releasing = released
            } else if holds == downLimit, !released {
                releasing = false
            }
        }
        window.append(TimedCount(time: now, replicas: recommendation, held: holding, releasable: release != nil))
        var result = current
        if result < upLimit { result = upLimit }
        if result > downLimit { result = downLimit }
        if result < recommendation { return (result, Step(reason: .scaleUpStabilized, replicas: result), false) }
        if result > recommendation { return (result, Step(reason: .scaleDownStabilized, replicas: result), releasing) }
        return (result, nil, false)
    }

    /// What an entry of the scale-down window holds now. Without `release`, or for an entry that
    /// is not a plan made with a usable forecast (a seed, a hold, an override, a fallback), all it
    /// holds, for the whole window (the HPA's rule). With it (the plan, while it has a usable
    /// forecast: its start-up), a releasable entry holds in full for `release` seconds, until the
    /// time it was planned for, and what it holds above `recommendation` then fades out linearly
    /// over as long again. A forecaster that sees the need coming back asks for it again a
    /// start-up ahead; holding a past need for the whole window paid for every one-minute spike
    /// ten minutes (Benchmarks/simulate/README.md).
    static func held(_ entry: TimedCount, above recommendation: Int, now: Double, release: Double?) -> Int {
        let holds = entry.holds
        guard let release, release > 0, entry.releasable == true, holds > recommendation else { return holds }
        let age = now - entry.time
        guard age > release else { return holds }
        let left = 1 - (age - release) / release
        guard left > 0 else { return recommendation }
        return recommendation + replicas(for: Double(holds - recommendation) * left)
    }

    /// Records a recommendation made without the stabilisation step (a wake-up from zero, a
    /// burst), so that the windows see it; `holding` as in `stabilize`, `releasable` as in
    /// `TimedCount`.
    static func record(_ recommendation: Int, in window: inout [TimedCount], now: Double, holding: Int? = nil, releasable: Bool = false) {
        window.append(TimedCount(time: now, replicas: recommendation, held: holding, releasable: releasable))
    }

    /// HPA rate policies: how far the count may move from `current` given the changes already
    /// made within each policy's period.
    static func limitRate(
        _ desired: Int, current: Int, events: [ScaleEvent], up: ScalingRules, down: ScalingRules, now: Double
    ) -> (replicas: Int, step: Step?) {
        if desired > current {
            if up.selectPolicy == .disabled { return (current, Step(reason: .scaleUpDisabled, replicas: current)) }
            guard let limit = scaleUpLimit(current: current, events: events, rules: up, now: now) else {
                return (desired, nil)
            }
            let allowed = max(limit, current)
            if desired > allowed { return (allowed, Step(reason: .scaleUpLimited, replicas: allowed)) }
        } else if desired < current {
            if down.selectPolicy == .disabled { return (current, Step(reason: .scaleDownDisabled, replicas: current)) }
            guard let limit = scaleDownLimit(current: current, events: events, rules: down, now: now) else {
                return (desired, nil)
            }
            let allowed = min(limit, current)
            if desired < allowed { return (allowed, Step(reason: .scaleDownLimited, replicas: allowed)) }
        }
        return (desired, nil)
    }

    /// HPA's `calculateScaleUpLimitWithScalingRules`; `nil` when no policy limits the rate.
    static func scaleUpLimit(current: Int, events: [ScaleEvent], rules: ScalingRules, now: Double) -> Int? {
        let proposals = rules.policies.map { policy -> Int in
            let start = periodStart(current: current, events: events, period: policy.periodSeconds, now: now)
            switch policy.kind {
            case .pods: return start + policy.value
            case .percent: return Int((Double(start) * (1 + Double(policy.value) / 100)).rounded(.up))
            }
        }
        return rules.selectPolicy == .min ? proposals.min() : proposals.max()
    }

    /// HPA's `calculateScaleDownLimitWithBehaviors`; `nil` when no policy limits the rate.
    static func scaleDownLimit(current: Int, events: [ScaleEvent], rules: ScalingRules, now: Double) -> Int? {
        let proposals = rules.policies.map { policy -> Int in
            let start = periodStart(current: current, events: events, period: policy.periodSeconds, now: now)
            switch policy.kind {
            case .pods: return start - policy.value
            case .percent: return Int(Double(start) * (1 - Double(policy.value) / 100))
            }
        }
        // For scaling down, the smallest change ("Min") is the highest remaining count.
        return rules.selectPolicy == .min ? proposals.max() : proposals.min()
    }

    /// The count at the start of the period: the current count less the changes made within it.
    static func periodStart(current: Int, events: [ScaleEvent], period: Double, now: Double) -> Int {
        let cutoff = now - period
        let change = events.filter { $0.time > cutoff }.reduce(0) { $0 + $1.change }
        return current - change
    }
}

/// One guardrail that changed the number: why, and to what.
struct Step: Equatable {
    var reason: Reason
    var replicas: Int
}
