import Controller
import Pipeline
import Synchronization

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
