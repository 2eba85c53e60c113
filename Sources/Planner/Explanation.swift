/// The one-line, human-readable explanation of a decision.
enum Explanation {
    static func line(
        current: Int, desired: Int, planned: Int?, inputs: DecisionInputs, forecast: ForecastInput?,
        policy: ScalingPolicy, steps: [Step]
    ) -> String {
        let head: String
        if current == 0, desired > 0 {
            head = "wake 0 → \(desired)"
        } else if desired == 0, current > 0, steps.contains(where: { $0.reason == .idleSleep }) {
            head = "sleep \(current) → 0"
        } else if current == 0, desired == 0, policy.sleeps {
            head = "asleep at 0"
        } else if desired > current {
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
            } else if let burst = inputs.burst, burst.triggered, burst.rateSource == .backlogGrowth, rate == burst.rate {
                origin = "throughput + backlog growth"
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
            let window = "held at \(step.replicas) by the \(number(policy.scaleDown.stabilizationWindowSeconds))s scale-down stabilisation window"
            guard let release = inputs.holdReleaseSeconds else { return window }
            return window + " (a past plan holds \(number(release))s, until the time it was planned for, then fades out over \(number(release))s)"
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
        case .burst, .burstHold:
            return burstPhrase(step, burst: inputs.burst, policy: policy, now: inputs.nowSeconds)
        case .wakeOnActivity:
            var what: [String] = []
            let zero = policy.scaleToZero
            if let lag = inputs.observation.lag?.value, lag > zero.activationLag {
                what.append("lag \(number(lag)) > \(number(zero.activationLag))")
            }
            if let rate = inputs.observation.arrivalRate?.value, rate > zero.activationArrivalRate {
                what.append("arrival \(number(rate))/s > \(number(zero.activationArrivalRate))/s")
            }
            return "woken by activity (\(what.joined(separator: ", "))) straight to \(step.replicas); start-up \(number(policy.startupSeconds)) s"
        case .wakeOnForecast:
            let quantile = forecast.map { "p\(number($0.upperQuantile * 100))" } ?? "upper"
            let upper = forecast.map { small($0.upper) } ?? "?"
            return "woken ahead of the traffic: forecast \(quantile) \(upper)/s > \(small(policy.forecastActivationRate))/s"
                + " needs \(step.replicas); start-up \(number(policy.startupSeconds)) s"
        case .asleep:
            var text = "asleep"
            if let since = inputs.scaleToZero?.asleepSince { text += " for \(duration(inputs.nowSeconds - since))" }
            return text + ", nothing to wake for; wakes when \(inputs.scaleToZero?.wakesWhen ?? wakeCondition(policy: policy, forecastUsable: false))"
        case .idleSleep:
            let idle = inputs.scaleToZero?.idleSeconds ?? policy.scaleToZero.idleSeconds
            return "idle (no lag, no arrivals) for \(duration(idle)) ≥ the \(duration(policy.scaleToZero.idleSeconds)) idle period: the last replica goes"
        case .idleCooldown:
            let idle = inputs.scaleToZero?.idleSeconds ?? 0
            return "idle for \(duration(idle)) of the \(duration(policy.scaleToZero.idleSeconds)) idle period: sleeps at 0 if still idle then"
        case .forecastKeepsAwake:
            let quantile = forecast.map { "p\(number($0.upperQuantile * 100))" } ?? "upper"
            let upper = forecast.map { small($0.upper) } ?? "?"
            return "idle, but forecast \(quantile) \(upper)/s > \(small(policy.forecastActivationRate))/s: staying awake"
        }
    }

    /// `burst: arrival 31/s (observed) is 3.1× the forecast median 10/s: straight to 8, past the
    /// scale-up limits`; for the hold, `no scale-down until 60 s after the burst`.
    static func burstPhrase(_ step: Step, burst: BurstInputs?, policy: ScalingPolicy, now: Double) -> String {
        guard let burst else { return step.reason == .burst ? "burst" : "held after a burst" }
        let seen = burst.rateSource == .observed ? "observed" : "throughput + backlog growth"
        let multiple = burst.multiple.isFinite ? "\(number(burst.multiple))×" : "far above"
        let measured = "burst: arrival \(small(burst.rate))/s (\(seen)) is \(multiple) the forecast median \(small(burst.expected))/s"
        if step.reason == .burst { return measured + ": straight to \(step.replicas), past the scale-up limits" }
        if burst.triggered { return measured + ": no scale-down during a burst, held at \(step.replicas)" }
        return "held at \(step.replicas): no scale-down for \(duration(max(0, burst.holdUntil - now))) more after a burst"
    }

    /// What wakes a sleeping target (and keeps an idle one awake), in words.
    static func wakeCondition(policy: ScalingPolicy, forecastUsable: Bool) -> String {
        let zero = policy.scaleToZero
        var parts = ["lag > \(number(zero.activationLag))", "arrival rate > \(number(zero.activationArrivalRate))/s"]
        if zero.predictiveWake, policy.forecast.enabled {
            parts.append("forecast p\(number(policy.forecast.upperQuantile * 100)) > \(small(policy.forecastActivationRate))/s"
                + (forecastUsable ? "" : " (no forecast yet)"))
        }
        return parts.count == 2 ? parts.joined(separator: " or ") : parts[0] + ", " + parts[1] + " or " + parts[2]
    }

    /// A rate that may be far below 1: three significant digits under 1 (`0.0167`, so that a
    /// forecast just above the activation rate does not read as equal to it), else as `number`.
    static func small(_ value: Double) -> String {
        guard value.isFinite, value > 0, value < 1 else { return number(value) }
        var scale = 1.0
        while value * scale < 100 { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        return String(rounded)
    }

    /// Seconds as `45 s`, `5 min`, `2 h 5 min`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "\(seconds) s" }
        let whole = Int(seconds.rounded())
        if whole < 120 { return "\(whole) s" }
        let minutes = whole / 60
        if minutes < 120 { return "\(minutes) min" }
        return "\(minutes / 60) h \(minutes % 60) min"
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
