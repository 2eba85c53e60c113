@testable import Controller
import DecisionStorage
import Foundation
import Orchestrators
import Pipeline
import Planner
import Synchronization
import Testing

/// What a `ScalingTarget`'s status says, and how Events are aggregated, without an API server.
@Suite("ScalingTarget status and Events")
struct ScalingTargetStatusTests {
    static let now = Fixtures.now

    static func running(summary: TargetSummary, last: DecisionRecord?, previous: ScalingTargetStatus? = nil, at time: Double = now) -> ScalingTargetStatus {
        ScalingTargetStatusBuilder.status(
            generation: 3, target: "orders", state: .running, summary: summary, last: last, interval: 15, previous: previous, now: time)
    }

    @Test("a live target deciding with a forecast: counts, conditions and the last decision in full")
    func liveWithForecast() {
        var summary = Fixtures.summary(full: true)
        summary.safety = .normal
        summary.consecutiveFailures = 0
        let status = Self.running(summary: summary, last: Fixtures.record(full: true))
        #expect(status.observedGeneration == 3 && status.target == "orders" && status.mode == "live")
        #expect(status.currentReplicas == 3 && status.desiredReplicas == 5 && status.reactiveReplicas == 4)
        #expect(status.lastReason == "above_max_replicas")
        #expect(status.forecast == "90/s (p90 110/s)")
        #expect(status.condition("Ready")?.status == "True")
        #expect(status.condition("Active")?.reason == "Live")
        #expect(status.condition("Active")?.message.contains("set through the status API") == true)
        #expect(status.condition("Fallback")?.status == "False")
        #expect(status.condition("ForecastTrusted")?.reason == "ForecastInUse")
        #expect(status.conditions.allSatisfy { $0.observedGeneration == 3 })
        let last = status.lastDecision
        #expect(last != nil)
        #expect(last?.plannedReplicas == 6 && last?.reactiveReplicas == 4 && last?.finalReplicas == 5 && last?.currentReplicas == 3)
        #expect(last?.reasons == ["above_max_replicas", "scale_up_limited"])
        #expect(last?.forecast?.horizonSeconds == 120 && last?.forecast?.model == "holt-winters(add, 1440)")
    }

    @Test("fallback, an open circuit and a target with no forecast yet each show in their condition")
    func safetyConditions() {
        var summary = Fixtures.summary(full: true)
        summary.safety = .fallback
        summary.consecutiveFailures = 4
        let fallback = Self.running(summary: summary, last: Fixtures.record(full: true))
        #expect(fallback.condition("Fallback")?.status == "True")
        #expect(fallback.condition("Fallback")?.message.contains("timed out after 2s") == true)
        summary.safety = .reactiveOnly
        var record = Fixtures.record(full: true)
        record.safety = .reactiveOnly
        record.safetyNote = "circuit open: forecast error 2.1 × naive"
        let open = Self.running(summary: summary, last: record)
        #expect(open.condition("ForecastTrusted")?.reason == "CircuitOpen")
        #expect(open.condition("ForecastTrusted")?.message == "circuit open: forecast error 2.1 × naive")
        summary.safety = .normal
        let cold = Self.running(summary: summary, last: Fixtures.record(full: false))
        #expect(cold.condition("ForecastTrusted")?.reason == "NoForecast")
        #expect(cold.lastReason == "planned")
        let pending = Self.running(summary: summary, last: nil)
        #expect(pending.condition("Ready")?.status == "Unknown")
        #expect(pending.condition("ForecastTrusted") == nil)
    }

    @Test("an invalid or refused object is Ready=False with why, and shows no counts")
    func notRunning() {
        let invalid = ScalingTargetStatusBuilder.status(
            generation: 2, target: "orders", state: .invalid(["spec.replicas.max: must be ≥ min (5), got 2", "spec.startup: missing unit"]),
            summary: nil, last: nil, interval: 15, previous: nil, now: Self.now)
        #expect(invalid.condition("Ready")?.reason == "InvalidSpec")
        #expect(invalid.condition("Ready")?.message == "spec.replicas.max: must be ≥ min (5), got 2; spec.startup: missing unit")
        #expect(invalid.mode == nil && invalid.currentReplicas == nil && invalid.target == nil && invalid.conditions.count == 1)
        let clash = ScalingTargetStatusBuilder.status(
            generation: 1, target: "orders", state: .refused(reason: "NameConflict", message: "taken"), summary: nil, last: nil, interval: 15,
            previous: nil, now: Self.now)
        #expect(clash.condition("Ready")?.reason == "NameConflict")
    }

    @Test("lastTransitionTime moves only when a condition's status changes; a new tick's figures are not significant, a new count is")
    func transitionsAndSignificance() {
        var summary = Fixtures.summary(full: true)
        summary.safety = .normal
        summary.consecutiveFailures = 0
        let first = Self.running(summary: summary, last: Fixtures.record(full: true))
        var later = Fixtures.record(full: true)
        later.timeSeconds += 15
        later.forecast?.p50 = 91
        let second = Self.running(summary: summary, last: later, previous: first, at: Self.now + 15)
        #expect(second != first)
        #expect(second.significant == first.significant, "a tick later with another forecast digit is a refresh, not a change")
        #expect(second.condition("Ready")?.lastTransitionTime == first.condition("Ready")?.lastTransitionTime)
        summary.mode = .shadow
        summary.desiredReplicas = 7
        let third = Self.running(summary: summary, last: later, previous: second, at: Self.now + 30)
        #expect(third.significant != second.significant)
        #expect(third.condition("Active")?.lastTransitionTime == KubernetesTime.format(Self.now + 30))
        #expect(third.condition("Ready")?.lastTransitionTime == first.condition("Ready")?.lastTransitionTime)
    }

