import DecisionStorage
import Foundation
import Logging
import Orchestrators
import Pipeline

extension ScalingTargetSync {
    /// The Events the runtime's notes call for, then each object's status where it changed.
    func write(notes: [RuntimeNotes.Note], client: KubernetesClient, now: Double, interval: Double) async {
        let recorder: EventRecorder
        if let current = self.recorder, current.client == ObjectIdentifier(client) {
            recorder = current.recorder
        } else {
            recorder = EventRecorder(sink: client, instance: instance)
            self.recorder = (ObjectIdentifier(client), recorder)
        }
        var events = pending
        pending = []
        let byTarget = Dictionary(entries.values.filter(\.runs).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for note in notes {
            events += self.events(for: note, byTarget: byTarget, client: client, now: now)
        }
        for (object, reason, message, warning) in events {
            let text = message.count > 1000 ? String(message.prefix(997)) + "…" : message
            if let error = await recorder.record(about: object, reason: reason, message: text, warning: warning, now: now) {
                logger.warning(
                    "could not record an Event", metadata: ["object": "\(object.namespace)/\(object.name)", "reason": "\(reason)", "error": "\(error)"])
            }
        }
        await writeStatuses(client: client, now: now, interval: interval)
    }

    func events(for note: RuntimeNotes.Note, byTarget: [String: Entry], client: KubernetesClient, now: Double)
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
                // The runtime's own audit lines: `override … expired`, `override … removed`, else set.
                reason = event.detail.hasSuffix("expired") ? "OverrideExpired" : event.detail.hasSuffix("removed") ? "OverrideRemoved" : "OverrideSet"
            case .mode: reason = "ModeChanged"
            case .safety, .config: return []
            }
            out.append((entry.reference, reason, "\(event.detail) (by \(event.actor))", false))
        case .configReloaded:
            break
        }
        return out
    }

    func writeStatuses(client: KubernetesClient, now: Double, interval: Double) async {
        // A token bucket of `writesPerSecond`, holding at most 15 s worth (the longest flush interval).
        writeBudget = min(writesPerSecond * 15, writeBudget + (lastFlushSeconds.map { now - $0 } ?? 1) * writesPerSecond)
        lastFlushSeconds = now
        // A file reload may since have given a running object's name to a file target (the file wins).
        let fileNames = Set(await runtime.fileTargetNames)
        for (key, entry) in entries where entry.runs && fileNames.contains(entry.name) {
            entries[key]?.state = .refused(reason: "NameConflict", message: "the config file already has a target named '\(entry.name)'")
            entries[key]?.runs = false
        }
        var candidates: [String: (entry: Entry, status: ScalingTargetStatus)] = [:]
        for (key, entry) in entries {
            var summary: TargetSummary?
            var last: DecisionRecord?
            if entry.runs, let state = await runtime.targetState(entry.name) {
                (summary, last) = (state.summary, state.last)
            }
            let previous = written[key].flatMap { $0.uid == entry.uid ? $0.status : nil } ?? observedStatus(key)
            candidates[key] = (entry, ScalingTargetStatusBuilder.status(
                generation: entry.generation, target: entry.name, state: entry.state, summary: summary, last: last, interval: interval,
                previous: previous, now: now))
        }
        let chosen = StatusWrites.select(
            candidates.mapValues(\.status),
            written: written.compactMapValues { item in (item.status, item.atSeconds) }.filter { key, _ in written[key]?.uid == candidates[key]?.entry.uid },
            now: now, refreshSeconds: refreshSeconds, limit: Int(writeBudget.rounded(.down)))
        writeBudget -= Double(chosen.count)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for key in chosen {
            guard let (entry, status) = candidates[key] else { continue }
            do {
                let body = try encoder.encode(status)
                try await client.patchScalingTargetStatus(namespace: entry.namespace, name: entry.name, status: Array(body))
                // Only if the object is still the one written to (an apply may have run meanwhile).
                if entries[key]?.uid == entry.uid { written[key] = (entry.uid, status, now) }
            } catch let error as OrchestratorError where error.kind == .notFound {
                continue  // deleted since the last watch event
            } catch {
                logger.warning("could not write a ScalingTarget's status", metadata: ["object": "\(key)", "error": "\(error)"])
            }
        }
    }
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
