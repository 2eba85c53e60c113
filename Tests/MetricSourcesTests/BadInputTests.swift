import ForescaleTestKit
import MetricSources
import NIOCore
import Planner
import Testing

/// The source types, each with a request it can serve.
enum Kind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case prometheus, burrow, rabbitmq, nats, json

    var testDescription: String { rawValue }

    func source(url: String, clock: any ControlClock, timeout: Double = 5, transport: HTTPTransport = noRetry) -> any MetricSource {
        let s = settings(rawValue, url: url, timeout: timeout, cluster: "main")
        switch self {
        case .prometheus: return PrometheusSource(settings: s, transport: transport, clock: clock)
        case .burrow: return BurrowSource(settings: s, transport: transport, clock: clock)
        case .rabbitmq: return RabbitMQSource(settings: s, transport: transport, clock: clock)
        case .nats: return NATSSource(settings: s, transport: transport, clock: clock)
        case .json: return JSONSource(settings: s, transport: transport, clock: clock)
        }
    }

    var request: MetricRequest {
        switch self {
        case .prometheus: MetricRequest(metric: .lag, query: .prometheus(PrometheusQuery("sum(lag)")))
        case .burrow: MetricRequest(metric: .lag, query: .burrow(BurrowQuery(group: "orders")))
        case .rabbitmq: MetricRequest(metric: .lag, query: .rabbitMQ(RabbitMQQuery(queue: "orders")))
        case .nats: MetricRequest(metric: .lag, query: .nats(NATSQuery(stream: "ORDERS", consumer: "worker")))
        case .json: MetricRequest(metric: .lag, query: .json(JSONQuery(path: "/stats", pointer: "/lag")))
        }
    }

    /// A well-formed answer whose lag is `value` (a JSON number literal or, for Prometheus, a value string).
    func body(lag value: String) -> String {
        switch self {
        case .prometheus:
            #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000,"\#(value)"]}]}}"#
        case .burrow:
            #"{"error":false,"message":"consumer status returned","status":{"cluster":"main","group":"orders","status":"OK","complete":1.0,"partitions":[],"partition_count":1,"maxlag":null,"totallag":\#(value)},"request":{"url":"/v3/kafka/main/consumer/orders/lag","host":"burrow"}}"#
        case .rabbitmq:
            #"{"name":"orders","vhost":"/","messages_ready":\#(value),"messages_unacknowledged":0,"consumers":1}"#
        case .nats:
            #"{"server_id":"X","now":"2026-11-27T00:00:00Z","account_details":[{"name":"$G","id":"$G","stream_detail":[{"name":"ORDERS","state":{"messages":5,"bytes":10,"first_seq":1,"last_seq":5,"consumer_count":1},"consumer_detail":[{"stream_name":"ORDERS","name":"worker","delivered":{"consumer_seq":1,"stream_seq":1},"ack_floor":{"consumer_seq":1,"stream_seq":1},"num_ack_pending":0,"num_redelivered":0,"num_waiting":0,"num_pending":\#(value)}]}]}]}"#
        case .json:
            #"{"lag":\#(value)}"#
        }
    }
}

