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
        /// Whether a target of this object's runs (its spec's, or its last valid spec's while the
        /// current one is invalid).
        var runs = false
        /// The scaled workload, for Events on it.
        var workload: KubernetesTarget?
        /// The mode its spec asks for, to tell of a change.
        var mode: RunMode?

        var reference: KubernetesObjectReference {
            KubernetesObjectReference(
                apiVersion: ScalingTargetResource.apiVersion, kind: ScalingTargetResource.kind, namespace: namespace, name: name, uid: uid)
        }
    }

    let runtime: ControllerRuntime
    let logger: Logger
    let instance: String
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
    /// Whether a target that joins is seeded from history first (`run --once` has its own say).
    var backfill = true

    /// By `namespace/name`.
    var entries: [String: Entry] = [:]
    /// The objects as last handed in, to check again after a reload of the config file.
    private var objects: [String: ScalingTargetObject] = [:]
    /// The targets last handed to the runtime, and what it refused of them.
    private var applied: [TargetConfig]?
    private var refusals: [String: ClusterTargetRefusal] = [:]
    /// Each object's last valid target and its generation, run while a later spec is invalid.
    private var lastValid: [String: (uid: String?, generation: Int?, target: TargetConfig)] = [:]
    /// What was written to each object's status (with the object's uid: a new object starts over).
    var written: [String: (uid: String?, status: ScalingTargetStatus, atSeconds: Double)] = [:]
    var lastFlushSeconds: Double?
    var writeBudget: Double = 0
    var lastWouldScale: [String: Double] = [:]
    /// Events waiting for the next flush (an invalid spec, a refused object, a mode switch).
    var pending: [(KubernetesObjectReference, String, String, Bool)] = []
    private var reportedProblems: [String: String] = [:]
    var recorder: (client: ObjectIdentifier, recorder: EventRecorder)?

    init(runtime: ControllerRuntime, logger: Logger, instance: String, writesPerSecond: Double = 5, refreshSeconds: Double = 300,
         wouldScaleSeconds: Double = 300) {
        self.runtime = runtime
        self.logger = logger
        self.instance = instance
        self.writesPerSecond = writesPerSecond
        self.refreshSeconds = refreshSeconds
        self.wouldScaleSeconds = wouldScaleSeconds
        (applies, appliedSignal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Validates every object and hands the targets to the runtime when they changed (the watch
    /// also reports the controller's own status writes).
    /// - A name belongs to the object that runs it, else to the oldest object: a new object never
    ///   takes a running target's name.
    /// - An object whose spec became invalid keeps running its last valid spec (and says so).
    public func apply(_ objects: [String: ScalingTargetObject]) async {
        self.objects = objects
        let config = await runtime.config
        let fileNames = Set(await runtime.fileTargetNames)
        let owners = Dictionary(entries.filter(\.value.runs).map { ($0.value.name, $0.key) }, uniquingKeysWith: { a, _ in a })
        let ordered = objects.sorted { a, b in
            let ownsA = owners[a.value.metadata?.name ?? ""] == a.key, ownsB = owners[b.value.metadata?.name ?? ""] == b.key
            if ownsA != ownsB { return ownsA }
            let createdA = a.value.metadata?.creationTimestamp ?? "", createdB = b.value.metadata?.creationTimestamp ?? ""
            return createdA != createdB ? createdA < createdB : a.key < b.key
        }
        var next: [String: Entry] = [:]
        var targets: [TargetConfig] = []
        var owner: [String: String] = [:]
        for (key, object) in ordered {
            guard let meta = object.metadata, let name = meta.name else { continue }
            let namespace = meta.namespace ?? ""
            var entry = Entry(namespace: namespace, name: name, uid: meta.uid, generation: meta.generation, state: .running)
            if let previous = lastValid[key], previous.uid != meta.uid { lastValid[key] = nil }
            var target: TargetConfig?
            switch ScalingTargetSpec.target(name: name, namespace: namespace, spec: object.spec ?? .object([:]), config: config) {
            case .failure(let errors):
                var problems = errors.problems.map(\.description)
                if let last = lastValid[key] {
                    problems.append("the last valid spec (generation \(last.generation.map(String.init) ?? "?")) keeps running")
                    target = last.target
                }
                entry.state = .invalid(problems)
            case .success(let valid):
                lastValid[key] = (meta.uid, meta.generation, valid)
                target = valid
            }
            if let target {
                if fileNames.contains(target.name) {
                    entry.state = .refused(reason: "NameConflict", message: "the config file already has a target named '\(target.name)'")
                } else if let other = owner[target.name] {
                    entry.state = .refused(
                        reason: "NameConflict", message: "ScalingTarget \(other) already runs as target '\(target.name)'; rename one of them")
                } else {
                    owner[target.name] = key
                    targets.append(target)
                    entry.runs = true
                    entry.mode = target.mode
                    if case .kubernetes(let workload)? = try? ConfigWiring.scaleSettings(target) { entry.workload = workload }
                }
            }
            if let before = entries[key], before.runs, entry.runs, before.uid == entry.uid, before.mode != entry.mode {
                let from = before.mode?.rawValue ?? "the controller's", to = entry.mode?.rawValue ?? "the controller's"
                pending.append((entry.reference, "ModeChanged", "spec.mode \(from) → \(to)", false))
            }
            next[key] = entry
        }
        if targets != applied {
            refusals = await runtime.setClusterTargets(targets, backfill: backfill)
            applied = targets
        }
        for (key, entry) in next where entry.runs {
            guard let refusal = refusals[entry.name] else { continue }
            switch refusal.kind {
            case .nameTaken:
                next[key]?.state = .refused(reason: "NameConflict", message: refusal.message)
                next[key]?.runs = false
            case .wiring:
                // A new target does not run; a running one keeps its earlier settings.
                next[key]?.state = .refused(reason: "WiringFailed", message: refusal.message)
                next[key]?.runs = await runtime.targetState(entry.name) != nil
            }
        }
        for (key, entry) in next {
            let problem: (String, String)? = switch entry.state {
            case .invalid(let problems): ("InvalidSpec", problems.joined(separator: "; "))
            case .refused(let reason, let message): (reason, message)
            case .running: nil
            }
            let signature = problem.map { "\(entry.uid ?? ""):\(entry.generation ?? 0):\($0.0):\($0.1)" }
            if let problem, reportedProblems[key] != signature {
                pending.append((entry.reference, problem.0, problem.1, true))
                logger.warning("ScalingTarget not run as written", metadata: ["object": "\(key)", "reason": "\(problem.0)", "problem": "\(problem.1)"])
            }
            reportedProblems[key] = signature
        }
        for key in entries.keys where next[key] == nil {
            written[key] = nil
            reportedProblems[key] = nil
            lastValid[key] = nil
        }
        entries = next
        appliedSignal.yield()
    }

    func setBackfill(_ value: Bool) { backfill = value }

    /// Checks every object again against the config in force (after a reload of the file).
    func reapply() async {
        applied = nil
        await apply(objects)
    }

    /// Drops the Events waiting for a flush (a replica that does not lead writes none, and must
    /// not post stale ones when it comes to lead).
    func discardPending() { pending.removeAll() }

    /// Each object's state, by `namespace/name`.
    public var states: [String: ScalingTargetState] { entries.mapValues(\.state) }

    /// The status conditions an object carries (written by an earlier process or replica): their
    /// transition times carry over.
    func observedStatus(_ key: String) -> ScalingTargetStatus? {
        guard let conditions = objects[key]?.status?.conditions, !conditions.isEmpty else { return nil }
        return ScalingTargetStatus(conditions: conditions.map {
            .init(type: $0.type, status: $0.status, reason: "", message: "", lastTransitionTime: $0.lastTransitionTime ?? "", observedGeneration: nil)
        })
    }

    /// What was last written to each object's status (for tests and the benchmark).
    public var writtenStatuses: [String: ScalingTargetStatus] { written.mapValues(\.status) }
}