    @Test("absent fields are written as null, so a merge patch clears what was there")
    func nullsAreWritten() throws {
        let invalid = ScalingTargetStatusBuilder.status(
            generation: 1, target: "x", state: .invalid(["spec: bad"]), summary: nil, last: nil, interval: 15, previous: nil, now: Self.now)
        let json = try #require(String(data: try JSONEncoder().encode(invalid), encoding: .utf8))
        for key in ["mode", "currentReplicas", "desiredReplicas", "reactiveReplicas", "forecast", "lastReason", "lastDecision", "target"] {
            #expect(json.contains(#""\#(key)":null"#), "\(key) in \(json)")
        }
    }

    /// Records what the recorder sends.
    final class Sink: KubernetesEventSink {
        let created = Mutex<[KubernetesEventBody]>([])
        let patched = Mutex<[(name: String, count: Int, message: String)]>([])
        func createEvent(_ event: KubernetesEventBody) async throws -> String {
            created.withLock { $0.append(event) }
            return event.metadata.name
        }
        func patchEvent(namespace: String, name: String, count: Int, lastTimestamp: String, message: String) async throws {
            patched.withLock { $0.append((name, count, message)) }
        }
    }

    static let object = KubernetesObjectReference(apiVersion: "forescale.io/v1alpha1", kind: "ScalingTarget", namespace: "shop", name: "orders", uid: "u1")

    @Test("a repeat within ten minutes counts on the first Event; later, or with another message, it is a new one")
    func aggregation() async {
        let sink = Sink()
        let recorder = EventRecorder(sink: sink, instance: "test")
        await recorder.record(about: Self.object, reason: "ScaleFailed", message: "403", warning: true, now: Self.now)
        await recorder.record(about: Self.object, reason: "ScaleFailed", message: "403", warning: true, now: Self.now + 15)
        await recorder.record(about: Self.object, reason: "ScaleFailed", message: "403", warning: true, now: Self.now + 30)
        await recorder.record(about: Self.object, reason: "ScaleFailed", message: "timeout", warning: true, now: Self.now + 45)
        await recorder.record(about: Self.object, reason: "ScaleFailed", message: "403", warning: true, now: Self.now + 30 + 601)
        let created = sink.created.withLock { $0 }
        #expect(created.map(\.message) == ["403", "timeout", "403"])
        #expect(created.first?.type == "Warning" && created.first?.involvedObject == Self.object && created.first?.count == 1)
        #expect(Set(created.map(\.metadata.name)).count == 3)
        #expect(sink.patched.withLock { $0.map(\.count) } == [2, 3])
        #expect(sink.patched.withLock { $0.allSatisfy { $0.name == created[0].metadata.name } })
    }

    @Test("each object gets at most 25 Events in a burst, then one per five minutes; other objects are not held back")
    func spamFilter() async {
        let sink = Sink()
        let recorder = EventRecorder(sink: sink, instance: "test")
        for index in 0..<40 {
            await recorder.record(about: Self.object, reason: "WouldScale", message: "to \(index)", warning: false, now: Self.now + Double(index))
        }
        #expect(sink.created.withLock { $0.count } == 25)
        #expect(await recorder.dropped == 15)
        var other = Self.object
        other.name = "payments"
        await recorder.record(about: other, reason: "WouldScale", message: "to 1", warning: false, now: Self.now + 40)
        #expect(sink.created.withLock { $0.count } == 26)
        await recorder.record(about: Self.object, reason: "WouldScale", message: "to 99", warning: false, now: Self.now + 39 + 300)
        #expect(sink.created.withLock { $0.count } == 27, "one token back after five minutes")
    }
}

/// A thousand objects do not flood the API server.
@Suite("ScalingTarget status writes")
struct StatusWritesTests {
    static func status(_ desired: Int, forecast: String = "1/s") -> ScalingTargetStatus {
        ScalingTargetStatus(mode: "shadow", currentReplicas: 1, desiredReplicas: desired, forecast: forecast, conditions: [])
    }

    @Test("a thousand new statuses are written a budget at a time; unchanged ones never again; a change in meaning goes before refreshes")
    func budgetAndOrder() {
        let now = 1000.0
        var candidates: [String: ScalingTargetStatus] = [:]
        for index in 0..<1000 { candidates["ns/t\(index)"] = Self.status(2) }
        var written: [String: (status: ScalingTargetStatus, atSeconds: Double)] = [:]
        let first = StatusWrites.select(candidates, written: written, now: now, refreshSeconds: 300, limit: 6)
        #expect(first.count == 6)
        for key in candidates.keys { written[key] = (candidates[key]!, now) }
        #expect(StatusWrites.select(candidates, written: written, now: now + 15, refreshSeconds: 300, limit: 6).isEmpty)
        // New figures everywhere (not significant), one new count (significant).
        for key in candidates.keys { candidates[key] = Self.status(2, forecast: "2/s") }
        candidates["ns/t500"] = Self.status(9)
        #expect(StatusWrites.select(candidates, written: written, now: now + 15, refreshSeconds: 300, limit: 6) == ["ns/t500"])
        let later = StatusWrites.select(candidates, written: written, now: now + 300, refreshSeconds: 300, limit: 6)
        #expect(later.count == 6 && later.first == "ns/t500")
        #expect(StatusWrites.select(candidates, written: written, now: now + 300, refreshSeconds: 300, limit: 0).isEmpty)
    }
}
