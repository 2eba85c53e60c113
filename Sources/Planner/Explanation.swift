/// The one-line, human-readable explanation of a decision.
enum Explanation {
    static func line(
        current: Int, desired: Int, planned: Int?, inputs: DecisionInputs, forecast: ForecastInput?,
        policy: ScalingPolicy, steps: [Step]
    ) -> String {
        let head: String
        if desired > current {
            head = "scale up \(current) → \(desired)"
        } else if desired < current {
            head = "scale down \(current) → \(desired)"
        } else {
            head = "hold \(current)"
        }
        var parts: [String] = []
        if let planned, let capacity = inputs.capacityPerReplica, let rate = inputs.expectedArrivalRate {
            let origin: String
            if let forecast, inputs.arrivalRateSource == .forecast {
                origin = "forecast p\(number(forecast.upperQuantile * 100)) in \(number(forecast.horizonSeconds))s"
            } else {
                origin = "observed"
            }
            var plan = "arrival \(number(rate))/s (\(origin)) needs \(number(inputs.serveReplicas ?? 0))"
            plan += " at \(number(policy.targetUtilization * 100))% of \(number(capacity))/s per replica"
            let lag = number(inputs.observation.lag?.value ?? 0)
            let projected = inputs.projectedBacklog.map(number) ?? lag
            if lag != "0" || projected != "0" {
                plan += ", backlog \(lag)"
                if projected != lag { plan += " (\(projected) when a new replica is useful)" }
                plan += " needs \(number(inputs.drainReplicas ?? 0)) to drain in \(number(policy.latencySLOSeconds))s"
            }
            parts.append(plan + " → plan \(planned)")
        }
        parts += steps.map { phrase($0, inputs: inputs, policy: policy, current: current, forecast: forecast) }
        return parts.isEmpty ? head : head + ": " + parts.joined(separator: "; ")
    }

    static func phrase(_ step: Step, inputs: DecisionInputs, policy: ScalingPolicy, current: Int, forecast: ForecastInput?) -> String {
        switch step.reason {
        case .missingMetric, .staleMetric, .invalidMetric:
            let kind: DataProblem.Kind = step.reason == .missingMetric ? .missing : step.reason == .staleMetric ? .stale : .invalid
            let names = inputs.dataProblems.filter { $0.kind == kind }.map(\.metric.rawValue)
            return "\(names.joined(separator: ", ")) \(kind.rawValue): holding, never scaling down on bad data"
        case .capacityUnknown:
            return "capacity per replica not learned yet: holding"
        case .forecastRejected:
            return "forecast unusable, planned on the observed rate"
        case .forecastScaleDownBlocked:
            return "forecast below the observed rate ignored (forecast scale-down is off)"
        case .withinTolerance:
            return "within \(number(policy.tolerance * 100))% tolerance of \(current)"
        case .belowMinReplicas:
            return "raised to min \(step.replicas)"
        case .aboveMaxReplicas:
            return "cut to max \(step.replicas)"
        case .partitionCap:
            return "capped at \(step.replicas) partitions"
        case .scaleUpStabilized:
            return "held at \(step.replicas) by the \(number(policy.scaleUp.stabilizationWindowSeconds))s scale-up stabilisation window"
        case .scaleDownStabilized:
            return "held at \(step.replicas) by the \(number(policy.scaleDown.stabilizationWindowSeconds))s scale-down stabilisation window"
        case .scaleUpLimited:
            return "scale-up rate policy allows \(step.replicas)"
        case .scaleDownLimited:
            return "scale-down rate policy allows \(step.replicas)"
        case .scaleUpDisabled:
            return "scale-up disabled"
        case .scaleDownDisabled:
            return "scale-down disabled"
        case .reactiveFloor:
            return "raised to \(step.replicas) by the reactive floor"
        }
    }

    /// A compact rendering: integers as integers, else two decimals (one above 100), no exponent below 1e15.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return String(value) }
        let scale: Double = abs(value) >= 100 ? 10 : 100
        let rounded = (value * scale).rounded() / scale
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int(rounded)) }
        return String(rounded)
    }
}
