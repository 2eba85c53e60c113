import Endpoints
import Planner
import Yams

extension ConfigBuilder {
    // MARK: metrics

    mutating func parseMetrics(_ target: Map, capacityIsLearned: Bool) -> MetricsConfig? {
        guard let map = reader.map(target, "metrics", allowed: ConfigSchema.metrics, required: true) else { return nil }
        let lag = parseMetric(map, "lag", role: .lag, required: true)
        let arrivalRate = parseMetric(map, "arrivalRate", role: .arrivalRate, required: true)
        let throughput = parseMetric(map, "throughput", role: .throughput, required: false)
        if capacityIsLearned, map["throughput"] == nil || reader.isNull(map["throughput"]!) {
            reader.report(map.path("throughput"), at: map.node, "required key is missing (capacity is learned from throughput; or set capacity.perReplica)")
        }
        guard let lag, let arrivalRate else { return nil }
        return MetricsConfig(lag: lag, arrivalRate: arrivalRate, throughput: throughput)
    }

    mutating func parseMetric(_ metrics: Map, _ key: String, role: MetricName, required: Bool) -> MetricConfig? {
        guard let node = reader.present(metrics, key, required: required) else { return nil }
        let reference = Self.peek(node, "source")
        let type = reference.flatMap { sourceTypes[$0] ?? nil }
        let keys = Self.keys(common: ConfigSchema.metric, byType: ConfigSchema.metricBySourceType, order: SourceType.allCases, type: type)
        let before = reader.problems.count
        guard let map = reader.map(node, at: metrics.path(key), allowed: keys.allowed, elsewhere: keys.elsewhere,
                                   elsewhereNote: "not allowed for a \(type?.rawValue ?? "") source") else { return nil }
        guard let source = reader.string(map, "source", required: true) else { return nil }
        guard sourceTypes[source] != nil else {
            reportUnknownReference(map, "source", source, what: "source", defined: Array(sourceTypes.keys))
            return nil
        }
        guard let type else { return nil }
        if type == .burrow, role != .lag {
            reader.report(map, "source", "'\(source)' is a burrow source, which gives only lag; read \(key) from a prometheus, rabbitmq, nats or json source")
            return nil
        }
        let query: MetricQuery?
        switch type {
        case .prometheus: query = reader.string(map, "query", required: true).map { .prometheus(PrometheusQuery($0)) }
        case .burrow: query = reader.string(map, "group", required: true).map { .burrow(BurrowQuery(group: $0)) }
        case .rabbitmq:
            let vhost = reader.string(map, "vhost") ?? "/"
            query = reader.string(map, "queue", required: true).map { .rabbitMQ(RabbitMQQuery(vhost: vhost, queue: $0)) }
        case .nats:
            let stream = reader.string(map, "stream", required: true)
            let consumer = reader.string(map, "consumer", required: role != .arrivalRate)
            // The arrival rate reads the stream alone; a consumer is not needed for it.
            query = stream.map { .nats(NATSQuery(stream: $0, consumer: consumer ?? "")) }
        case .json: query = parseJSONQuery(map)
        }
        guard let query, reader.problems.count == before else { return nil }
        return MetricConfig(source: source, query: query)
    }

    mutating func parseJSONQuery(_ map: Map) -> MetricQuery? {
        var pointer: String?
        if let node = reader.present(map, "pointer", required: true) {
            if case .string(let text)? = NodeReader.scalar(node) {
                pointer = text
                if !Self.isJSONPointer(text) {
                    reader.report(
                        map, "pointer", "not a JSON pointer (RFC 6901: empty, or '/'-separated tokens with '~' only as ~0 or ~1, e.g. /data/lag): '\(text)'")
                }
            } else {
                reader.report(map, "pointer", "expected a JSON pointer string, got \(NodeReader.describe(node))")
            }
        }
        let path = reader.string(map, "path")
        if let path, !path.hasPrefix("/") { reader.report(map, "path", "must start with '/', got '\(path)'") }
        return pointer.map { .json(JSONQuery(path: path ?? "", pointer: $0)) }
    }