/// The acceptance list: bad answers that every source must turn into an explicit outcome.
enum BadInput: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case html, truncatedJSON, truncatedBody, status500, tooLarge, tooLargeStreamed, slow, slowBody, refused

    var testDescription: String { rawValue }

    var reply: CannedResponse {
        switch self {
        case .html:
            CannedResponse(status: 200, headers: ["Content-Type": "text/html"], body: Array("<html><body><h1>Sign in</h1></body></html>".utf8))
        case .truncatedJSON: .json(#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"va"#)
        case .truncatedBody:
            CannedResponse(
                status: 200, headers: ["Content-Type": "application/json"], body: Array(#"{"status":"succ"#.utf8), delivery: .truncated(declaredLength: 5000))
        case .status500: CannedResponse(status: 500, headers: ["Content-Type": "text/plain"], body: Array("internal error: backend down".utf8))
        case .tooLarge: CannedResponse(status: 200, headers: ["Content-Type": "application/json"], body: Array(repeating: UInt8(ascii: " "), count: 10 << 20))
        case .tooLargeStreamed:
            CannedResponse(
                status: 200, headers: ["Content-Type": "application/json"], body: Array(repeating: UInt8(ascii: " "), count: 10 << 20), delivery: .chunked)
        case .slow: CannedResponse(status: 200, headers: ["Content-Type": "application/json"], delaySeconds: 2)
        case .slowBody: CannedResponse(
                status: 200, headers: ["Content-Type": "application/json"],
                body: Array(#"{"status":"success","data":{"resultType":"scalar","result":[1,"1"]}}"#.utf8), delivery: .pausedHalfway(seconds: 2))
        case .refused: .closeConnection
        }
    }

    /// What the outcome must be: a failure of this kind.
    var expected: FetchErrorKind {
        switch self {
        case .html, .truncatedJSON: .decode
        case .truncatedBody, .refused: .connection
        case .status500: .httpStatus
        case .tooLarge, .tooLargeStreamed: .tooLarge
        case .slow, .slowBody: .timeout
        }
    }

    var messageHint: String {
        switch self {
        case .html: "HTML"
        case .truncatedJSON: "invalid JSON"
        case .truncatedBody: "127.0.0.1"
        case .status500: "500"
        case .tooLarge, .tooLargeStreamed: "limit"
        case .slow, .slowBody: "deadline"
        case .refused: "127.0.0.1"
        }
    }
}

@Suite("Bad input, every source")
struct BadInputTests {
    @Test(arguments: Kind.allCases, BadInput.allCases)
    func badInputYieldsExplicitFailure(kind: Kind, input: BadInput) async throws {
        let clock = ManualClock(1_700_000_000)
        let outcome: MetricOutcome
        switch input {
        case .refused:
            // Port 1: nothing listens there, and no test server is given it (they bind ephemeral ports,
            // which a port bound and closed here could be handed to next).
            let source = kind.source(url: "http://127.0.0.1:1", clock: clock)
            outcome = await source.read(kind.request, deadline: deadline()).outcome
        default:
            let short = input == .slow || input == .slowBody ? 0.2 : 5
            outcome = try await TestServer.with({ _ in input.reply }) { server in
                let source = kind.source(url: server.url, clock: clock, timeout: short)
                return await source.read(kind.request, deadline: deadline()).outcome
            }
        }
        #expect(outcome.number == nil)
        #expect(outcome.errorKind == input.expected, "\(kind) \(input): \(outcome)")
        #expect(outcome.message.contains(input.messageHint), "\(kind) \(input): \(outcome.message)")
        #expect(outcome.sample(now: clock.seconds) == nil)
    }

    /// A negative count is reported as read: whether a value is usable is judged once, by the
    /// step (`MetricValidity`, in Planner), which holds the count on it, for every source alike.
    @Test(arguments: Kind.allCases)
    func aNegativeValueIsReportedForTheStepToRefuse(kind: Kind) async throws {
        let clock = ManualClock(1_700_000_000)
        let outcome = try await TestServer.with({ _ in .json(kind.body(lag: "-5")) }) { server in
            await kind.source(url: server.url, clock: clock).read(kind.request, deadline: deadline()).outcome
        }
        let value = try #require(outcome.number, "\(kind): \(outcome)")
        #expect(value < 0)
        #expect(MetricValidity.problem(value) != nil)
    }

    @Test(arguments: Kind.allCases)
    func wellFormedAnswerYieldsTheValue(kind: Kind) async throws {
        let clock = ManualClock(1_700_000_000)
        let outcome = try await TestServer.with({ _ in .json(kind.body(lag: "42")) }) { server in
            await kind.source(url: server.url, clock: clock).read(kind.request, deadline: deadline()).outcome
        }
        #expect(outcome == .value(42, timestamp: 1_700_000_000))
        #expect(outcome.sample(now: clock.seconds + 3) == Sample(42, ageSeconds: 3))
    }

    @Test(arguments: Kind.allCases)
    func slowServerTimesOutNearTheDeadline(kind: Kind) async throws {
        let clock = ManualClock(1_700_000_000)
        let started = ContinuousClock.now
        // The server would answer after 30 s; the read must give up at its 200 ms deadline, long before.
        let outcome = try await TestServer.with({ _ in CannedResponse(status: 200, headers: ["Content-Type": "application/json"], delaySeconds: 30) }) {
            server in
            await kind.source(url: server.url, clock: clock, timeout: 10)
                .read(kind.request, deadline: .now() + .milliseconds(200)).outcome
        }
        let took = ContinuousClock.now - started
        #expect(outcome.errorKind == .timeout)
        #expect(took < .seconds(15), "the tick deadline (200 ms) must bound the read, not the 30 s server: took \(took)")
    }

    @Test(arguments: Kind.allCases)
    func queryForAnotherSourceTypeIsAConfigError(kind: Kind) async {
        let other = Kind.allCases.first { $0 != kind }!
        let source = kind.source(url: "http://127.0.0.1:1", clock: ManualClock(1_700_000_000))
        let outcome = await source.read(other.request, deadline: deadline()).outcome
        #expect(outcome.errorKind == .config)
        #expect(outcome.message.contains(other.rawValue))
    }
}
