import App
import Controller
import DecisionStorage
import ForescaleConfig
import Foundation
import Hummingbird
import Logging
import MetricSources
import Orchestrators
import Planner
import ServiceLifecycle
import Simulation

/// What `forescale demo` runs.
public struct DemoOptions: Sendable {
    /// A `timestamp,value` CSV of arrivals (the World Cup 98 minutes shipped in `Examples/traces`).
    public var tracePath: String
    /// Simulated seconds per real second.
    public var speed = 720.0
    /// Days of the trace before the demo's start that the forecaster is backfilled with.
    public var historyDays = 2.0
    /// Simulated days the demo runs.
    public var days = 2.0
    /// The share of the run after which Forescale goes live (the first part is shadow mode
    /// beside the incumbent reactive autoscaler).
    public var liveAfter = 0.5
    /// The status API and dashboard address.
    public var host = "127.0.0.1"
    public var port = 8080
    /// Where the decision log goes; a fresh temporary folder by default.
    public var directory: String?
    /// The target's minimum replicas; 0 lets it sleep (with the incumbent as KEDA's scale to zero).
    public var minReplicas = 1

    public init(tracePath: String) { self.tracePath = tracePath }
}

/// Scorecards of the two halves, for the closing report.
public struct DemoSummary: Sendable {
    public var shadow: Scorecard
    public var live: Scorecard?
    public var directory: String
    public var statusURL: String
}

/// Runs the production controller — reconcile loop, status API, decision log — on an accelerated
/// clock against a simulated consumer group served over HTTP on 127.0.0.1.
public enum DemoRunner {
    public static let target = "worldcup-consumer"

    public static func run(_ options: DemoOptions, logger: Logger, print: @escaping @Sendable (String) -> Void) async throws -> DemoSummary {
        let trace: Trace
        if options.tracePath == DemoWorkload.name {
            trace = DemoWorkload.businessHours(days: Int((options.historyDays + options.days).rounded(.up)) + 1)
        } else {
            do { trace = try Trace.load(path: options.tracePath) } catch {
                throw StartupError("--trace \(options.tracePath): \(error)")
            }
        }
        let start = trace.start + options.historyDays * 86_400
        let span = options.days * 86_400
        let all = trace.arrivalsPerSecond()
        let offset = Int(options.historyDays * 86_400)
        guard all.count >= offset + Int(span) else {
            throw StartupError("--trace \(options.tracePath): \(Int(trace.spanSeconds / 86_400)) days; the demo needs \(options.historyDays + options.days)")
        }
        let arrivals = Array(all[offset..<(offset + Int(span))])
        // One replica drains a sixteenth of the busiest minute: the peak needs about 16 replicas at full load.
        let peak = stride(from: 0, to: arrivals.count, by: 60).map { arrivals[$0] }.max() ?? 1
        let capacity = max(1, (peak / 16).rounded())
        let mean = arrivals.reduce(0, +) / Double(arrivals.count)
        let clock = AcceleratedClock(start: start, speed: options.speed)
        let queue = DemoQueue(
            arrivals: arrivals, start: start, capacityPerReplica: capacity, startupSeconds: 120,
            replicas: max(1, Int((mean / capacity / 0.7).rounded(.up))))
        let incumbent = KEDAController(capacity: capacity, utilization: 0.7, minReplicas: options.minReplicas, maxReplicas: 60)
        let cluster = DemoCluster(queue: queue, history: DemoQueue.history(of: trace, before: start), clock: clock, incumbent: incumbent)

        var chosen = options
        if chosen.port != 0, !portIsFree(host: chosen.host, port: chosen.port) {
            print("\(chosen.host):\(chosen.port) is in use: the status API takes a free port instead")
            chosen.port = 0
        }
        let options = chosen
        let directory = options.directory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("forescale-demo-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let token = UUID().uuidString.lowercased()
        try token.write(toFile: "\(directory)/token", atomically: true, encoding: .utf8)

        var clusterLogger = logger
        clusterLogger.logLevel = .critical
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let clusterApp = Application(
            router: cluster.router(),
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0), serverName: "forescale-demo-cluster"),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: clusterLogger)

