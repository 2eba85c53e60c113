import Foundation
import ForescaleConfig
import Logging
import Orchestrators
import Pipeline

/// The controller's side of the `ScalingTarget` objects: which run as which target, which are
/// refused and why, and what was last written to each.
public actor ScalingTargetSync {
    /// One object as last listed or watched.
    struct Entry: Sendable {
        var namespace: String
        var name: String
        var uid: String?
        var generation: Int?
        var state: ScalingTargetState
        /// The scaled workload, for Events on it.
        var workload: KubernetesTarget?

        var reference: KubernetesObjectReference {
            KubernetesObjectReference(
                apiVersion: ScalingTargetResource.apiVersion, kind: ScalingTargetResource.kind, namespace: namespace, name: name, uid: uid)
        }
    }

    let runtime: ControllerRuntime
    let logger: Logger
    let instance: String
    nonisolated let interval: Double
    nonisolated let notes = RuntimeNotes()
    /// Yields after each `apply` (the newest only is kept), for whoever waits on the objects' effect.
    public nonisolated let applies: AsyncStream<Void>
    private nonisolated let appliedSignal: AsyncStream<Void>.Continuation
    /// Status writes per second, in all (a 1,000-target cluster is not flooded).
    let writesPerSecond: Double
    /// A status whose significant part is unchanged is refreshed this often.
    let refreshSeconds: Double
    /// Shadow "would scale" Events, at most one per target this often.
    let wouldScaleSeconds: Double

    /// By `namespace/name`.
    private(set) var entries: [String: Entry] = [:]
    private var applied: [TargetConfig]?
    private var written: [String: (status: ScalingTargetStatus, atSeconds: Double)] = [:]
    private var lastFlushSeconds: Double?
    private var writeBudget: Double = 0
    private var lastWouldScale: [String: Double] = [:]
    /// Events waiting for the next flush (an invalid spec, a refused object).
    private var pending: [(KubernetesObjectReference, String, String, Bool)] = []
    private var reportedProblems: [String: String] = [:]
    private var recorder: (client: ObjectIdentifier, recorder: EventRecorder)?

    init(runtime: ControllerRuntime, logger: Logger, instance: String, interval: Double, writesPerSecond: Double = 5, refreshSeconds: Double = 300,
         wouldScaleSeconds: Double = 300) {
        self.runtime = runtime
        self.logger = logger
        self.instance = instance
        self.interval = interval
        self.writesPerSecond = writesPerSecond
        self.refreshSeconds = refreshSeconds
        self.wouldScaleSeconds = wouldScaleSeconds
        (applies, appliedSignal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Validates every object and hands the valid ones to the runtime (only when they changed:
    /// the watch also reports the controller's own status writes).
    public func apply(_ objects: [String: ScalingTargetObject]) async {
        let config = await runtime.config
        var next: [String: Entry] = [:]
        var targets: [TargetConfig] = []
        var owner: [String: String] = [:]
        for (key, object) in objects.sorted(by: { $0.key < $1.key }) {
            guard let meta = object.metadata, let name = meta.name else { continue }
            let namespace = meta.namespace ?? ""
            var entry = Entry(namespace: namespace, name: name, uid: meta.uid, generation: meta.generation, state: .running, workload: nil)
            switch ScalingTargetSpec.target(name: name, namespace: namespace, spec: object.spec ?? .object([:]), config: config) {
            case .failure(let errors):
                entry.state = .invalid(errors.problems.map(\.description))
            case .success(let target):
                if let other = owner[target.name] {
                    entry.state = .refused(
                        reason: "NameConflict", message: "ScalingTarget \(other) already runs as target '\(target.name)'; rename one of them")
                } else {
                    owner[target.name] = "\(namespace)/\(name)"
                    targets.append(target)
                    if case .kubernetes(let kind, let ns, let workload, let apiVersion, let resource) = target.scale.workload {
                        entry.workload = Self.kubernetesTarget(kind: kind, namespace: ns, name: workload, apiVersion: apiVersion, resource: resource)
                    }
                }
            }
            next[key] = entry
        }
        var refused: [String: String] = [:]
        if targets != applied {
            refused = await runtime.setClusterTargets(targets)
            applied = targets.filter { refused[$0.name] == nil }
        } else {
            // Unchanged targets: the earlier refusals stand.
            for (key, entry) in entries { if case .refused(_, let message) = entry.state, next[key] != nil { refused[entry.name] = message } }
        }
        for (key, entry) in next where entry.state == .running {
            if let why = refused[entry.name] {
                let reason = why.contains("already has a target named") ? "NameConflict" : "WiringFailed"
                next[key]?.state = .refused(reason: reason, message: why)
            }
        }
        for (key, entry) in next {
            let problem: (String, String)? = switch entry.state {
            case .invalid(let problems): ("InvalidSpec", problems.joined(separator: "; "))
            case .refused(let reason, let message): (reason, message)
            case .running: nil
            }
            let signature = problem.map { "\(entry.generation ?? 0):\($0.0):\($0.1)" }
            if let problem, reportedProblems[key] != signature {
                pending.append((entry.reference, problem.0, problem.1, true))
                logger.warning("ScalingTarget not run", metadata: ["object": "\(key)", "reason": "\(problem.0)", "problem": "\(problem.1)"])
            }
            reportedProblems[key] = signature
        }
        for key in entries.keys where next[key] == nil {
            written[key] = nil
            reportedProblems[key] = nil
        }
        entries = next
        appliedSignal.yield()
    }

    /// Each object's state, by `namespace/name`.
    public var states: [String: ScalingTargetState] { entries.mapValues(\.state) }

    static func kubernetesTarget(kind: KubernetesKind, namespace: String, name: String, apiVersion: String?, resource: String?) -> KubernetesTarget? {
        switch kind {
        case .deployment: KubernetesTarget(kind: .deployment, namespace: namespace, name: name)
        case .statefulSet: KubernetesTarget(kind: .statefulSet, namespace: namespace, name: name)
        case .replicaSet: KubernetesTarget(kind: .replicaSet, namespace: namespace, name: name)
        case .custom: try? KubernetesTarget.custom(apiVersion: apiVersion ?? "", resource: resource ?? "", namespace: namespace, name: name)
        }
    }

    /// The Events the runtime's notes call for, then each object's status where it changed.
    func write(notes: [RuntimeNotes.Note], client: KubernetesClient, now: Double) async {
        let recorder: EventRecorder
        if let current = self.recorder, current.client == ObjectIdentifier(client) {
            recorder = current.recorder
        } else {
            recorder = EventRecorder(sink: client, instance: instance)
            self.recorder = (ObjectIdentifier(client), recorder)
        }
        var events = pending
        pending = []
        let byTarget = Dictionary(entries.values.filter { $0.state == .running }.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for note in notes {
            events += self.events(for: note, byTarget: byTarget, client: client, now: now)
        }
        for (object, reason, message, warning) in events {
            let text = message.count > 1000 ? String(message.prefix(997)) + "…" : message
            if let error = await recorder.record(about: object, reason: reason, message: text, warning: warning, now: now) {
                logger.warning("could not record an Event", metadata: ["object": "\(object.namespace)/\(object.name)", "reason": "\(reason)", "error": "\(error)"])
            }
        }
        await writeStatuses(client: client, now: now)
    }

    private func events(for note: RuntimeNotes.Note, byTarget: [String: Entry], client: KubernetesClient, now: Double)
        -> [(KubernetesObjectReference, String, String, Bool)]
    {
        var out: [(KubernetesObjectReference, String, String, Bool)] = []
        switch note {
        case .tick(let report, let mode):
            guard let entry = byTarget[report.target] else { return [] }
            let object = entry.reference
            if let record = report.record {
                let from = record.decision.currentReplicas, to = record.finalReplicas
                let why = record.safetyNote.isEmpty ? record.decision.explanation : "\(record.decision.explanation) — \(record.safetyNote)"
                if mode == .live, record.applied, from != to {
                    let message = "scaled from \(from) to \(to): \(why)"
                    out.append((object, "Scaled", message, false))
                    if let workload = entry.workload.flatMap(client.reference(to:)) {
                        out.append((workload, "Scaled", "ScalingTarget \(entry.name): \(message)", false))
                    }
                } else if mode == .shadow, from != to, now - (lastWouldScale[report.target] ?? -.infinity) >= wouldScaleSeconds {
                    lastWouldScale[report.target] = now
                    out.append((object, "WouldScale", "shadow mode: would scale from \(from) to \(to): \(why)", false))
                }
            }
            if let failure = report.writeFailure {
                out.append((object, "ScaleFailed", "writing the replica count failed (\(failure.kind)): \(failure.message)", true))
            }
            for transition in report.transitions {
                let (reason, warning): (String, Bool) = switch transition.kind {
                case .fallbackEntered: ("FallbackEntered", true)
                case .fallbackLeft: ("FallbackLeft", false)
                case .circuitOpened: ("CircuitBreakerOpened", true)
                case .circuitClosed: ("CircuitBreakerClosed", false)
                }
                out.append((object, reason, transition.detail, warning))
            }
        case .audit(let event):
            guard let target = event.target, let entry = byTarget[target] else { return [] }
            let reason: String
            switch event.kind {
            case .override:
                reason = event.detail.hasSuffix("expired") ? "OverrideExpired" : event.detail.hasSuffix("removed") ? "OverrideRemoved" : "OverrideSet"
            case .mode: reason = "ModeChanged"
            case .safety, .config: return []
            }
            out.append((entry.reference, reason, "\(event.detail) (by \(event.actor))", false))
        }
        return out
    }

    private func writeStatuses(client: KubernetesClient, now: Double) async {
        // A token bucket of `writesPerSecond`, holding at most one second's worth plus one.
        writeBudget = min(writesPerSecond + 1, writeBudget + (lastFlushSeconds.map { now - $0 } ?? 1) * writesPerSecond)
        lastFlushSeconds = now
        // A file reload may since have given a running object's name to a file target (the file wins).
        let fileNames = Set(await runtime.fileTargetNames)
        for (key, entry) in entries where entry.state == .running && fileNames.contains(entry.name) {
            entries[key]?.state = .refused(
                reason: "NameConflict", message: "the config file already has a target named '\(entry.name)'")
            applied = nil  // the next watch event hands the objects to the runtime again
        }
        var candidates: [String: ScalingTargetStatus] = [:]
        for (key, entry) in entries {
            var summary: TargetSummary?
            var last: DecisionRecord?
            if entry.state == .running, let state = await runtime.targetState(entry.name) {
                (summary, last) = (state.summary, state.last)
            }
            candidates[key] = ScalingTargetStatusBuilder.status(
                generation: entry.generation, target: entry.name, state: entry.state, summary: summary, last: last, interval: interval,
                previous: written[key]?.status, now: now)
        }
        let chosen = StatusWrites.select(
            candidates, written: written.mapValues { ($0.status, $0.atSeconds) }, now: now, refreshSeconds: refreshSeconds,
            limit: Int(writeBudget.rounded(.down)))
        writeBudget -= Double(chosen.count)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for key in chosen {
            guard let entry = entries[key], let status = candidates[key] else { continue }
            do {
                let body = try encoder.encode(status)
                try await client.patchScalingTargetStatus(namespace: entry.namespace, name: entry.name, status: Array(body))
                written[key] = (status, now)
            } catch let error as OrchestratorError where error.kind == .notFound {
                continue  // deleted since the last watch event
            } catch {
                logger.warning("could not write a ScalingTarget's status", metadata: ["object": "\(key)", "error": "\(error)"])
            }
        }
    }

    /// What was last written to each object's status (for tests and the benchmark).
    public var writtenStatuses: [String: ScalingTargetStatus] { written.mapValues(\.status) }
}

/// Which statuses a flush writes. Pure.
enum StatusWrites {
    /// Never written and changed in meaning first, then refreshes due (unchanged in meaning, last
    /// written `refreshSeconds` ago or more), oldest first; at most `limit`. A status identical
    /// to the one written is never rewritten.
    static func select(
        _ candidates: [String: ScalingTargetStatus], written: [String: (status: ScalingTargetStatus, atSeconds: Double)], now: Double,
        refreshSeconds: Double, limit: Int
    ) -> [String] {
        var urgent: [(String, Double)] = [], refresh: [(String, Double)] = []
        for (key, status) in candidates {
            guard let previous = written[key] else { urgent.append((key, -.infinity)); continue }
            if previous.status == status { continue }
            if previous.status.significant != status.significant {
                urgent.append((key, previous.atSeconds))
            } else if now - previous.atSeconds >= refreshSeconds {
                refresh.append((key, previous.atSeconds))
            }
        }
        let order = { (a: (String, Double), b: (String, Double)) in (a.1, a.0) < (b.1, b.0) }
        return Array((urgent.sorted(by: order) + refresh.sorted(by: order)).prefix(max(0, limit)).map(\.0))
    }
}