    static func isJSONPointer(_ text: String) -> Bool {
        if text.isEmpty { return true }
        guard text.hasPrefix("/") else { return false }
        let characters = Array(text)
        for (index, character) in characters.enumerated() where character == "~" {
            guard index + 1 < characters.count, characters[index + 1] == "0" || characters[index + 1] == "1" else { return false }
        }
        return true
    }

    // MARK: capacity

    mutating func parseCapacity(_ target: Map) -> CapacityPolicy? {
        guard let node = reader.present(target, "capacity", required: false) else { return .learned(LearnedCapacity()) }
        guard let map = reader.map(node, at: target.path("capacity"), allowed: ConfigSchema.capacity) else { return nil }
        let before = reader.problems.count
        let learn = reader.bool(map, "learn")
        let perReplica = positiveRate(map, "perReplica")
        if map["perReplica"] != nil {
            if learn == true { reader.report(map, "learn", "perReplica and learn: true are exclusive: set one") }
            for key in ["initial", "min", "max"] where map[key] != nil {
                reader.report(map, key, "only used when capacity is learned (perReplica fixes it)")
            }
            guard let perReplica, reader.problems.count == before else { return nil }
            return .fixed(perReplica: perReplica)
        }
        if learn == false { reader.report(map, "learn", "learn: false needs perReplica (the messages/s one replica drains)") }
        let initial = positiveRate(map, "initial")
        let minimum = positiveRate(map, "min")
        let maximum = positiveRate(map, "max")
        if let minimum, let maximum, maximum < minimum {
            reader.report(map, "max", "must be ≥ min (\(ConfigValues.formatRate(minimum))), got \(ConfigValues.formatRate(maximum))")
        } else if let initial, let minimum, initial < minimum {
            reader.report(map, "initial", "must be ≥ min (\(ConfigValues.formatRate(minimum))), got \(ConfigValues.formatRate(initial))")
        } else if let initial, let maximum, initial > maximum {
            reader.report(map, "initial", "must be ≤ max (\(ConfigValues.formatRate(maximum))), got \(ConfigValues.formatRate(initial))")
        }
        guard reader.problems.count == before else { return nil }
        return .learned(LearnedCapacity(initial: initial, minimum: minimum, maximum: maximum))
    }

    mutating func positiveRate(_ map: Map, _ key: String) -> Double? {
        guard let value = reader.rate(map, key) else { return nil }
        if value <= 0 { reader.report(map, key, "must be > 0, got \(ConfigValues.formatRate(value))"); return nil }
        return value
    }

    // MARK: the rest of the policy