        return try await withThrowingTaskGroup(of: DemoSummary?.self) { group in
            group.addTask {
                try await clusterApp.run()
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else { throw StartupError("the simulated cluster could not listen") }
            let clusterURL = "http://127.0.0.1:\(port)"
            let configPath = "\(directory)/forescale.yaml"
            try configText(clusterURL: clusterURL, directory: directory, capacity: capacity, history: options.historyDays, options: options)
                .write(toFile: configPath, atomically: true, encoding: .utf8)
            let config: Config
            switch ConfigLoader.loadResult(path: configPath) {
            case .success(let value): config = value
            case .failure(let errors): throw StartupError("the demo's config: \(errors)")
            }
            let app = try await ControllerApp.start(
                config: config, configPath: configPath, clock: clock, logger: logger,
                sourceContext: SourceContext(transport: HTTPTransport(clock: clock), clock: clock),
                factory: OrchestratorFactory(clock: clock), listen: (options.host, options.port))
            let driver = DemoDriver(
                cluster: cluster, runtime: app.runtime, clock: clock, start: start, end: start + span,
                liveAt: start + span * options.liveAfter, print: print)
            let listening = ListeningBox()
            try await app.serve(
                backfill: true, extraServices: [.init(service: driver, successTerminationBehavior: .gracefullyShutdownGroup)]
            ) { url in
                listening.set(url)
                let traffic = options.tracePath == DemoWorkload.name
                    ? "a business-hours consumer (weekdays 07:00–15:00 UTC, silent otherwise)" : "World Cup 98 traffic"
                let zero = options.minReplicas == 0
                    ? "\nMin replicas 0: watch the last replica go after the idle period and the predictive wake-up before 07:00; the incumbent is KEDA's scale to zero."
                    : ""
                print("""
                    Forescale demo: \(traffic), \(Self.format(options.days)) simulated days at \(Int(options.speed))× (a day every \(Self.format(86_400 / options.speed / 60)) min).
                    Dashboard and status API: \(url)/   (token for the controls: \(token))
                    Decision log: \(directory)/decisions.sqlite · Ctrl-C stops at any time.
                    Shadow mode beside a KEDA-equivalent autoscaler first; Forescale goes live after \(Int(options.liveAfter * 100)) %.\(zero)
                    """)
            }
            group.cancelAll()
            let liveAt = await driver.switchedAt
            let endedAt = min(clock.now().timeIntervalSince1970, start + span)
            let log = try DecisionLog.open(path: "\(directory)/decisions.sqlite", retentionSeconds: 14 * 86_400)
            defer { try? log.close() }
            let maxGap = 60.0
            let inputs = try log.scoreInputs(target: target, from: start - maxGap, to: endedAt + 1)
            let shadowEnd = liveAt ?? endedAt
            let shadow = Scorecard.compute(target: target, inputs: inputs, from: start, to: shadowEnd, maxGapSeconds: maxGap)
            let live = liveAt.map { Scorecard.compute(target: target, inputs: inputs, from: $0, to: endedAt, maxGapSeconds: maxGap) }
            return DemoSummary(shadow: shadow, live: live, directory: directory, statusURL: listening.value ?? "")
        }
    }

    static func configText(clusterURL: String, directory: String, capacity: Double, history: Double, options: DemoOptions) -> String {
        // `forescale demo --listen` overrides this at start-up (port 0, a free port, is not a config value).
        let port = options.port == 0 ? 8080 : options.port
        let listen = options.host.contains(":") ? "[\(options.host)]:\(port)" : "\(options.host):\(port)"
        return """
            # Written by `forescale demo`: the simulated cluster at \(clusterURL).
            controller:
              interval: 15s
              mode: shadow
              backfill: \(Int(history * 24))h
              status: { listen: '\(listen)', tokenFile: '\(directory)/token' }
              decisionLog: { path: '\(directory)/decisions.sqlite' }
            sources:
              cluster: { type: prometheus, url: '\(clusterURL)', timeout: 5s }
            orchestrators:
              cluster: { type: webhook, url: '\(clusterURL)/scale', timeout: 5s }
            targets:
              - name: \(target)
                scale: { orchestrator: cluster, name: \(target) }
                replicas: { min: \(options.minReplicas), max: 60 }
                metrics:
                  lag: { source: cluster, query: demo_lag }
                  arrivalRate: { source: cluster, query: demo_arrival_rate }
                  throughput: { source: cluster, query: demo_throughput }
                capacity: { perReplica: \(ConfigValues.formatNumber(capacity)) }
                slo: { latency: 60s }
                startup: 120s
            """
    }

    static func format(_ value: Double) -> String { ConfigValues.formatNumber((value * 10).rounded() / 10) }

