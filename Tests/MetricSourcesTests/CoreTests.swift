import ForescaleTestKit
import MetricSources
import NIOCore
import Planner
import Testing

@Suite("Outcomes, registry and concurrent fetch")
struct CoreTests {
    @Test func errorKindsAreBoundedLabels() {
        #expect(FetchErrorKind.allCases.map(\.rawValue) == [
            "timeout", "connection", "httpStatus", "decode", "upstream", "invalidValue", "tooLarge", "config",
        ])
    }

    @Test(arguments: [
        (MetricOutcome.value(5, timestamp: 100), Sample(5.0, ageSeconds: 20) as Sample<Double>?),
        (.value(5, timestamp: 130), Sample(5.0, ageSeconds: 0)),
        (.empty("none"), nil),
        // An old value is the value with its age: the step judges staleness (staleAfter), not the source.
        (.value(5, timestamp: 0), Sample(5.0, ageSeconds: 120)),
        (.failed(FetchError(.timeout, "slow")), nil),
    ])
    func outcomeToSample(outcome: MetricOutcome, expected: Sample<Double>?) {
        #expect(outcome.sample(now: 120) == expected)
    }

    @Test func registryBuildsEachTypeAndRejectsUnknownOnes() throws {
        let registry = SourceRegistry.standard
        #expect(registry.typeNames == ["burrow", "json", "nats", "prometheus", "rabbitmq"])
        let context = SourceContext(clock: ManualClock(1_700_000_000))
        #expect(try registry.make(settings("prometheus", url: "http://p:9090"), context: context) is PrometheusSource)
        #expect(try registry.make(settings("burrow", url: "http://b:8000", cluster: "main"), context: context) is BurrowSource)
        #expect(try registry.make(settings("rabbitmq", url: "http://r:15672"), context: context) is RabbitMQSource)
        #expect(try registry.make(settings("nats", url: "http://n:8222"), context: context) is NATSSource)
        #expect(try registry.make(settings("json", url: "https://j"), context: context) is JSONSource)
        #expect(throws: FetchError.self) { try registry.make(settings("graphite", url: "http://g"), context: context) }
        #expect(throws: FetchError.self) { try registry.make(settings("burrow", url: "http://b"), context: context) }
        #expect(throws: FetchError.self) { try registry.make(settings("json", url: "ftp://x"), context: context) }
    }

    @Test func missingCAFileIsAConfigError() async {
        var s = settings("prometheus", url: "https://127.0.0.1:1")
        s.endpoint.tls = TLSSettings(caFile: "/nonexistent/ca.pem")
        let outcome = await PrometheusSource(settings: s, transport: noRetry, clock: ManualClock(1_700_000_000))
            .read(MetricRequest(metric: .lag, query: .prometheus(PrometheusQuery("x"))), deadline: deadline()).outcome
        #expect(outcome.errorKind == .config)
        #expect(outcome.message.contains("caFile"))
    }

    /// Three values of a target under one deadline: the slow one times out alone.
    @Test func targetValuesAreFetchedConcurrentlyUnderOneDeadline() async throws {
        let clock = ManualClock(1_700_000_000)
        let handler: @Sendable (RecordedRequest) -> CannedResponse = { request in
            let q = request.queryItems["query"] ?? ""
            if q == "slow" { return CannedResponse(status: 200, headers: ["Content-Type": "application/json"], delaySeconds: 30) }
            return .json(#"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"\#(q)"]}}"#)
        }
        let started = ContinuousClock.now
        let readings = try await TestServer.with(handler) { server in
            let source = PrometheusSource(settings: settings("prometheus", url: server.url), transport: noRetry, clock: clock)
            return await TargetFetch.readAll(
                [
                    BoundRequest(source: source, request: MetricRequest(metric: .lag, query: .prometheus(PrometheusQuery("7")))),
                    BoundRequest(source: source, request: MetricRequest(metric: .arrivalRate, query: .prometheus(PrometheusQuery("slow")))),
                    BoundRequest(source: source, request: MetricRequest(metric: .throughput, query: .prometheus(PrometheusQuery("2")))),
                ], deadline: .now() + .seconds(3))
        }
        #expect(ContinuousClock.now - started < .seconds(10), "bounded by the 3 s deadline, not the 30 s server")
        let samples = TargetFetch.samples(readings, now: clock.seconds + 1)
        #expect(readings[.lag]?.outcome == .value(7, timestamp: 1_700_000_000))
        #expect(samples.lag == Sample(7, ageSeconds: 1))
        #expect(samples.arrivalRate == nil)
        #expect(samples.throughput == Sample(2, ageSeconds: 1))
        #expect(readings[.arrivalRate]?.outcome.errorKind == .timeout)
        #expect((readings[.lag]?.latencySeconds ?? 9) < (readings[.arrivalRate]?.latencySeconds ?? 0))
    }
}

@Suite("Redirects")
struct RedirectTests {
    @Test func redirectsAreReportedNotFollowed() async throws {
        let token = try tempFile("secret")
        let (outcome, requests) = try await TestServer.with({ request in
            request.path == "/login"
                ? .json("{}")
                : CannedResponse(status: 302, headers: ["Content-Type": "text/html"])
        }) { server in
            let s = settings("json", url: server.url, auth: .bearerTokenFile(token))
            let outcome = await JSONSource(settings: s, transport: noRetry, clock: ManualClock(1_700_000_000))
                .read(MetricRequest(metric: .lag, query: .json(JSONQuery(path: "/stats", pointer: "/x"))), deadline: deadline())
                .outcome
            return (outcome, server.requests)
        }
        #expect(outcome.errorKind == .httpStatus)
        #expect(outcome.error?.httpStatus == 302)
        #expect(requests.count == 1)
    }
}
