import ForescaleTestKit
import Foundation
import MetricSources
import NIOCore
import Planner
import Testing

@Suite("Probe")
struct ProbeTests {
    @Test func probeReportsEachValueWithItsOutcome() async throws {
        let clock = ManualClock(1_700_000_010)
        let handler: @Sendable (RecordedRequest) -> CannedResponse = { request in
            switch request.queryItems["query"] ?? "" {
            case "lag": .json(#"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"12"]}}"#)
            case "none": .json(#"{"status":"success","data":{"resultType":"vector","result":[]}}"#)
            default: .json(#"{"status":"error","errorType":"bad_data","error":"parse error"}"#, status: 400)
            }
        }
        let rows = try await TestServer.with(handler) { server in
            let prom = PrometheusSource(settings: settings("prometheus", url: server.url), transport: noRetry, clock: clock)
            func bound(_ m: MetricName, _ q: String) -> BoundRequest {
                BoundRequest(source: prom, request: MetricRequest(metric: m, query: .prometheus(PrometheusQuery(q))))
            }
            return await Probe.run(
                [ProbeTarget(name: "orders", values: [bound(.lag, "lag"), bound(.arrivalRate, "none"), bound(.throughput, "bad(")])],
                timeoutSeconds: 3, clock: clock)
        }
        #expect(rows.map(\.metric) == ["lag", "arrivalRate", "throughput"])
        #expect(rows.map(\.outcome) == ["value", "empty", "failed"])
        #expect(rows[0].value == 12)
        #expect(rows[0].ageSeconds == 10)
        #expect(rows[2].errorKind == "config")
        #expect(Probe.anyFailed(rows))
        #expect(rows.allSatisfy { $0.source == "test-prometheus" })

        let text = Probe.text(rows)
        #expect(text.hasPrefix("TARGET"))
        #expect(text.contains("failed(config)"))
        #expect(text.contains("orders.throughput: Prometheus error bad_data"))
        let decoded = try JSONDecoder().decode([ProbeRow].self, from: Data(Probe.json(rows).utf8))
        #expect(decoded == rows)
    }

    @Test func noFailureMeansExitZero() {
        let row = ProbeRow(
            target: "t", metric: "lag", source: "s", outcome: "empty", value: nil, ageSeconds: nil, errorKind: nil,
            message: "none", latencyMs: 1, attempts: 1, warnings: [], partitionCount: nil, notProgressing: nil)
        #expect(!Probe.anyFailed([row]))
    }
}
