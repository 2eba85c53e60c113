import Controller
import DecisionStorage
import Foundation
import Pipeline
import Planner

/// A `StatusBackend` that answers from fixed data and records every call.
actor FakeStatusBackend: StatusBackend {
    enum Call: Equatable {
        case status, targetSummaries, isReady
        case targetDetail(name: String, windowSeconds: Double)
        case decisions(DecisionQuery)
        case setMode(RunMode, target: String?, actor: String)
        case setOverride(OverrideRequest, target: String, actor: String)
        case clearOverride(target: String, actor: String)
        case series(name: String, windowSeconds: Double)
    }

    private(set) var calls: [Call] = []
    var ready = true
    /// Whether the fixtures fill every optional property (true) or leave them all nil (false).
    let full: Bool

    static let knownTarget = "orders"
    /// The one cursor the fake knows, in the shape of the log's `TIME:ID`.
    static let cursor = "1800000000.5:7"

    /// Set when the fake counts changes like the runtime does (for the status cache).
    nonisolated let statusVersion: StatusVersion?

    init(full: Bool = true, versioned: Bool = false) {
        self.full = full
        self.statusVersion = versioned ? StatusVersion() : nil
    }

    func setReady(_ ready: Bool) { self.ready = ready }

    /// The calls that change something.
    var mutations: [Call] {
        calls.filter {
            switch $0 {
            case .setMode, .setOverride, .clearOverride: true
            default: false
            }
        }
    }

    /// When versioned, the snapshot's `ticks` is the number of `status()` calls so far, so a test
    /// can tell a fresh answer from a cached one.
    func status() async -> StatusSnapshot {
        calls.append(.status)
        var snapshot = Fixtures.snapshot(full: full)
        if statusVersion != nil { snapshot.ticks = calls.count { $0 == .status } }
        return snapshot
    }

    func targetSummaries() async -> [TargetSummary] {
        calls.append(.targetSummaries)
        return [Fixtures.summary(full: full)]
    }

    func targetDetail(name: String, scorecardWindowSeconds: Double) async throws(ControlError) -> TargetDetail {
        calls.append(.targetDetail(name: name, windowSeconds: scorecardWindowSeconds))
        guard name == Self.knownTarget else { throw ControlError(.notFound, parameter: "name", "no target '\(name)'") }
        return Fixtures.detail(full: full, window: scorecardWindowSeconds)
    }

    func decisions(_ query: DecisionQuery) async throws(ControlError) -> DecisionPage {
        calls.append(.decisions(query))
        if let cursor = query.cursor, cursor != Self.cursor {
            throw ControlError(.badRequest, parameter: "cursor", "not a cursor of this log")
        }
        if let target = query.target, target != Self.knownTarget {
            throw ControlError(.notFound, parameter: "target", "no target '\(target)'")
        }
        return DecisionPage(decisions: [Fixtures.record(full: full)], nextCursor: full ? Self.cursor : nil)
    }

    func setMode(_ mode: RunMode, target: String?, actor: String) async throws(ControlError) -> RunMode {
        calls.append(.setMode(mode, target: target, actor: actor))
        if let target, target != Self.knownTarget { throw ControlError(.notFound, parameter: "name", "no target '\(target)'") }
        return mode
    }

    func setOverride(_ request: OverrideRequest, target: String, actor: String) async throws(ControlError) -> TargetOverride {
        calls.append(.setOverride(request, target: target, actor: actor))
        guard target == Self.knownTarget else { throw ControlError(.notFound, parameter: "name", "no target '\(target)'") }
        return TargetOverride(
            kind: request.kind, replicas: request.replicas, untilSeconds: 1_800_000_000 + 1800, reason: request.reason,
            createdAtSeconds: 1_800_000_000)
    }

    func clearOverride(target: String, actor: String) async throws(ControlError) {
        calls.append(.clearOverride(target: target, actor: actor))
        guard target == Self.knownTarget else { throw ControlError(.notFound, parameter: "name", "no target '\(target)'") }
    }

    func isReady() async -> Bool {
        calls.append(.isReady)
        return ready
    }

    func series(name: String, windowSeconds: Double) async throws(ControlError) -> TargetSeries {
        calls.append(.series(name: name, windowSeconds: windowSeconds))
        guard name == Self.knownTarget else { throw ControlError(.notFound, parameter: "name", "no target '\(name)'") }
        return Fixtures.series(full: full, window: windowSeconds)
    }
}

enum Fixtures {
    static let now = 1_800_000_000.0

    static func series(full: Bool, window: Double) -> TargetSeries {
        let points: [SeriesPoint] = full
            ? (0..<3).map { index in
                SeriesPoint(
                    time: now - Double(2 - index) * 30, arrivalRate: 80 + Double(index), forecastP50: 82, forecastUpper: 95,
                    forecastHorizon: 300, capacity: 90, replicas: 3, planned: 4, reactive: 3)
            }
            : [SeriesPoint(time: now, replicas: 3, planned: 3)]
        return TargetSeries(target: FakeStatusBackend.knownTarget, fromSeconds: now - window, toSeconds: now, points: points)
    }

