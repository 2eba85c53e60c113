import ForescaleTestKit
import NIOConcurrencyHelpers
import MetricSources
import NIOCore
import Planner
import Testing

enum RabbitFixture {
    static func queue(ready: Int = 7, unacked: Int = 3, consumers: Int = 2, stats: String? = nil) -> String {
        let s = stats.map { #","message_stats":\#($0)"# } ?? ""
        return
            #"{"name":"orders","vhost":"/","durable":true,"messages":\#(ready + unacked),"messages_ready":\#(ready),"messages_unacknowledged":\#(unacked),"consumers":\#(consumers),"state":"running"\#(s)}"#
    }

    static let fullStats =
        #"{"publish":100,"publish_details":{"rate":12.5},"ack":80,"ack_details":{"rate":10.0},"deliver_get":90,"deliver_get_details":{"rate":11.0}}"#
    static let autoAckStats = #"{"publish":100,"publish_details":{"rate":12.5},"deliver_get":90,"deliver_get_details":{"rate":11.0}}"#
}

@Suite("RabbitMQ source")
struct RabbitMQTests {
    func read(_ metric: MetricName, _ body: String, status: Int = 200, vhost: String = "/") async throws -> (MetricReading, [RecordedRequest]) {
        try await TestServer.with({ _ in .json(body, status: status) }) { server in
            let source = RabbitMQSource(settings: settings("rabbitmq", url: server.url), transport: noRetry, clock: ManualClock(1_700_000_000))
            let request = MetricRequest(metric: metric, query: .rabbitMQ(RabbitMQQuery(vhost: vhost, queue: "orders")))
            return (await source.read(request, deadline: deadline()), server.requests)
        }
    }

    @Test func lagIsReadyPlusUnacknowledged() async throws {
        let (reading, requests) = try await read(.lag, RabbitFixture.queue(stats: RabbitFixture.fullStats))
        #expect(requests.first?.uri == "/api/queues/%2F/orders")
        #expect(reading.outcome.number == 10)
        #expect(reading.consumers == 2)
    }

    @Test(arguments: [
        (MetricName.arrivalRate, RabbitFixture.fullStats, 12.5),
        (MetricName.throughput, RabbitFixture.fullStats, 10.0),
        (MetricName.throughput, RabbitFixture.autoAckStats, 11.0),
    ])
    func rates(metric: MetricName, stats: String, expected: Double) async throws {
        let (reading, _) = try await read(metric, RabbitFixture.queue(stats: stats))
        #expect(reading.outcome.number == expected)
    }

    @Test(arguments: [MetricName.arrivalRate, .throughput])
    func noStatsYetIsEmpty(metric: MetricName) async throws {
        let (reading, _) = try await read(metric, RabbitFixture.queue())
        #expect(reading.outcome.kindName == "empty")
    }

