import Controller
import Pipeline
import Planner
import Synchronization

/// An in-memory `DecisionStore` for runtime tests: every committed row and change is visible at once.
final class MemoryStore: DecisionStore {
    struct State {
        var decisions: [DecisionRecord] = []
        var audit: [AuditEvent] = []
        var persisted = PersistedControllerState()
        var nextID: Int64 = 1
        var dropped = 0
        var capacity = Int.max
    }

    let state = Mutex(State())

    init(capacity: Int = .max) { state.withLock { $0.capacity = capacity } }

    func enqueue(_ record: DecisionRecord) -> Bool {
        state.withLock { s in
            guard s.decisions.count < s.capacity else { s.dropped += 1; return false }
            var record = record
            record.id = s.nextID
            s.nextID += 1
            s.decisions.append(record)
            return true
        }
    }

    func flush() async {}
    var droppedCount: Int { state.withLock { $0.dropped } }
    var all: [DecisionRecord] { state.withLock { $0.decisions } }
    var auditEvents: [AuditEvent] { state.withLock { $0.audit } }

    func decisions(_ query: DecisionQuery) throws(ControlError) -> DecisionPage {
        let rows = state.withLock { $0.decisions }
            .filter { query.target == nil || $0.target == query.target }
            .reversed()
        return DecisionPage(decisions: Array(rows.prefix(query.limit)), nextCursor: nil)
    }

    func lastDecision(target: String) throws(ControlError) -> DecisionRecord? {
        state.withLock { $0.decisions.last { $0.target == target } }
    }

    func records(target: String, from: Double, to: Double) throws(ControlError) -> [DecisionRecord] {
        state.withLock { $0.decisions.filter { $0.target == target && $0.timeSeconds >= from && $0.timeSeconds < to } }
    }

    func scoreInputs(target: String, from: Double, to: Double) throws(ControlError) -> [ScoreInput] {
        try records(target: target, from: from, to: to).map(ScoreInput.init)
    }

    func audit(target: String?, limit: Int) throws(ControlError) -> [AuditEvent] {
        Array(state.withLock { $0.audit }.filter { target == nil || $0.target == target }.reversed().prefix(limit))
    }

    func appendAudit(_ event: AuditEvent) throws { state.withLock { $0.audit.append(event) } }
    func loadState() throws -> PersistedControllerState { state.withLock { $0.persisted } }
    func saveGlobalMode(_ mode: RunMode?) throws { state.withLock { $0.persisted.globalMode = mode } }
    func saveTargetMode(_ mode: RunMode?, target: String) throws { state.withLock { $0.persisted.targetModes[target] = mode } }
    func saveOverride(_ override: TargetOverride?, target: String) throws { state.withLock { $0.persisted.overrides[target] = override } }
    func savePlannerStates(_ states: [String: PlannerState]) throws { state.withLock { $0.persisted.plannerStates = states } }
    func prune(olderThan seconds: Double) throws -> Int {
        state.withLock { s in
            let before = s.decisions.count
            s.decisions.removeAll { $0.timeSeconds < seconds }
            return before - s.decisions.count
        }
    }
}

/// Counts what the loop reports, for tests.
final class RecordingMetrics: MetricsRecorder {
    let calls = Mutex<[String]>([])
    func recordDecision(target: String, reasons: [String], mode: RunMode, desired: Int, reactive: Int?, current: Int) {
        calls.withLock { $0.append("decision \(target) \(mode.rawValue) \(current)->\(desired)") }
    }
    func recordForecast(target: String, p50: Double?, upper: Double?, observed: Double?) {}
    func recordForecastError(target: String, absoluteError: Double) {}
    func recordStartup(target: String, seconds: Double) {}
    func recordFetch(source: String, metric: String, seconds: Double, errorKind: String?) {
        calls.withLock { $0.append("fetch \(source) \(metric) \(errorKind ?? "ok")") }
    }
    func recordTick(seconds: Double) {}
    func recordDroppedDecisions(total: Int) {}
    func recordSafety(target: String, state: String) { calls.withLock { $0.append("safety \(target) \(state)") } }
    func recordWriteFailure(target: String, kind: String) { calls.withLock { $0.append("write-failure \(target) \(kind)") } }
}