    /// The closing report.
    public static func report(_ summary: DemoSummary) -> String {
        func hours(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "—" }
        func minutes(_ value: Double) -> String { String(format: "%.0f", value) }
        func ratio(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "—" }
        let s = summary.shadow
        var lines = [
            "",
            "Scorecard — \(target)",
            "",
            "                                  shadow (KEDA ran)   live (Forescale ran)",
        ]
        func row(_ name: String, _ a: String, _ b: String) -> String {
            name.padding(toLength: 34, withPad: " ", startingAt: 0) + a.padding(toLength: 20, withPad: " ", startingAt: 0) + b
        }
        let l = summary.live
        lines.append(row("replica-hours that ran", hours(s.actualReplicaHours), hours(l?.actualReplicaHours)))
        lines.append(row("replica-hours Forescale asked", hours(s.plannedReplicaHours), hours(l?.plannedReplicaHours)))
        lines.append(row("replica-hours reactive asked", hours(s.reactiveReplicaHours), hours(l?.reactiveReplicaHours)))
        lines.append(row("minutes over the 60 s SLO", minutes(s.sloBreachMinutes), l.map { minutes($0.sloBreachMinutes) } ?? "—"))
        lines.append(row("scale actions that ran", "\(s.actualActions)", l.map { "\($0.actualActions)" } ?? "—"))
        lines.append(row("forecast MASE (< 1 beats naive)", ratio(s.forecastMASE), ratio(l?.forecastMASE)))
        lines.append(row("p90 coverage", ratio(s.forecastCoverage), ratio(l?.forecastCoverage)))
        lines.append("")
        if s.actualReplicaHours > 0 {
            let change = (s.plannedReplicaHours - s.actualReplicaHours) / s.actualReplicaHours * 100
            lines.append(
                "In shadow, going live would have changed replica-hours by \(String(format: "%+.1f", change)) % against what ran, "
                    + "with \(minutes(s.sloBreachMinutesPlanHadMore)) SLO-breach minutes in which Forescale had planned more replicas "
                    + "and \(minutes(s.sloBreachMinutesPlanHadLess)) in which it had planned fewer.")
        }
        lines.append("Every decision, with its explanation: \(summary.directory)/decisions.sqlite")
        return lines.joined(separator: "\n")
    }
}

/// The status API's address once it listens.
final class ListeningBox: Sendable {
    private let url = Mutex<String?>(nil)
    func set(_ value: String) { url.withLock { $0 = value } }
    var value: String? { url.withLock { $0 } }
}

import Synchronization

/// Prints the progress line, switches Forescale to live at `liveAt`, and ends the run at `end`.
actor DemoDriver: Service {
    let cluster: DemoCluster
    let runtime: ControllerRuntime
    let clock: AcceleratedClock
    let start: Double
    let end: Double
    let liveAt: Double
    let print: @Sendable (String) -> Void
    private(set) var switchedAt: Double?

    init(
        cluster: DemoCluster, runtime: ControllerRuntime, clock: AcceleratedClock, start: Double, end: Double, liveAt: Double,
        print: @escaping @Sendable (String) -> Void
    ) {
        self.cluster = cluster
        self.runtime = runtime
        self.clock = clock
        self.start = start
        self.end = end
        self.liveAt = liveAt
        self.print = print
    }

    func run() async throws {
        // Let the status API print its address first.
        do { try await cancelWhenGracefulShutdown { try await Task.sleep(nanoseconds: 300_000_000) } } catch { return }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let now = clock.now().timeIntervalSince1970
            if switchedAt == nil, now >= liveAt {
                await cluster.retireIncumbent()
                _ = try? await runtime.setMode(.live, target: nil, actor: "demo")
                switchedAt = now
                print("— \(Self.when(now, start: start)): Forescale is live; the reactive autoscaler is retired —")
            }
            let queue = await cluster.snapshot
            let summary = await runtime.targetSummaries().first
            print(Self.line(queue: queue, summary: summary, start: start, end: end, now: now))
            if now >= end || queue.finished { return }
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(nanoseconds: 1_000_000_000) } } catch { return }
        }
    }

    static func when(_ time: Double, start: Double) -> String {
        let elapsed = max(0, time - start)
        let day = Int(elapsed / 86_400) + 1
        let date = Date(timeIntervalSince1970: time)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        return String(format: "day %d %02d:%02d UTC", day, parts.hour ?? 0, parts.minute ?? 0)
    }

    static func line(queue: DemoQueue, summary: TargetSummary?, start: Double, end: Double, now: Double) -> String {
        let done = Int(min(100, max(0, (now - start) / (end - start) * 100)))
        let mode = summary?.mode.rawValue ?? "starting"
        let plan = summary?.desiredReplicas.map { "\($0)" } ?? "—"
        let wait = queue.throughput > 0 ? queue.backlog / queue.throughput : 0
        return String(
            format: "%@ %3d%% | %6.1f msg/s | replicas %2d (ready %2d) | Forescale plans %@ | lag %6.0f (%4.0f s) | %@",
            when(now, start: start), done, queue.arrivalRate, queue.desired, queue.ready, plan, queue.backlog, wait, mode)
    }
}

/// Whether a TCP listener could bind `host:port` now (IPv4 hosts; anything else is assumed free).
func portIsFree(host: String, port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return true }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return true }
    var reuse: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    return result == 0
}