    mutating func parsePolicyFields(_ map: Map, into policy: inout ScalingPolicy, minReplicas: Int?) {
        if let value = reader.fraction(map, "utilization") {
            if value > 0, value <= 1 { policy.targetUtilization = value } else { reportFraction(map, "utilization", value, "> 0 and ≤ 1") }
        }
        if let slo = reader.map(map, "slo", allowed: ConfigSchema.slo), let latency = positiveDuration(slo, "latency") {
            policy.latencySLOSeconds = latency
        }
        if let startup = reader.duration(map, "startup") { policy.startupSeconds = startup }
        if let partitions = reader.integer(map, "partitions") {
            if partitions < 1 {
                reader.report(map, "partitions", "must be ≥ 1, got \(partitions)")
            } else if let minReplicas, partitions < minReplicas {
                reader.report(map, "partitions", "must be ≥ replicas.min (\(minReplicas)), got \(partitions)")
            } else {
                policy.partitions = partitions
            }
        }
        if let value = reader.fraction(map, "tolerance") {
            if value >= 0, value < 1 { policy.tolerance = value } else { reportFraction(map, "tolerance", value, "≥ 0 and < 1") }
        }
        let stale = positiveDuration(map, "staleAfter")
        if let stale { policy.staleAfterSeconds = stale }
        if let interval, stale != nil || map["staleAfter"] == nil, policy.staleAfterSeconds < interval {
            let given = map["staleAfter"] == nil ? " (the default)" : ""
            reader.report(
                map, "staleAfter",
                "must be ≥ controller.interval (\(ConfigValues.formatDuration(interval))), got \(ConfigValues.formatDuration(policy.staleAfterSeconds))\(given)"
            )
        }
        if let behavior = reader.map(map, "behavior", allowed: ConfigSchema.behavior) {
            policy.scaleUp = parseRules(behavior, "scaleUp", defaults: .defaultScaleUp)
            policy.scaleDown = parseRules(behavior, "scaleDown", defaults: .planScaleDown)
        }
        if let forecast = reader.map(map, "forecast", allowed: ConfigSchema.forecast) {
            policy.forecast = ForecastUse(
                enabled: reader.bool(forecast, "enabled") ?? true, allowScaleDown: reader.bool(forecast, "scaleDown") ?? false,
                release: reader.bool(forecast, "release") ?? true)
            if let quantile = reader.fraction(forecast, "quantile") {
                if quantile > 0.5, quantile < 1 { policy.forecast.upperQuantile = quantile } else {
                    reader.report(
                        forecast, "quantile",
                        "must be > 0.5 and < 1 (the upper quantile the plan provisions for, e.g. 0.9 or 90%), got \(ConfigValues.formatNumber(quantile))")
                }
            }
        }
        if let reactive = reader.map(map, "reactive", allowed: ConfigSchema.reactive) {
            policy.reactiveFloor = reader.bool(reactive, "floor") ?? true
            if let threshold = reader.number(reactive, "lagThreshold") {
                if threshold > 0 { policy.reactive.lagThreshold = threshold } else {
                    reader.report(reactive, "lagThreshold", "must be > 0 (messages of lag per replica), got \(ConfigValues.formatNumber(threshold))")
                }
            }
            if let value = reader.fraction(reactive, "utilization") {
                if value > 0, value <= 1 { policy.reactive.targetUtilization = value } else { reportFraction(reactive, "utilization", value, "> 0 and ≤ 1") }
            }
        }
    }

    /// `scaleToZero`: only for a target with `replicas.min: 0` (`minReplicas` is already set).
    mutating func parseScaleToZero(_ map: Map, into policy: inout ScalingPolicy, minReplicas: Int?) {
        guard let zero = reader.map(map, "scaleToZero", allowed: ConfigSchema.scaleToZero) else { return }
        if let minReplicas, minReplicas != 0 {
            reader.report(map, "scaleToZero", "needs replicas.min: 0 (a target with min \(minReplicas) never sleeps)")
        }
        if let lag = reader.number(zero, "activationLag") {
            if lag >= 0, lag <= 1e12 { policy.scaleToZero.activationLag = lag } else {
                reader.report(zero, "activationLag", "must be ≥ 0 (messages of lag above which the target is active), got \(ConfigValues.formatNumber(lag))")
            }
        }
        if let rate = reader.rate(zero, "activationArrivalRate") {
            if rate >= 0, rate <= 1e12 { policy.scaleToZero.activationArrivalRate = rate } else {
                reader.report(
                    zero, "activationArrivalRate", "must be ≥ 0 (messages per second above which the target is active), got \(ConfigValues.formatRate(rate))")
            }
        }
        if let idle = reader.duration(zero, "idlePeriod") {
            if idle > 0, idle <= 86_400 { policy.scaleToZero.idleSeconds = idle } else {
                reader.report(zero, "idlePeriod", "must be > 0 and ≤ 1d, got \(ConfigValues.formatDuration(idle))")
            }
        }
        if let floor = reader.integer(zero, "minWhenActive") {
            if floor < 1 {
                reader.report(zero, "minWhenActive", "must be ≥ 1 (replicas while awake), got \(floor)")
            } else if floor > policy.maxReplicas {
                reader.report(zero, "minWhenActive", "must be ≤ replicas.max (\(policy.maxReplicas)), got \(floor)")
            } else {
                policy.scaleToZero.minWhenActive = floor
            }
        }
        if let wake = reader.bool(zero, "predictiveWake") { policy.scaleToZero.predictiveWake = wake }
        if let rate = positiveRate(zero, "forecastActivationRate") { policy.scaleToZero.forecastActivationRate = rate }
    }

