import DecisionStorage
import ForescaleConfig
import Foundation
import Orchestrators
import Pipeline
import Planner

/// A `ScalingTarget`'s `status`: what `kubectl get` shows in columns and `kubectl describe` in
/// full. Every optional field is written, as `null` when absent, so a merge patch clears it.
public struct ScalingTargetStatus: Sendable, Equatable, Encodable {
    public struct Condition: Sendable, Equatable, Encodable {
        public var type: String
        /// `True`, `False` or `Unknown`.
        public var status: String
        public var reason: String
        public var message: String
        public var lastTransitionTime: String
        public var observedGeneration: Int?
    }

    /// The forecast the last decision had.
    public struct Forecast: Sendable, Equatable, Encodable {
        public var p50: Double
        public var upper: Double
        public var upperQuantile: Double
        public var horizonSeconds: Double
        public var model: String
    }

    /// The last decision: the counts at each stage, why, and when.
    public struct LastDecision: Sendable, Equatable, Encodable {
        public var time: String
        public var currentReplicas: Int
        public var reactiveReplicas: Int?
        public var plannedReplicas: Int?
        public var finalReplicas: Int
        public var reasons: [String]
        public var explanation: String
        public var safety: String
        public var forecast: Forecast?

        enum CodingKeys: String, CodingKey {
            case time, currentReplicas, reactiveReplicas, plannedReplicas, finalReplicas, reasons, explanation, safety, forecast
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(time, forKey: .time)
            try c.encode(currentReplicas, forKey: .currentReplicas)
            try c.encode(reactiveReplicas, forKey: .reactiveReplicas)
            try c.encode(plannedReplicas, forKey: .plannedReplicas)
            try c.encode(finalReplicas, forKey: .finalReplicas)
            try c.encode(reasons, forKey: .reasons)
            try c.encode(explanation, forKey: .explanation)
            try c.encode(safety, forKey: .safety)
            try c.encode(forecast, forKey: .forecast)
        }
    }

    public var observedGeneration: Int?
    /// The target's name in the controller (its status API and metrics).
    public var target: String?
    /// `live` or `shadow`.
    public var mode: String?
    public var currentReplicas: Int?
    public var desiredReplicas: Int?
    public var reactiveReplicas: Int?
    /// The forecast at a glance: `41/s (p90 55/s)`.
    public var forecast: String?
    /// The last decision's first reason code (`scale_up_limited`, `within_tolerance`, …), or
    /// `planned` when the plan went through unmodified.
    public var lastReason: String?
    public var conditions: [Condition]
    public var lastDecision: LastDecision?

    enum CodingKeys: String, CodingKey {
        case observedGeneration, target, mode, currentReplicas, desiredReplicas, reactiveReplicas, forecast, lastReason, conditions, lastDecision
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(observedGeneration, forKey: .observedGeneration)
        try c.encode(target, forKey: .target)
        try c.encode(mode, forKey: .mode)
        try c.encode(currentReplicas, forKey: .currentReplicas)
        try c.encode(desiredReplicas, forKey: .desiredReplicas)
        try c.encode(reactiveReplicas, forKey: .reactiveReplicas)
        try c.encode(forecast, forKey: .forecast)
        try c.encode(lastReason, forKey: .lastReason)
        try c.encode(conditions, forKey: .conditions)
        try c.encode(lastDecision, forKey: .lastDecision)
    }

    /// The same status but for what changes every tick without changing what it says (the last
    /// decision's time, the forecast's digits, the explanation's figures): a change here is worth
    /// a write at once; the rest is refreshed at a slower pace.
    public var significant: ScalingTargetStatus {
        var copy = self
        copy.forecast = nil
        copy.lastDecision = nil
        copy.conditions = conditions.map { var c = $0; c.message = ""; return c }
        return copy
    }

    /// `True` / `False` / `Unknown` of the condition `type`, if present.
    public func condition(_ type: String) -> Condition? { conditions.first { $0.type == type } }
}

/// Where one `ScalingTarget` stands in the controller.
public enum ScalingTargetState: Sendable, Equatable {
    /// Its spec does not validate: every problem with its key path from `spec`.
    case invalid([String])
    /// Valid, but not run: its name is taken, or it cannot be wired.
    case refused(reason: String, message: String)
    /// Running as the target of that name.
    case running
}

