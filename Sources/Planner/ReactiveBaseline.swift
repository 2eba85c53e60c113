/// The reactive baseline: what KEDA would ask for under the Kubernetes HPA's behaviour.
///
/// KEDA's maths: a lag trigger `ceil(lag / lagThreshold)` and a rate trigger
/// `ceil(arrivalRate / (capacity × utilisation))`, each with HPA's tolerance against the current
/// count; the larger wins. Then HPA behaviour: bounds, partition cap (KEDA's Kafka scaler never
/// exceeds the partition count), stabilisation and rate policies. Like the HPA, when a trigger's
/// value is unusable it never recommends fewer replicas than are running.
struct ReactiveBaseline {
    var replicas: Int
    var lagThreshold: Double?
    /// What the triggers ask for at this tick, within the bounds, before the HPA's stabilisation
    /// and rate policies.
    var triggered: Int

    /// The plan's reactive floor: KEDA's count, never more than its triggers ask for at this tick.
    /// Up, as fast as KEDA's rate policies allow; down, as soon as the triggers are: the HPA's
    /// window does not keep a drained backlog's replicas a second time beside the plan's own
    /// window, which holds what the arrival rate needs.
    var floor: Int { min(triggered, replicas) }

    static func compute(
        data: CheckedObservation, capacity: Double?, policy: ScalingPolicy,
        state: inout PlannerState, now: Double
    ) -> ReactiveBaseline? {
        let reactive = policy.reactive
        let current = data.current
        let lagThreshold = reactive.lagThreshold ?? capacity.map { $0 * reactive.lagThresholdSeconds }
        var triggers: [Int] = []
        var incomplete = false
        if let lagThreshold, lagThreshold > 0 {
            if let lag = data.lag {
                triggers.append(Guardrails.tolerate(need: lag / lagThreshold, current: current, tolerance: reactive.tolerance).replicas)
            } else {
                incomplete = true
            }
        }
        if let capacity, capacity > 0 {
            let target = capacity * (reactive.targetUtilization ?? policy.targetUtilization)
            if let rate = data.arrivalRate {
                triggers.append(Guardrails.tolerate(need: rate / target, current: current, tolerance: reactive.tolerance).replicas)
            } else {
                incomplete = true
            }
        }
        guard var recommendation = triggers.max() else { return nil }
        if incomplete { recommendation = max(recommendation, current) }
        recommendation = Guardrails.bound(recommendation, policy: policy).replicas
        let stabilized = Guardrails.stabilize(
            recommendation, current: current, window: &state.reactiveRecommendations,
            up: reactive.scaleUp, down: reactive.scaleDown, now: now
        ).replicas
        let limited = Guardrails.limitRate(
            stabilized, current: current, events: state.scaleEvents,
            up: reactive.scaleUp, down: reactive.scaleDown, now: now
        ).replicas
        return ReactiveBaseline(replicas: limited, lagThreshold: lagThreshold, triggered: recommendation)
    }
}
