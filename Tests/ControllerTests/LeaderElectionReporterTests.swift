import Controller
import Logging
import Orchestrators
import Synchronization
import Testing

@Suite("Leader election made visible")
struct LeaderElectionReporterTests {
    @Test("a failing lease is a warning naming the cause; leadership changes are logged, set forescale_leader and reach /v1/status at once")
    func notesBecomeLogsMetricsAndStatusChanges() throws {
        let lines = Mutex<[String]>([])
        let logger = Logger(label: "test") { label in JSONLogHandler(label: label, sink: { line in lines.withLock { $0.append(line) } }) }
        let metrics = ControllerMetrics()
        let version = StatusVersion()
        let reporter = LeaderElectionReporter(logger: logger, metrics: metrics, statusVersion: version)
        let denied = OrchestratorError(
            .forbidden, "GET /apis/coordination.k8s.io/v1/namespaces/ops/leases/forescale: forbidden: needs get on leases in namespace ops")

        reporter.note(.leaseFailing(denied, description: "lease ops/forescale", consecutive: 1))
        reporter.note(.attempted(failure: denied))
        reporter.note(.attempted(failure: nil))
        #expect(version.current.changes == 1)
        let warning = try #require(lines.withLock { $0.first })
        #expect(warning.contains(#""level":"warning""#))
        #expect(warning.contains("needs get on leases in namespace ops"))
        #expect(warning.contains("lease ops/forescale"))

        reporter.note(.leaseRecovered(description: "lease ops/forescale", afterFailures: 4))
        reporter.note(.leadership(leading: true, identity: "pod-1_abc", holder: "pod-1_abc"))
        // Each changes what `GET /v1/status` shows (`leader`, `leaseError`): the cached body is not reused.
        #expect(version.current.changes == 3)
        #expect(lines.withLock { $0.count } == 3)
        #expect(lines.withLock { $0.last }?.contains("this replica leads") == true)
        var text = metrics.exposition()
        #expect(text.contains("forescale_leader 1"), "\(text)")
        #expect(text.contains(#"forescale_lease_errors_total{kind="forbidden"} 1"#), "\(text)")
        #expect(text.contains("forescale_lease_attempts_total 2"), "\(text)")

        reporter.note(.leadership(leading: false, identity: "pod-1_abc", holder: "pod-2_def"))
        text = metrics.exposition()
        #expect(text.contains("forescale_leader 0"))
        #expect(lines.withLock { $0.last }?.contains("pod-2_def") == true)
    }
}

@Suite("Start-up metric")
struct StartupMetricTests {
    @Test("forescale_startup_seconds is exported per target")
    func exported() {
        let metrics = ControllerMetrics()
        metrics.recordStartup(target: "orders", seconds: 95)
        let text = metrics.exposition()
        #expect(text.contains(#"forescale_startup_seconds{target="orders"} 95"#), "\(text)")
    }
}