    static func override(full: Bool) -> TargetOverride? {
        full ? TargetOverride(kind: .pin, replicas: 5, untilSeconds: now + 600, reason: "sale", createdAtSeconds: now - 60) : nil
    }

    static func summary(full: Bool) -> TargetSummary {
        if !full {
            return TargetSummary(name: FakeStatusBackend.knownTarget, mode: .shadow, modeSource: "global", workload: "kubernetes deployments/shop/orders")
        }
        return TargetSummary(
            name: FakeStatusBackend.knownTarget, mode: .live, modeSource: "target", workload: "kubernetes deployments/shop/orders",
            currentReplicas: 3, desiredReplicas: 5, reactiveReplicas: 4, safety: .overridden, lastDecisionSeconds: now,
            lastExplanation: "pinned at 5", override: override(full: true), consecutiveFailures: 1,
            lastFailure: TargetFailure(stage: "source", metric: "lag", kind: "timeout", message: "timed out after 2s", atSeconds: now - 30))
    }

    static func snapshot(full: Bool) -> StatusSnapshot {
        StatusSnapshot(
            version: "0.9.0", mode: .shadow, leader: true, configGeneration: 2, configPath: "/etc/forescale/config.yaml",
            configError: full ? "targets[0].slo: must be positive" : nil, ready: true, startedAtSeconds: now - 3600, ticks: 120,
            droppedDecisions: 0, targets: [summary(full: full)])
    }

    static func decision(full: Bool) -> Decision {
        let observation: Observation = full
            ? Observation(
                lag: Sample(1200, ageSeconds: 2), arrivalRate: Sample(85.5, ageSeconds: 2), throughput: Sample(80, ageSeconds: 2),
                readyReplicas: Sample(3, ageSeconds: 1), desiredReplicas: Sample(3))
            : Observation(desiredReplicas: Sample(3))
        let forecast = full ? ForecastInput(horizonSeconds: 120, p50: 90, upper: 110, model: "holt-winters(add, 1440)") : nil
        let inputs = full
            ? DecisionInputs(
                observation: observation, nowSeconds: now, capacityPerReplica: 25, capacitySource: .learned, expectedArrivalRate: 110,
                arrivalRateSource: .forecast, serveReplicas: 4.4, drainReplicas: 0.8, projectedBacklog: 1200,
                dataProblems: [DataProblem(metric: .throughput, kind: .stale)])
            : DecisionInputs(observation: observation, nowSeconds: now)
        return Decision(
            desiredReplicas: 5, currentReplicas: 3, reactiveReplicas: full ? 4 : nil, plannedReplicas: full ? 6 : nil, forecast: forecast,
            reasons: full ? [.aboveMaxReplicas, .scaleUpLimited] : [], explanation: "scale 3→5", inputs: inputs)
    }

    static func record(full: Bool) -> DecisionRecord {
        DecisionRecord(
            id: full ? 42 : nil, target: FakeStatusBackend.knownTarget, timeSeconds: now, mode: .shadow, decision: decision(full: full),
            finalReplicas: 5, safety: .normal, safetyNote: "", model: full ? "holt-winters(add, 1440)" : nil,
            forecast: full ? ForecastInput(horizonSeconds: 120, p50: 90, upper: 110, model: "holt-winters(add, 1440)") : nil,
            fetchErrors: full ? ["lag": "timeout: timed out"] : [:], applied: false, orchestratorAnswer: "shadow: would scale 3→5",
            latencySLOSeconds: 30, capacityPerReplica: full ? 25 : nil)
    }

    static func detail(full: Bool, window: Double) -> TargetDetail {
        let scorecard: Scorecard? = full
            ? Scorecard(
                target: FakeStatusBackend.knownTarget, fromSeconds: now - window, toSeconds: now, decisions: 1440, actualReplicaHours: 72,
                plannedReplicaHours: 60, replicaHoursDifference: -12, reactiveReplicaHours: 70, sloBreachMinutes: 5,
                sloBreachMinutesPlanHadMore: 4, sloBreachMinutesPlanHadLess: 0, actualActions: 10, plannedActions: 6, reactiveActions: 12,
                forecastMASE: 0.7, forecastCoverage: 0.91, forecastQuantile: 0.9, forecastsScored: 1400)
            : nil
        return TargetDetail(
            summary: summary(full: full), lastDecision: full ? record(full: true) : nil,
            forecast: ForecastView(
                model: full ? "holt-winters(add, 1440)" : nil, drift: "none", upperQuantile: 0.9, history: full ? 2880 : 0,
                nextHour: full ? [ForecastPoint(timeSeconds: now + 300, p50: 90, upper: 110)] : []),
            scorecard: scorecard,
            audit: full
                ? [AuditEvent(id: 7, timeSeconds: now - 60, target: FakeStatusBackend.knownTarget, kind: .override, detail: "override pin 5", actor: "api")]
                : [AuditEvent(timeSeconds: now - 60, target: nil, kind: .mode, detail: "mode shadow → live", actor: "api")])
    }
}