    @Test func unknownQueueIsAConfigError() async throws {
        let (reading, _) = try await read(.lag, #"{"error":"Object Not Found","reason":"Not Found"}"#, status: 404, vhost: "shop")
        #expect(reading.outcome.errorKind == .config)
        #expect(reading.outcome.message.contains(#"vhost "shop""#))
    }

    @Test func badCredentialsAreAnHTTPStatusFailure() async throws {
        let (reading, _) = try await read(.lag, #"{"error":"not_authorized","reason":"Login failed"}"#, status: 401)
        #expect(reading.outcome.errorKind == .httpStatus)
        #expect(reading.outcome.error?.httpStatus == 401)
    }

    @Test func aNegativeRateIsReportedAsReadForTheStepToRefuse() async throws {
        let (reading, _) = try await read(.arrivalRate, RabbitFixture.queue(stats: #"{"publish_details":{"rate":-1.5}}"#))
        #expect(reading.outcome.number == -1.5)
        #expect(MetricValidity.problem(-1.5)?.contains("negative") == true)
    }
}

enum NATSFixture {
    static func jsz(lastSeq: Int, ackFloor: Int, pending: Int = 4, ackPending: Int = 2) -> String {
        #"""
        {"server_id":"NABC","now":"2026-11-27T10:00:00.123456789Z","config":{"max_memory":1,"max_storage":1},
         "memory":0,"storage":100,"streams":1,"consumers":1,"messages":\#(lastSeq),"bytes":100,
         "account_details":[{"name":"$G","id":"$G","memory":0,"storage":100,
          "stream_detail":[
           {"name":"OTHER","created":"2026-11-27T09:00:00Z","state":{"messages":1,"bytes":1,"first_seq":1,"last_seq":1,"consumer_count":0},"consumer_detail":[]},
           {"name":"ORDERS","created":"2026-11-27T09:00:00Z",
            "state":{"messages":\#(lastSeq),"bytes":100,"first_seq":1,"first_ts":"2026-11-27T09:00:00Z","last_seq":\#(lastSeq),"last_ts":"2026-11-27T10:00:00Z","consumer_count":1},
            "consumer_detail":[{"stream_name":"ORDERS","name":"worker","created":"2026-11-27T09:00:00Z",
              "delivered":{"consumer_seq":\#(ackFloor + ackPending),"stream_seq":\#(ackFloor + ackPending)},
              "ack_floor":{"consumer_seq":\#(ackFloor),"stream_seq":\#(ackFloor)},
              "num_ack_pending":\#(ackPending),"num_redelivered":0,"num_waiting":1,"num_pending":\#(pending)}]}]}]}
        """#
    }
}

@Suite("NATS JetStream source")
struct NATSTests {
    static func request(_ metric: MetricName, stream: String = "ORDERS", consumer: String = "worker") -> MetricRequest {
        MetricRequest(metric: metric, query: .nats(NATSQuery(stream: stream, consumer: consumer)))
    }

    @Test func lagIsPendingPlusAckPending() async throws {
        let (reading, requests) = try await TestServer.with({ _ in .json(NATSFixture.jsz(lastSeq: 10, ackFloor: 4)) }) { server in
            let source = NATSSource(settings: settings("nats", url: server.url), transport: noRetry, clock: ManualClock(1_700_000_000))
            return (await source.read(Self.request(.lag), deadline: deadline()), server.requests)
        }
        #expect(requests.first?.uri == "/jsz?consumers=true")
        #expect(reading.outcome.number == 6)
    }

    /// Rates need two polls; a sequence going backwards is a counter reset, never a negative rate.
    @Test(arguments: [MetricName.arrivalRate, .throughput])
    func ratesFromSequencesBetweenPolls(metric: MetricName) async throws {
        let clock = ManualClock(1_700_000_000)
        // Poll answers in order: (last_seq, ack_floor).
        let polls = [(100, 50), (160, 80), (10, 5), (40, 20)]
        let index = NIOLockedValueBoxInt()
        let outcomes = try await TestServer.with({ _ in
            let (seq, floor) = polls[min(index.next(), polls.count - 1)]
            return .json(NATSFixture.jsz(lastSeq: seq, ackFloor: floor))
        }) { server in
            let source = NATSSource(settings: settings("nats", url: server.url), transport: noRetry, clock: clock)
            var outcomes: [MetricOutcome] = []
            for _ in polls {
                outcomes.append(await source.read(Self.request(metric), deadline: deadline()).outcome)
                clock.advance(by: 15)
            }
            return outcomes
        }
        #expect(outcomes[0].kindName == "empty")
        #expect(outcomes[0].message.contains("first poll"))
        #expect(outcomes[1].number == (metric == .arrivalRate ? 4.0 : 2.0))
        #expect(outcomes[2].kindName == "empty")
        #expect(outcomes[2].message.contains("backwards"))
        #expect(outcomes[3].number == (metric == .arrivalRate ? 2.0 : 1.0))
    }

    @Test(arguments: [("NOPE", "worker", "no stream"), ("ORDERS", "nope", "no consumer")])
    func unknownStreamOrConsumerIsAConfigError(stream: String, consumer: String, hint: String) async throws {
        let reading = try await TestServer.with({ _ in .json(NATSFixture.jsz(lastSeq: 1, ackFloor: 1)) }) { server in
            await NATSSource(settings: settings("nats", url: server.url), transport: noRetry, clock: ManualClock(1_700_000_000))
                .read(Self.request(.lag, stream: stream, consumer: consumer), deadline: deadline())
        }
        #expect(reading.outcome.errorKind == .config)
        #expect(reading.outcome.message.contains(hint))
    }

    @Test func jetStreamDisabledIsADecodeFailure() async throws {
        let reading = try await TestServer.with({ _ in .json(#"{"server_id":"X","disabled":true}"#) }) { server in
            await NATSSource(settings: settings("nats", url: server.url), transport: noRetry, clock: ManualClock(1_700_000_000))
                .read(Self.request(.lag), deadline: deadline())
        }
        #expect(reading.outcome.errorKind == .decode)
        #expect(reading.outcome.message.contains("JetStream"))
    }
}

/// A thread-safe counter for fake servers that answer differently per call.
final class NIOLockedValueBoxInt: Sendable {
    private let box = NIOLockedValueBox(0)
    func next() -> Int { box.withLockedValue { v in defer { v += 1 }; return v } }
}
