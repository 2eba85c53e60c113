import Foundation
import Planner

/// A per-target forecaster as the replay protocol and the simulator use it.
public protocol TickForecaster {
    /// Takes the arrival rate observed at `time` (Unix seconds).
    mutating func observe(time: Double, rate: Double)
    /// The forecast `horizonSeconds` ahead, or `nil` while warming up.
    func forecast(horizonSeconds: Double) -> ForecastInput?
}

/// The replay protocol (docs/replay.md): JSON Lines in, one decision line out per observation.
///
/// The first line is the scenario (`"type":"init"`), every later line an observation of one
/// target. Each target gets its own `PlannerState` and forecaster, and every observation goes
/// through the production `decide`. A bad line throws a `ReplayError` naming the line and field.
public struct ReplaySession {
    struct TargetState {
        var policy: ScalingPolicy
        var state = PlannerState()
        var forecaster: (any TickForecaster)?
        var lastTime: Double?
    }

    let configured: [String: ScalingPolicy]
    let makeForecaster: (ScalingPolicy, Double) -> (any TickForecaster)?
    var tickSeconds: Double?
    var targets: [String: TargetState] = [:]

    /// - Parameters:
    ///   - configured: policies from a config file, by target name; the init line's fields override them.
    ///   - makeForecaster: a new forecaster for a target given its policy and the tick in seconds,
    ///     or `nil` to replay without forecasts.
    public init(
        configured: [String: ScalingPolicy] = [:],
        makeForecaster: @escaping (_ policy: ScalingPolicy, _ tickSeconds: Double) -> (any TickForecaster)?
    ) {
        self.configured = configured
        self.makeForecaster = makeForecaster
    }

    /// Handles one line; returns the answer line, or `nil` for the init line and blank lines.
    public mutating func handle(line: String, number: Int) throws(ReplayError) -> String? {
        if line.allSatisfy(\.isWhitespace) { return nil }
        var fields = try ReplayFields(line: line, number: number)
        let type = try fields.string("type")
        switch type {
        case "init":
            guard tickSeconds == nil else { throw fields.error("type", "a second init line") }
            try start(&fields)
            return nil
        case "observation":
            guard let tick = tickSeconds else { throw fields.error("type", "an observation before the init line") }
            return try observe(&fields, tick: tick)
        default:
            throw fields.error("type", "must be \"init\" or \"observation\", got \"\(type)\"")
        }
    }

    private mutating func start(_ fields: inout ReplayFields) throws(ReplayError) {
        let tick = try fields.number("tickSeconds", positive: true)
        let list = try fields.objects("targets")
        try fields.finish()
        guard !list.isEmpty else { throw fields.error("targets", "must list at least one target") }
        for (index, raw) in list.enumerated() {
            var target = ReplayFields(object: raw, number: fields.number, prefix: "targets[\(index)].")
            let name = try target.string("name")
            guard targets[name] == nil else { throw target.error("name", "duplicate target \"\(name)\"") }
            var policy = configured[name] ?? ScalingPolicy(maxReplicas: 100, capacity: .learned(LearnedCapacity()))
            if let value = try target.optionalInteger("minReplicas") { policy.minReplicas = value }
            if let value = try target.optionalInteger("maxReplicas") { policy.maxReplicas = value }
            if let value = try target.optionalNumber("capacityPerReplica", positive: true) { policy.capacity = .fixed(perReplica: value) }
            if let value = try target.optionalNumber("latencySLOSeconds", positive: true) { policy.latencySLOSeconds = value }
            if let value = try target.optionalNumber("startupSeconds") { policy.startupSeconds = value }
            if let value = try target.optionalNumber("targetUtilization", positive: true) { policy.targetUtilization = min(value, 1) }
            if let value = try target.optionalInteger("partitions") { policy.partitions = max(value, 1) }
            try target.finish()
            guard policy.maxReplicas >= max(policy.minReplicas, 1) else {
                throw target.error("maxReplicas", "must be ≥ minReplicas (\(policy.minReplicas)) and ≥ 1, got \(policy.maxReplicas)")
            }
            // Replayed values are as fresh as the driver says they are: none is stale by age.
            policy.staleAfterSeconds = .infinity
            targets[name] = TargetState(policy: policy, forecaster: makeForecaster(policy, tick))
        }
        tickSeconds = tick
    }

