import Foundation
import Pipeline
import Planner

/// The replay protocol (docs/replay.md): JSON Lines in, one decision line out per observation.
///
/// The first line is the scenario (`"type":"init"`), every later line an observation of one
/// target as the live loop sees it (values with their age, missing values, failed reads, a scale
/// that could not be read). Each target runs the production `TargetStep` — the forecaster, the
/// circuit breaker, `decide`, the fallback — exactly as `forescale run` does. A bad line throws a
/// `ReplayError` naming the line and field.
public struct ReplaySession {
    struct TargetState {
        var step: TargetStep
        var lastTime: Double?
    }

    let configured: [String: ScalingPolicy]
    let configuredSafety: [String: SafetyPolicy]
    let makeForecaster: (ScalingPolicy, Double) -> (any TickForecaster)?
    var tickSeconds: Double?
    var targets: [String: TargetState] = [:]

    /// - Parameters:
    ///   - configured: policies from a config file, by target name; the init line's fields override them.
    ///   - configuredSafety: the targets' fallback and circuit-breaker settings from the config.
    ///   - makeForecaster: a new forecaster for a target given its policy and the tick in seconds,
    ///     or `nil` to replay without forecasts.
    public init(
        configured: [String: ScalingPolicy] = [:], configuredSafety: [String: SafetyPolicy] = [:],
        makeForecaster: @escaping (_ policy: ScalingPolicy, _ tickSeconds: Double) -> (any TickForecaster)?
    ) {
        self.configured = configured
        self.configuredSafety = configuredSafety
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
            if let value = try target.optionalNumber("activationLag") { policy.scaleToZero.activationLag = value }
            if let value = try target.optionalNumber("activationArrivalRate") { policy.scaleToZero.activationArrivalRate = value }
            if let value = try target.optionalNumber("idleSeconds", positive: true) { policy.scaleToZero.idleSeconds = value }
            if let value = try target.optionalInteger("minWhenActive") {
                guard value >= 1 else { throw target.error("minWhenActive", "must be ≥ 1, got \(value)") }
                policy.scaleToZero.minWhenActive = value
            }
            if let value = try target.optionalBool("predictiveWake") { policy.scaleToZero.predictiveWake = value }
            if let value = try target.optionalNumber("forecastActivationRate", positive: true) {
                policy.scaleToZero.forecastActivationRate = value
            }
            var safety = configuredSafety[name] ?? SafetyPolicy()
            if let value = try target.optionalInteger("fallbackAfter") {
                guard value >= 1 else { throw target.error("fallbackAfter", "must be ≥ 1, got \(value)") }
                safety.fallbackAfter = value
            }
            if let value = try target.optionalInteger("fallbackReplicas") { safety.fallbackReplicas = value }
            if let value = try target.optionalBool("fallbackScaleDown") { safety.fallbackScaleDown = value }
            if let value = try target.optionalNumber("maxForecastError", positive: true) { safety.maxForecastError = value }
            if let value = try target.optionalBool("tripOnDrift") { safety.tripOnDrift = value }
            try target.finish()
            guard policy.maxReplicas >= max(policy.minReplicas, 1) else {
                throw target.error("maxReplicas", "must be ≥ minReplicas (\(policy.minReplicas)) and ≥ 1, got \(policy.maxReplicas)")
            }
            // A value is as old as the line says (`ageSeconds`, 0 by default), and stale past the
            // policy's `staleAfter`, as in the live loop.
            targets[name] = TargetState(
                step: TargetStep(policy: policy, safetyPolicy: safety, tickSeconds: tick, forecaster: makeForecaster(policy, tick)))
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
        let lag = try fields.metric("lag", required: true)
        let rate = try fields.metric("arrivalRate", required: true)
        let throughput = try fields.metric("throughput", required: false)
        let ready = try fields.optionalInteger("readyReplicas")
        let scaleAge = try fields.optionalNumber("scaleAgeSeconds") ?? 0
        let scaleError = try fields.optionalString("scaleError")
        let scale: ScaleReport
        if let scaleError {
            guard try fields.optionalInteger("desiredReplicas") == nil else {
                throw fields.error("desiredReplicas", "must be absent when scaleError says the scale could not be read")
            }
            scale = .failed(kind: scaleError, message: "replayed failure")
        } else {
            scale = .read(desired: try fields.integer("desiredReplicas"), ready: ready, ageSeconds: scaleAge)
        }
        try fields.finish()

        let result = target.step.step(StepInput(now: t, lag: lag, arrivalRate: rate, throughput: throughput, scale: scale))
        target.lastTime = t
        targets[name] = target
        return ReplayAnswer(t: t, target: name, result: result).json
    }
}