    /// `burst`: burst mode (`BurstPolicy`).
    mutating func parseBurst(_ map: Map, into policy: inout ScalingPolicy) {
        guard let burst = reader.map(map, "burst", allowed: ConfigSchema.burst) else { return }
        if let enabled = reader.bool(burst, "enabled") { policy.burst.enabled = enabled }
        if let ratio = reader.number(burst, "ratio") {
            if ratio > 1, ratio <= 100 { policy.burst.ratio = ratio } else {
                reader.report(burst, "ratio", "must be > 1 and ≤ 100 (the multiple of the forecast median that is a burst), got \(ConfigValues.formatNumber(ratio))")
            }
        }
        if let hold = reader.duration(burst, "hold") {
            if hold <= 3600 { policy.burst.holdSeconds = hold } else {
                reader.report(burst, "hold", "must be 0–1h, got \(ConfigValues.formatDuration(hold))")
            }
        }
    }

    mutating func reportFraction(_ map: Map, _ key: String, _ value: Double, _ range: String) {
        reader.report(map, key, "must be \(range) (a fraction such as 0.8 or a percentage such as 80%), got \(ConfigValues.formatNumber(value))")
    }

    /// HPA behaviour for one direction; omitted parts keep `defaults`.
    mutating func parseRules(_ behavior: Map, _ key: String, defaults: ScalingRules) -> ScalingRules {
        guard let map = reader.map(behavior, key, allowed: ConfigSchema.rules) else { return defaults }
        var rules = defaults
        if let window = reader.duration(map, "stabilizationWindow") {
            if window <= 3600 { rules.stabilizationWindowSeconds = window } else {
                reader.report(map, "stabilizationWindow", "must be 0–3600s, got \(ConfigValues.formatDuration(window))")
            }
        }
        if let select = reader.oneOf(map, "selectPolicy", SelectPolicy.allCases.map(\.rawValue)) {
            rules.selectPolicy = SelectPolicy(rawValue: select)!
        }
        guard let node = reader.present(map, "policies", required: false) else { return rules }
        guard case .sequence(let sequence) = node else {
            reader.report(map, "policies", "expected a list of policies, got \(NodeReader.describe(node))")
            return rules
        }
        if sequence.isEmpty, rules.selectPolicy != .disabled {
            reader.report(map, "policies", "must not be empty unless selectPolicy is Disabled")
        }
        var policies: [RatePolicy] = []
        for (index, element) in sequence.enumerated() {
            guard let policy = reader.map(element, at: "\(map.path("policies"))[\(index)]", allowed: ConfigSchema.ratePolicy) else { continue }
            let kind = reader.oneOf(policy, "type", RatePolicy.Kind.allCases.map(\.rawValue), required: true)
            let value = reader.integer(policy, "value", required: true)
            if let value, value <= 0 { reader.report(policy, "value", "must be an integer > 0, got \(value)") }
            let period = reader.duration(policy, "period", required: true)
            if let period, period <= 0 || period > 1800 {
                reader.report(policy, "period", "must be > 0 and ≤ 1800s, got \(ConfigValues.formatDuration(period))")
            }
            if let kind, let value, let period {
                policies.append(RatePolicy(kind: RatePolicy.Kind(rawValue: kind)!, value: value, periodSeconds: period))
            }
        }
        rules.policies = policies
        return rules
    }
}
