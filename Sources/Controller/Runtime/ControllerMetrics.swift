import Foundation
import Pipeline
import Prometheus
import Synchronization

/// The controller's Prometheus metrics, served by `GET /metrics`.
///
/// Wraps its own `PrometheusCollectorRegistry`: nothing here bootstraps the global `MetricsSystem`,
/// so any number of instances can live side by side (one per test). Every method is thread-safe.
/// Label values are the caller's target, source and metric names and bounded reason codes.
public final class ControllerMetrics: Sendable {
    /// The registry the metrics are kept in; exposed for callers that add their own collectors.
    public let registry: PrometheusCollectorRegistry

    /// Buckets of `forescale_source_fetch_seconds`, in seconds.
    public static let fetchBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
    /// Buckets of `forescale_tick_seconds`, in seconds.
    public static let tickBuckets: [Double] = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    /// The metric objects made so far, by name and labels: the registry's `make…` copies its whole
    /// family on every call, which costs O(targets) per decision with a thousand targets.
    private let made = Mutex<[String: any Sendable]>([:])

    /// `forescale_decisions_total` and `forescale_safety_transitions_total` are kept here rather than
    /// in the registry: their label sets keep growing (target × reason), and each new one would copy
    /// the registry's whole family.
    private let decisionCounts = LabelledCounters(
        name: "forescale_decisions_total", help: "Decisions made, by target and reason code (none when no guardrail applied).",
        labels: ["target", "reason"])
    private let safetyCounts = LabelledCounters(
        name: "forescale_safety_transitions_total", help: "Safety-state transitions, by target and new state.",
        labels: ["target", "state"])
    private let writeFailureCounts = LabelledCounters(
        name: "forescale_orchestrator_write_failures_total",
        help: "Live writes of a replica count that failed, by target and error kind (forbidden, conflict, timeout, deadline, ...).",
        labels: ["target", "kind"])

    /// Creates the metrics in a fresh registry, or in `registry` when given.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    // MARK: Recording

    /// Records one decision of a target.
    ///
    /// Increments `forescale_decisions_total{target,reason}` once per reason (`reason="none"` when
    /// there is none) and sets the gauges `forescale_desired_replicas`, `forescale_reactive_replicas`
    /// (only when `reactive` is known), `forescale_current_replicas` and `forescale_target_live` (1 in
    /// live mode, 0 in shadow mode).
    public func recordDecision(target: String, reasons: [String], mode: RunMode, desired: Int, reactive: Int?, current: Int) {
        for reason in reasons.isEmpty ? ["none"] : reasons {
            decisionCounts.increment([target, reason])
        }
        gauge(Self.desired, [("target", target)]).set(Double(desired))
        if let reactive {
            gauge(Self.reactive, [("target", target)]).set(Double(reactive))
        }
        gauge(Self.current, [("target", target)]).set(Double(current))
        gauge(Self.live, [("target", target)]).set(mode == .live ? 1.0 : 0.0)
    }

    /// Records the forecast a target's tick used: `forescale_forecast_arrival_rate{target,quantile}`
    /// with `quantile="0.5"` for `p50` and `quantile="upper"` for `upper`; a `nil` value is left as it was.
    ///
    /// - Parameter observed: the arrival rate observed this tick; accepted for the caller's convenience
    ///   and not exported (the forecast error is `recordForecastError(target:absoluteError:)`).
    public func recordForecast(target: String, p50: Double?, upper: Double?, observed: Double?) {
        if let p50 {
            gauge(Self.forecastRate, [("target", target), ("quantile", "0.5")]).set(p50)
        }
        if let upper {
            gauge(Self.forecastRate, [("target", target), ("quantile", "upper")]).set(upper)
        }
    }

    /// Sets `forescale_forecast_abs_error{target}`: |p50 − observed| of the forecast made one horizon ago.
    public func recordForecastError(target: String, absoluteError: Double) {
        gauge(Self.forecastError, [("target", target)]).set(absoluteError)
    }

    /// Sets `forescale_startup_seconds{target}`: the median time from a scale-up to its replicas
    /// being ready, as the orchestrator reported it (used for the plan with `learnStartup`).
    public func recordStartup(target: String, seconds: Double) {
        gauge(Self.startup, [("target", target)]).set(seconds)
    }

    /// Records one metric read: observes `forescale_source_fetch_seconds{source,metric}` and, when
    /// `errorKind` is set, increments `forescale_source_fetch_errors_total{source,metric,kind}`.
    public func recordFetch(source: String, metric: String, seconds: Double, errorKind: String?) {
        cached(Self.fetchSeconds, [("source", source), ("metric", metric)]) { descriptor, labels in
            registry.makeValueHistogram(descriptor: descriptor, labels: labels, buckets: Self.fetchBuckets)
        }.record(seconds)
        if let errorKind {
            counter(Self.fetchErrors, [("source", source), ("metric", metric), ("kind", errorKind)]).increment()
        }
    }

    /// Observes one whole tick's duration in `forescale_tick_seconds`.
    public func recordTick(seconds: Double) {
        cached(Self.tickSeconds, []) { descriptor, _ in
            registry.makeValueHistogram(descriptor: descriptor, buckets: Self.tickBuckets)
        }.record(seconds)
    }

    /// Sets `forescale_dropped_decisions`: decision-log rows dropped so far because the write queue was full.
    public func recordDroppedDecisions(total: Int) {
        gauge(Self.dropped, []).set(Double(total))
    }