/// One answer line, keys in a fixed order so that two runs are byte-identical.
///
/// `desiredReplicas` is the count the controller would apply: `decide`'s, then the fallback (and
/// `null` when the scale could not be read, so nothing was decided); `safety` says what safety did.
struct ReplayAnswer {
    var t: Double
    var target: String
    var result: StepResult

    var json: String {
        var out = "{\"t\":\(format(t)),\"target\":\(quote(target))"
        out += ",\"desiredReplicas\":" + (result.finalReplicas.map(String.init) ?? "null")
        out += ",\"reactiveReplicas\":" + (result.decision?.reactiveReplicas.map(String.init) ?? "null")
        if let forecast = result.forecast {
            let upperKey = "p" + format(forecast.upperQuantile * 100)
            out += ",\"forecast\":{\"horizonSeconds\":\(format(forecast.horizonSeconds)),\"p50\":\(format(forecast.p50)),"
            out += "\(quote(upperKey)):\(format(forecast.upper))},\"model\":\(quote(forecast.model))"
        }
        out += ",\"reasons\":[" + (result.decision?.reasons ?? []).map { quote($0.rawValue) }.joined(separator: ",") + "]"
        out += ",\"safety\":\(quote(result.safety.rawValue))"
        let explanation: String
        if let decision = result.decision {
            explanation = result.safetyNote.isEmpty ? decision.explanation : "\(decision.explanation) — \(result.safetyNote)"
        } else {
            explanation = "nothing decided: the scale could not be read (\(result.failure.map { "\($0.kind): \($0.message)" } ?? "unknown"))"
        }
        out += ",\"reason\":\(quote(explanation))}"
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
        if policy.sleeps {
            let zero = policy.scaleToZero
            fields.append("\"activationLag\":\(format(zero.activationLag))")
            fields.append("\"activationArrivalRate\":\(format(zero.activationArrivalRate))")
            fields.append("\"idleSeconds\":\(format(zero.idleSeconds))")
            fields.append("\"minWhenActive\":\(zero.minWhenActive)")
            fields.append("\"predictiveWake\":\(zero.predictiveWake)")
            if let rate = zero.forecastActivationRate { fields.append("\"forecastActivationRate\":\(format(rate))") }
        }
        return "{\"type\":\"init\",\"tickSeconds\":\(tickSeconds),\"targets\":[{" + fields.joined(separator: ",") + "}]}"
    }

    /// One observation as the step was given it: values with their age (`{"value":…,"ageSeconds":…}`
    /// when not read just now), failed reads as `{"error":…}`, a failed scale read as `scaleError`.
    public static func observationLine(target: String, time: Double, input: StepInput) -> String {
        func metric(_ report: MetricReport?) -> String {
            switch report {
            case nil, .empty?: return "null"
            case .value(let value, let age)?:
                return age > 0 ? "{\"value\":\(format(value)),\"ageSeconds\":\(format(age))}" : format(value)
            case .failed(let kind, let message)?: return "{\"error\":\(quote(kind)),\"message\":\(quote(message))}"
            }
        }
        var line = "{\"type\":\"observation\",\"target\":\(quote(target)),\"t\":\(format(time))"
        line += ",\"lag\":\(metric(input.lag)),\"arrivalRate\":\(metric(input.arrivalRate))"
        if input.throughput != nil { line += ",\"throughput\":\(metric(input.throughput))" }
        switch input.scale {
        case .read(let desired, let ready, let age):
            if let ready { line += ",\"readyReplicas\":\(ready)" }
            if age > 0 { line += ",\"scaleAgeSeconds\":\(format(age))" }
            line += ",\"desiredReplicas\":\(desired)"
        case .failed(let kind, _):
            line += ",\"scaleError\":\(quote(kind))"
        }
        return line + "}"
    }
}