    private mutating func observe(_ fields: inout ReplayFields, tick: Double) throws(ReplayError) -> String {
        let name = try fields.string("target")
        guard var target = targets[name] else {
            throw fields.error("target", "unknown target \"\(name)\" (init named: \(targets.keys.sorted().joined(separator: ", ")))")
        }
        let t = try fields.number("t")
        if let last = target.lastTime, t < last { throw fields.error("t", "goes backwards: \(format(t)) after \(format(last))") }
        let lag = try fields.nullableNumber("lag")
        let rate = try fields.nullableNumber("arrivalRate")
        let throughput = try fields.optionalNumber("throughput")
        let ready = try fields.optionalInteger("readyReplicas")
        let desired = try fields.integer("desiredReplicas")
        try fields.finish()

        if let rate { target.forecaster?.observe(time: t, rate: rate) }
        let horizon = target.policy.startupSeconds + tick
        let forecast = target.forecaster?.forecast(horizonSeconds: horizon)
        let observation = Observation(
            lag: lag.map { Sample($0) }, arrivalRate: rate.map { Sample($0) }, throughput: throughput.map { Sample($0) },
            readyReplicas: ready.map { Sample($0) }, desiredReplicas: Sample(desired))
        let (decision, next) = decide(observation: observation, state: target.state, policy: target.policy, forecast: forecast, now: t)
        target.state = next
        target.lastTime = t
        targets[name] = target
        return ReplayAnswer(t: t, target: name, decision: decision, forecast: forecast).json
    }
}

/// One answer line, keys in a fixed order so that two runs are byte-identical.
struct ReplayAnswer {
    var t: Double
    var target: String
    var decision: Decision
    var forecast: ForecastInput?

    var json: String {
        var out = "{\"t\":\(format(t)),\"target\":\(quote(target)),\"desiredReplicas\":\(decision.desiredReplicas)"
        out += ",\"reactiveReplicas\":" + (decision.reactiveReplicas.map(String.init) ?? "null")
        if let forecast {
            let upperKey = "p" + format(forecast.upperQuantile * 100)
            out += ",\"forecast\":{\"horizonSeconds\":\(format(forecast.horizonSeconds)),\"p50\":\(format(forecast.p50)),"
            out += "\(quote(upperKey)):\(format(forecast.upper))},\"model\":\(quote(forecast.model))"
        }
        out += ",\"reasons\":[" + decision.reasons.map { quote($0.rawValue) }.joined(separator: ",") + "]"
        out += ",\"reason\":\(quote(decision.explanation))}"
        return out
    }
}

/// A number as JSON: integers without a fraction, others to at most three decimals.
func format(_ value: Double) -> String {
    guard value.isFinite else { return "null" }
    let rounded = (value * 1000).rounded() / 1000
    if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int(rounded)) }
    return String(rounded)
}

/// A JSON string literal.
func quote(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

/// Writes the replay protocol's lines, for recording what a controller was shown.
public enum ReplayRecording {
    public static func initLine(target: String, tickSeconds: Int, policy: ScalingPolicy) -> String {
        var fields = [
            "\"name\":\(quote(target))", "\"minReplicas\":\(policy.minReplicas)", "\"maxReplicas\":\(policy.maxReplicas)",
        ]
        if case .fixed(let capacity) = policy.capacity { fields.append("\"capacityPerReplica\":\(format(capacity))") }
        fields.append("\"latencySLOSeconds\":\(format(policy.latencySLOSeconds))")
        fields.append("\"startupSeconds\":\(format(policy.startupSeconds))")
        return "{\"type\":\"init\",\"tickSeconds\":\(tickSeconds),\"targets\":[{" + fields.joined(separator: ",") + "}]}"
    }

    public static func observationLine(target: String, time: Double, observation: Observation) -> String {
        func value(_ sample: Sample<Double>?) -> String { sample.map { format($0.value) } ?? "null" }
        var line = "{\"type\":\"observation\",\"target\":\(quote(target)),\"t\":\(format(time))"
        line += ",\"lag\":\(value(observation.lag)),\"arrivalRate\":\(value(observation.arrivalRate))"
        if let throughput = observation.throughput { line += ",\"throughput\":\(format(throughput.value))" }
        if let ready = observation.readyReplicas { line += ",\"readyReplicas\":\(ready.value)" }
        return line + ",\"desiredReplicas\":\(observation.desiredReplicas.value)}"
    }
}