    /// Counts one safety-state transition of a target in `forescale_safety_transitions_total{target,state}`.
    public func recordSafety(target: String, state: String) {
        safetyCounts.increment([target, state])
    }

    /// Counts one failed live write in `forescale_orchestrator_write_failures_total{target,kind}`.
    public func recordWriteFailure(target: String, kind: String) {
        writeFailureCounts.increment([target, kind])
    }

    /// Sets `forescale_leader` (1 while this replica leads, 0 otherwise; only with leader election).
    public func recordLeader(_ leading: Bool) {
        gauge(Self.leader, []).set(leading ? 1.0 : 0.0)
    }

    /// Counts one leader-election attempt in `forescale_lease_attempts_total` and, when it could
    /// not read or write the lease, in `forescale_lease_errors_total{kind}`.
    public func recordLeaseAttempt(failedKind: String?) {
        counter(Self.leaseAttempts, []).increment()
        if let failedKind { counter(Self.leaseErrors, [("kind", failedKind)]).increment() }
    }

    // MARK: Exposition

    /// The Prometheus text exposition format (version 0.0.4) of every metric recorded so far.
    public func exposition() -> String {
        registry.emitToString() + decisionCounts.exposition() + safetyCounts.exposition() + writeFailureCounts.exposition()
    }

    // MARK: Names

    private func counter(_ descriptor: MetricNameDescriptor, _ labels: [(String, String)]) -> Counter {
        cached(descriptor, labels) { registry.makeCounter(descriptor: $0, labels: $1) }
    }

    private func gauge(_ descriptor: MetricNameDescriptor, _ labels: [(String, String)]) -> Gauge {
        cached(descriptor, labels) { registry.makeGauge(descriptor: $0, labels: $1) }
    }

    /// The metric of this name and labels, made once.
    private func cached<M: Sendable>(
        _ descriptor: MetricNameDescriptor, _ labels: [(String, String)],
        make: (MetricNameDescriptor, [(String, String)]) -> M
    ) -> M {
        var key = descriptor.metricName
        for (name, value) in labels {
            key += "\u{1}"
            key += name
            key += "\u{2}"
            key += value
        }
        if let metric = made.withLock({ $0[key] }) as? M { return metric }
        let metric = make(descriptor, labels)
        made.withLock { $0[key] = metric }
        return metric
    }

    private static func name(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    private static var desired: MetricNameDescriptor {
        name("forescale_desired_replicas", "The replica count the last decision asked for, after safety and overrides.")
    }
    private static var reactive: MetricNameDescriptor {
        name("forescale_reactive_replicas", "The replica count the reactive baseline asked for in the last tick.")
    }
    private static var current: MetricNameDescriptor {
        name("forescale_current_replicas", "The workload's replica count when the last tick observed it.")
    }
    private static var live: MetricNameDescriptor {
        name("forescale_target_live", "1 when the target runs in live mode, 0 in shadow mode.")
    }
    private static var forecastRate: MetricNameDescriptor {
        name("forescale_forecast_arrival_rate", "The forecast arrival rate (messages per second) at the decision horizon.")
    }
    private static var forecastError: MetricNameDescriptor {
        name("forescale_forecast_abs_error", "Absolute error of the median forecast made one horizon ago (messages per second).")
    }
    private static var startup: MetricNameDescriptor {
        name("forescale_startup_seconds", "The median observed time from a scale-up to its replicas being ready (seconds).")
    }
    private static var fetchSeconds: MetricNameDescriptor {
        name("forescale_source_fetch_seconds", "Duration of metric reads, by source and metric.")
    }
    private static var fetchErrors: MetricNameDescriptor {
        name("forescale_source_fetch_errors_total", "Failed metric reads, by source, metric and error kind.")
    }
    private static var tickSeconds: MetricNameDescriptor {
        name("forescale_tick_seconds", "Duration of whole reconcile ticks.")
    }
    private static var leader: MetricNameDescriptor {
        name("forescale_leader", "1 while this replica holds the leader-election lease, 0 otherwise (only with controller.leaderElection).")
    }
    private static var leaseAttempts: MetricNameDescriptor {
        name("forescale_lease_attempts_total", "Leader-election attempts (one every retry period).")
    }
    private static var leaseErrors: MetricNameDescriptor {
        name("forescale_lease_errors_total", "Leader-election attempts that could not read or write the lease, by error kind.")
    }
    private static var dropped: MetricNameDescriptor {
        name("forescale_dropped_decisions", "Decision-log rows dropped because the write queue was full.")
    }
}

/// A counter family kept as a dictionary and written in the text exposition format, in label order.
final class LabelledCounters: Sendable {
    let name: String
    let help: String
    let labels: [String]
    private let counts = Mutex<[[String]: Int]>([:])

    init(name: String, help: String, labels: [String]) {
        self.name = name
        self.help = help
        self.labels = labels
    }

    func increment(_ values: [String]) {
        counts.withLock { $0[values, default: 0] += 1 }
    }

    func exposition() -> String {
        let snapshot = counts.withLock { $0 }
        guard !snapshot.isEmpty else { return "" }
        var text = "# HELP \(name) \(help)\n# TYPE \(name) counter\n"
        for (values, count) in snapshot.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            text += name + "{"
            text += zip(labels, values).map { "\($0)=\"\(Self.escaped($1))\"" }.joined(separator: ",")
            text += "} \(count)\n"
        }
        return text
    }

    /// Label values escape backslash, double quote and line feed.
    static func escaped(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return value }
        return value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
