import Foundation
import Orchestrators

/// Where Events go: the API server (`KubernetesClient`), or a test double.
public protocol KubernetesEventSink: Sendable {
    func createEvent(_ event: KubernetesEventBody) async throws -> String
    func patchEvent(namespace: String, name: String, count: Int, lastTimestamp: String, message: String) async throws
}

extension KubernetesClient: KubernetesEventSink {}

/// Records Events the way Kubernetes' own recorder does, so that a controller ticking every 15 s
/// does not write an Event per tick:
/// - the same reason and message about the same object within `aggregateSeconds` (10 min)
///   counts on the first Event (`count`, `lastTimestamp`) instead of making a new one;
/// - each object gets at most `burst` (25) Events, refilled one per `refillSeconds` (5 min), as
///   client-go's spam filter; what is over is dropped and counted.
public actor EventRecorder {
    struct Seen {
        var name: String
        var count: Int
        var lastSeconds: Double
    }

    let sink: any KubernetesEventSink
    let instance: String
    let aggregateSeconds: Double
    let burst: Double
    let refillSeconds: Double
    private var seen: [String: Seen] = [:]
    private var tokens: [KubernetesObjectReference: (tokens: Double, atSeconds: Double)] = [:]
    private var sequence = 0
    public private(set) var dropped = 0

    public init(sink: any KubernetesEventSink, instance: String, aggregateSeconds: Double = 600, burst: Int = 25, refillSeconds: Double = 300) {
        self.sink = sink
        self.instance = instance
        self.aggregateSeconds = aggregateSeconds
        self.burst = Double(burst)
        self.refillSeconds = refillSeconds
    }

    /// Sends (or counts) one Event; returns what went wrong, if anything, for the caller's log.
    @discardableResult
    public func record(about object: KubernetesObjectReference, reason: String, message: String, warning: Bool, now: Double) async -> String? {
        let key = "\(object.namespace)/\(object.kind)/\(object.name)/\(object.uid ?? "")/\(reason)/\(message)"
        // One token per Event, refilled over time, per object.
        var bucket = tokens[object] ?? (burst, now)
        bucket.tokens = min(burst, bucket.tokens + max(0, now - bucket.atSeconds) / refillSeconds)
        bucket.atSeconds = now
        guard bucket.tokens >= 1 else {
            tokens[object] = bucket
            dropped += 1
            return nil
        }
        bucket.tokens -= 1
        tokens[object] = bucket
        if var previous = seen[key], now - previous.lastSeconds < aggregateSeconds {
            previous.count += 1
            previous.lastSeconds = now
            seen[key] = previous
            do {
                try await sink.patchEvent(
                    namespace: object.namespace, name: previous.name, count: previous.count, lastTimestamp: KubernetesTime.format(now), message: message)
                return nil
            } catch {
                // The Event is gone (expired after an hour): the next one starts again.
                seen[key] = nil
                return "\(error)"
            }
        }
        sequence += 1
        let name = "\(object.name).\(String(UInt64(max(0, now) * 1_000_000), radix: 16))\(String(sequence, radix: 16))"
        let body = KubernetesEventBody(name: name, involvedObject: object, reason: reason, message: message, warning: warning, time: now, instance: instance)
        do {
            _ = try await sink.createEvent(body)
            seen[key] = Seen(name: name, count: 1, lastSeconds: now)
            if seen.count > 10_000 { seen = seen.filter { now - $0.value.lastSeconds < aggregateSeconds } }
            return nil
        } catch {
            return "\(error)"
        }
    }
}
