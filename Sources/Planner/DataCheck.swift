/// The one rule for whether a metric value (messages, or messages/s) can be used at all: every
/// path judges it here, in the step, and nowhere else (sources report what they read).
public enum MetricValidity {
    /// Why `value` cannot be used — not finite, negative, or absurd (above 10¹²) — or `nil`.
    public static func problem(_ value: Double) -> String? {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value < 0 { return "negative; a count or rate cannot be negative" }
        if value > CheckedObservation.absurd { return "absurd (above 10¹²)" }
        return nil
    }

    /// What is wrong with a sample the tick would use — `invalid` (see `problem(_:)`) or `stale`
    /// (older than `staleAfter`) — or `nil` when it can be used.
    public static func problem(_ sample: Sample<Double>, staleAfter: Double) -> DataProblem.Kind? {
        if problem(sample.value) != nil { return .invalid }
        if sample.ageSeconds > staleAfter { return .stale }
        return nil
    }
}

/// Which observed values a tick can use.
struct CheckedObservation {
    var lag: Double?
    var arrivalRate: Double?
    var throughput: Double?
    var readyReplicas: Int?
    var current: Int
    var problems: [DataProblem]

    /// Problems with a value the plan needs (lag, arrival rate, the current count): the tick holds.
    var blockingProblems: [DataProblem] {
        problems.filter { [.lag, .arrivalRate, .desiredReplicas].contains($0.metric) }
    }

    /// Any value at all larger than this is absurd and treated as invalid (messages, or messages/s).
    static let absurd = 1e12
    /// Replica counts above this are absurd.
    static let absurdReplicas = 1_000_000

    /// `learning`: whether throughput and ready replicas are needed (capacity is learned);
    /// when they are not, their problems are not reported.
    init(_ observation: Observation, staleAfter: Double, learning: Bool) {
        var problems: [DataProblem] = []
        func check(_ sample: Sample<Double>?, _ metric: MetricName) -> Double? {
            guard let sample else {
                problems.append(DataProblem(metric: metric, kind: .missing))
                return nil
            }
            if let kind = MetricValidity.problem(sample, staleAfter: staleAfter) {
                problems.append(DataProblem(metric: metric, kind: kind))
                return nil
            }
            return sample.value
        }
        lag = check(observation.lag, .lag)
        arrivalRate = check(observation.arrivalRate, .arrivalRate)
        throughput = check(observation.throughput, .throughput)
        if let ready = observation.readyReplicas {
            if ready.value < 0 || ready.value > Self.absurdReplicas {
                problems.append(DataProblem(metric: .readyReplicas, kind: .invalid))
            } else if ready.ageSeconds > staleAfter {
                problems.append(DataProblem(metric: .readyReplicas, kind: .stale))
            } else {
                readyReplicas = ready.value
            }
        } else {
            problems.append(DataProblem(metric: .readyReplicas, kind: .missing))
        }
        let desired = observation.desiredReplicas
        if desired.value < 0 || desired.value > Self.absurdReplicas {
            problems.append(DataProblem(metric: .desiredReplicas, kind: .invalid))
        } else if desired.ageSeconds > staleAfter {
            problems.append(DataProblem(metric: .desiredReplicas, kind: .stale))
        }
        current = min(max(desired.value, 0), Self.absurdReplicas)
        self.problems = learning ? problems : problems.filter { $0.metric != .throughput && $0.metric != .readyReplicas }
    }

    /// The hold reasons for the blocking problems, each once, in a fixed order.
    var holdReasons: [Reason] {
        let kinds = Set(blockingProblems.map(\.kind))
        return [(DataProblem.Kind.missing, Reason.missingMetric), (.stale, .staleMetric), (.invalid, .invalidMetric)]
            .filter { kinds.contains($0.0) }
            .map(\.1)
    }
}
