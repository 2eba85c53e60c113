import ForescaleTestKit
import MetricSources
import NIOCore
import Planner
import Testing

/// Burrow v3 answers as its documentation shows them.
enum BurrowFixture {
    static func partition(_ topic: String, _ p: Int, status: String, lag: Int) -> String {
        #"""
        {"topic":"\#(topic)","partition":\#(p),"owner":"/10.0.0.\#(p)","client_id":"consumer-\#(p)","status":"\#(status)",
         "start":{"offset":1000,"timestamp":1699999900000,"observedAt":1699999900000,"lag":\#(lag)},
         "end":{"offset":1100,"timestamp":1700000000000,"observedAt":1700000000000,"lag":\#(lag)},
         "current_lag":\#(lag),"complete":1}
        """#
    }

    static func lag(status: String = "OK", partitions: [String], total: Int, complete: Double = 1.0) -> String {
        #"""
        {"error":false,"message":"consumer status returned",
         "status":{"cluster":"main","group":"orders","status":"\#(status)","complete":\#(complete),
          "partitions":[\#(partitions.joined(separator: ","))],"partition_count":\#(partitions.count),
          "maxlag":\#(partitions.first ?? "null"),"totallag":\#(total)},
         "request":{"url":"/v3/kafka/main/consumer/orders/lag","host":"burrow-1"}}
        """#
    }

    static let notFound =
        #"{"error":true,"message":"cluster or consumer not found","request":{"url":"/v3/kafka/main/consumer/nope/lag","host":"burrow-1"}}"#
}

@Suite("Burrow source")
struct BurrowTests {
    let request = MetricRequest(metric: .lag, query: .burrow(BurrowQuery(group: "orders")))

    func read(_ reply: CannedResponse, request: MetricRequest? = nil) async throws -> (MetricReading, [RecordedRequest]) {
        try await TestServer.with({ _ in reply }) { server in
            let source = BurrowSource(
                settings: settings("burrow", url: server.url, cluster: "main"), transport: noRetry, clock: ManualClock(1_700_000_000))
            return (await source.read(request ?? self.request, deadline: deadline()), server.requests)
        }
    }

    @Test func totalLagAndPartitionCount() async throws {
        let body = BurrowFixture.lag(
            partitions: [
                BurrowFixture.partition("orders", 0, status: "OK", lag: 10),
                BurrowFixture.partition("orders", 1, status: "OK", lag: 32),
            ], total: 42)
        let (reading, requests) = try await read(.json(body))
        #expect(requests.first?.path == "/v3/kafka/main/consumer/orders/lag")
        #expect(reading.outcome.number == 42)
        #expect(reading.consumerGroup?.partitionCount == 2)
        #expect(reading.consumerGroup?.status == "OK")
        #expect(reading.consumerGroup?.notProgressing == false)
        #expect(reading.warnings.isEmpty)
    }

    @Test(arguments: ["STOP", "STALL", "ERR"])
    func stoppedOrStalledIsFlaggedNotHidden(status: String) async throws {
        let body = BurrowFixture.lag(
            status: status == "ERR" ? "ERR" : "WARN",
            partitions: [
                BurrowFixture.partition("orders", 0, status: "OK", lag: 1),
                BurrowFixture.partition("orders", 1, status: status, lag: 500),
            ], total: 501)
        let (reading, _) = try await read(.json(body))
        #expect(reading.outcome.number == 501, "the lag is still reported")
        #expect(reading.consumerGroup?.notProgressing == true)
        #expect(reading.consumerGroup?.troubledPartitions == ["orders:1=\(status)"])
        #expect(reading.warnings.contains { $0.contains("not progressing") && $0.contains("orders:1=\(status)") })
    }

    @Test func partialWindowIsAWarning() async throws {
        let body = BurrowFixture.lag(
            partitions: [BurrowFixture.partition("orders", 0, status: "OK", lag: 3)], total: 3, complete: 0.4)
        let (reading, _) = try await read(.json(body))
        #expect(reading.outcome.number == 3)
        #expect(reading.warnings.contains { $0.contains("partial") })
    }

    @Test func unknownGroupIsAConfigErrorNamingGroupAndCluster() async throws {
        let (reading, _) = try await read(.json(BurrowFixture.notFound, status: 404))
        #expect(reading.outcome.errorKind == .config)
        #expect(reading.outcome.message.contains(#""orders""#))
        #expect(reading.outcome.message.contains(#""main""#))
        #expect(reading.outcome.message.contains("cluster or consumer not found"))
    }

    @Test func errorBodyIsAnUpstreamFailure() async throws {
        let (reading, _) = try await read(.json(#"{"error":true,"message":"storage timed out","request":{}}"#, status: 500))
        #expect(reading.outcome.errorKind == .upstream)
        #expect(reading.outcome.message.contains("storage timed out"))
    }

    @Test(arguments: [MetricName.arrivalRate, .throughput])
    func burrowServesLagOnly(metric: MetricName) async throws {
        let (reading, requests) = try await read(
            .json(BurrowFixture.lag(partitions: [], total: 0)),
            request: MetricRequest(metric: metric, query: .burrow(BurrowQuery(group: "orders"))))
        #expect(reading.outcome.errorKind == .config)
        #expect(requests.isEmpty)
    }

    @Test func groupNamesAreEscapedInThePath() async throws {
        let (_, requests) = try await read(
            .json(BurrowFixture.lag(partitions: [], total: 0)),
            request: MetricRequest(metric: .lag, query: .burrow(BurrowQuery(group: "team/a b"))))
        #expect(requests.first?.uri == "/v3/kafka/main/consumer/team%2Fa%20b/lag")
    }
}
