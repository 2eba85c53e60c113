import Controller
import DecisionStorage
import Pipeline
import Planner
import Synchronization

/// An in-memory `DecisionStore`, the test double of the SQLite decision log: every row and
/// change is visible at once, nothing touches a disk. `capacity` bounds the decisions kept (a
/// full store drops rows and counts them, as the log's full write queue does). Its pages of
/// decisions are simpler than the log's: newest first, by target and limit only (no `since`,
/// `until` or cursor; `nextCursor` is always nil).
public final class InMemoryDecisionStore: DecisionStore {
    struct State {
        var decisions: [DecisionRecord] = []
        var audit: [AuditEvent] = []
        var persisted = PersistedControllerState()
        var nextID: Int64 = 1
        var dropped = 0
        var capacity = Int.max
    }

    let state = Mutex(State())

    public init(capacity: Int = .max) { state.withLock { $0.capacity = capacity } }

    public func enqueue(_ record: DecisionRecord) -> Bool {
        state.withLock { s in
            guard s.decisions.count < s.capacity else { s.dropped += 1; return false }
            var record = record
            record.id = s.nextID
            s.nextID += 1
            s.decisions.append(record)
            return true
        }
    }

    public func flush() async {}
    public var droppedCount: Int { state.withLock { $0.dropped } }
    /// Every decision stored, oldest first.
    public var all: [DecisionRecord] { state.withLock { $0.decisions } }
    /// Every audit event, oldest first.
    public var auditEvents: [AuditEvent] { state.withLock { $0.audit } }
    /// Modes, overrides and planner states as saved.
    public var persisted: PersistedControllerState { state.withLock { $0.persisted } }

    public func decisions(_ query: DecisionQuery) throws(ControlError) -> DecisionPage {
        let rows = state.withLock { $0.decisions }
            .filter { query.target == nil || $0.target == query.target }
            .reversed()
        return DecisionPage(decisions: Array(rows.prefix(query.limit)), nextCursor: nil)
    }

    public func lastDecision(target: String) throws(ControlError) -> DecisionRecord? {
        state.withLock { $0.decisions.last { $0.target == target } }
    }

    public func records(target: String, from: Double, to: Double) throws(ControlError) -> [DecisionRecord] {
        state.withLock { $0.decisions.filter { $0.target == target && $0.timeSeconds >= from && $0.timeSeconds < to } }
    }

    public func scoreInputs(target: String, from: Double, to: Double) throws(ControlError) -> [ScoreInput] {
        try records(target: target, from: from, to: to).map(ScoreInput.init)
    }

    public func audit(target: String?, limit: Int) throws(ControlError) -> [AuditEvent] {
        Array(state.withLock { $0.audit }.filter { target == nil || $0.target == target }.reversed().prefix(limit))
    }

    public func appendAudit(_ event: AuditEvent) throws { state.withLock { $0.audit.append(event) } }
    public func loadState() throws -> PersistedControllerState { state.withLock { $0.persisted } }
    public func saveGlobalMode(_ mode: RunMode?) throws { state.withLock { $0.persisted.globalMode = mode } }
    public func saveTargetMode(_ mode: RunMode?, target: String) throws { state.withLock { $0.persisted.targetModes[target] = mode } }
    public func saveOverride(_ override: TargetOverride?, target: String) throws { state.withLock { $0.persisted.overrides[target] = override } }
    public func savePlannerStates(_ states: [String: PlannerState]) throws { state.withLock { $0.persisted.plannerStates = states } }
    public func prune(olderThan seconds: Double) throws -> Int {
        state.withLock { s in
            let before = s.decisions.count
            s.decisions.removeAll { $0.timeSeconds < seconds }
            return before - s.decisions.count
        }
    }
}