/// Builds a `ScalingTarget`'s status from the controller's view of its target. Pure.
public enum ScalingTargetStatusBuilder {
    public static func status(
        generation: Int?, target: String, state: ScalingTargetState, summary: TargetSummary?, last: DecisionRecord?,
        interval: Double, previous: ScalingTargetStatus?, now: Double
    ) -> ScalingTargetStatus {
        var conditions: [(type: String, status: String, reason: String, message: String)] = []
        switch state {
        case .invalid(let problems):
            conditions.append(("Ready", "False", "InvalidSpec", problems.joined(separator: "; ")))
        case .refused(let reason, let message):
            conditions.append(("Ready", "False", reason, message))
        case .running:
            if let summary, let failure = summary.lastFailure, summary.consecutiveFailures > 0, failure.stage == "orchestrator" {
                conditions.append(("Ready", "False", "ScaleUnreadable", failure.message))
            } else if last != nil {
                conditions.append(("Ready", "True", "Deciding", "deciding every \(ConfigValues.formatDuration(interval)) as target '\(target)'"))
            } else {
                conditions.append(("Ready", "Unknown", "Pending", "waiting for the first tick of target '\(target)'"))
            }
        }
        if let summary {
            let source = switch summary.modeSource {
            case "target": "set through the status API, overriding spec.mode"
            case "config": "from spec.mode"
            default: "from the controller's mode"
            }
            if summary.mode == .live {
                conditions.append(("Active", "True", "Live", "live (\(source)): scaling \(summary.workload)"))
            } else {
                conditions.append(("Active", "False", "Shadow", "shadow (\(source)): decisions are recorded, nothing is scaled"))
            }
            if summary.safety == .fallback {
                let why = summary.lastFailure.map { "\($0.stage)\($0.metric.map { " \($0)" } ?? ""): \($0.message)" } ?? "metrics failing"
                conditions.append(
                    ("Fallback", "True", "MetricsFailing", "\(summary.consecutiveFailures) failed ticks in a row (\(why)); the fallback count applies"))
            } else {
                conditions.append(("Fallback", "False", "MetricsRead", "the last tick read its metrics"))
            }
            if summary.safety == .reactiveOnly || last?.safety == .reactiveOnly {
                conditions.append(
                    (
                        "ForecastTrusted", "False", "CircuitOpen",
                        last?.safetyNote.isEmpty == false ? last!.safetyNote : "recent forecast error: the reactive baseline decides"
                    ))
            } else if let forecast = last?.forecast {
                conditions.append(
                    ("ForecastTrusted", "True", "ForecastInUse", "\(forecast.model) forecasts \(ConfigValues.formatDuration(forecast.horizonSeconds.rounded())) ahead"))
            } else if last != nil {
                conditions.append(
                    (
                        "ForecastTrusted", "False", "NoForecast",
                        "no forecast yet (the forecaster is warming up, or the target has no arrival rate): the reactive baseline decides"
                    ))
            }
        }
        let time = KubernetesTime.format(now)
        let built = conditions.map { c -> ScalingTargetStatus.Condition in
            let before = previous?.condition(c.type)
            let since = before.map { $0.status == c.status ? $0.lastTransitionTime : time } ?? time
            return .init(type: c.type, status: c.status, reason: c.reason, message: c.message, lastTransitionTime: since, observedGeneration: generation)
        }
        var status = ScalingTargetStatus(observedGeneration: generation, target: state == .running ? target : nil, conditions: built)
        if let summary {
            status.mode = summary.mode.rawValue
            status.currentReplicas = summary.currentReplicas
            status.desiredReplicas = summary.desiredReplicas
            status.reactiveReplicas = summary.reactiveReplicas
        }
        if let last {
            let decision = last.decision
            status.lastReason = decision.reasons.first?.rawValue ?? "planned"
            if let forecast = last.forecast {
                status.forecast = "\(ConfigText.rate(forecast.p50)) (p\(Int((forecast.upperQuantile * 100).rounded())) \(ConfigText.rate(forecast.upper)))"
            }
            let explanation = last.safetyNote.isEmpty ? decision.explanation : "\(decision.explanation) — \(last.safetyNote)"
            status.lastDecision = .init(
                time: KubernetesTime.format(last.timeSeconds), currentReplicas: decision.currentReplicas,
                reactiveReplicas: decision.reactiveReplicas, plannedReplicas: decision.plannedReplicas, finalReplicas: last.finalReplicas,
                reasons: decision.reasons.map(\.rawValue), explanation: explanation, safety: last.safety.rawValue,
                forecast: last.forecast.map {
                    .init(p50: ConfigText.round3($0.p50), upper: ConfigText.round3($0.upper), upperQuantile: $0.upperQuantile,
                          horizonSeconds: $0.horizonSeconds, model: $0.model)
                })
        }
        return status
    }
}

/// Short renderings for statuses: three significant digits, so a figure does not change its
/// text every tick.
enum ConfigText {
    static func round3(_ value: Double) -> Double {
        guard value.isFinite, value != 0 else { return value }
        let scale = pow(10, 2 - floor(log10(abs(value))))
        return (value * scale).rounded() / scale
    }

    static func rate(_ value: Double) -> String { ConfigValues.formatRate(round3(value)) }
}
