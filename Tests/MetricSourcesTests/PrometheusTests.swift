import ForescaleTestKit
import MetricSources
import NIOCore
import Planner
import Testing

private func vector(_ samples: [(labels: String, value: String)], t: Double = 1_700_000_000) -> String {
    let items = samples.map { #"{"metric":\#($0.labels),"value":[\#(t),"\#($0.value)"]}"# }
    return #"{"status":"success","data":{"resultType":"vector","result":[\#(items.joined(separator: ","))]}}"#
}

struct PromCase: Sendable, CustomTestStringConvertible {
    var name: String
    var reply: CannedResponse
    /// `value`, `empty`, `stale` or `failed`.
    var outcome: String
    var kind: FetchErrorKind?
    var hint: String
    var testDescription: String { name }
}

@Suite("Prometheus source")
struct PrometheusTests {
    static let now = 1_700_000_000.0

    static let cases: [PromCase] = [
        PromCase(name: "one series", reply: .json(vector([("{}", "12.5")])), outcome: "value", hint: "12.5"),
        PromCase(
            name: "scalar", reply: .json(#"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"7"]}}"#),
            outcome: "value", hint: "7"),
        PromCase(
            name: "empty vector", reply: .json(vector([])), outcome: "empty", hint: "no series"),
        PromCase(
            name: "several series",
            reply: .json(vector([(#"{"topic":"a","partition":"0"}"#, "1"), (#"{"topic":"a","partition":"1"}"#, "2")])),
            outcome: "failed", kind: .config, hint: #"{partition="1", topic="a"}"#),
        // The source reports what Prometheus said; the step refuses NaN, infinities and negatives
        // (MetricValidity, in Planner): validity is judged once, for every path.
        PromCase(name: "NaN", reply: .json(vector([("{}", "NaN")])), outcome: "value", hint: "nan"),
        PromCase(name: "+Inf", reply: .json(vector([("{}", "+Inf")])), outcome: "value", hint: "inf"),
        PromCase(name: "-Inf", reply: .json(vector([("{}", "-Inf")])), outcome: "value", hint: "-inf"),
        PromCase(name: "negative", reply: .json(vector([("{}", "-3")])), outcome: "value", hint: "-3"),
        PromCase(
            name: "not a number", reply: .json(vector([("{}", "abc")])), outcome: "failed", kind: .decode, hint: "abc"),
        PromCase(
            name: "old sample: reported with its own timestamp", reply: .json(vector([("{}", "5")], t: now - 600)), outcome: "value", hint: "5"),
        PromCase(
            name: "matrix", reply: .json(#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#),
            outcome: "failed", kind: .config, hint: "range vector"),
        PromCase(
            name: "200 with error envelope",
            reply: .json(#"{"status":"error","errorType":"execution","error":"query processing would load too many samples","warnings":["partial"]}"#),
            outcome: "failed", kind: .upstream, hint: "too many samples"),
        PromCase(
            name: "400 bad_data",
            reply: .json(#"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected"}"#, status: 400),
            outcome: "failed", kind: .config, hint: "parse error"),
        PromCase(
            name: "503 envelope",
            reply: .json(#"{"status":"error","errorType":"unavailable","error":"TSDB not ready"}"#, status: 503),
            outcome: "failed", kind: .upstream, hint: "TSDB not ready"),
        PromCase(
            name: "success without status", reply: .json(#"{"data":{}}"#), outcome: "failed", kind: .decode, hint: "status"),
        PromCase(
            name: "401 plain", reply: CannedResponse(status: 401, headers: ["Content-Type": "text/plain"], body: Array("Unauthorized".utf8)),
            outcome: "failed", kind: .httpStatus, hint: "401"),
    ]

    @Test(arguments: cases)
    func instantQuery(c: PromCase) async throws {
        let clock = ManualClock(Self.now)
        let reading = try await TestServer.with({ _ in c.reply }) { server in
            let source = PrometheusSource(
                settings: settings("prometheus", url: server.url), transport: noRetry, clock: clock)
            return await source.read(
                MetricRequest(metric: .lag, query: .prometheus(PrometheusQuery("sum(x)"))), deadline: deadline())
        }
        #expect(reading.outcome.kindName == c.outcome, "\(reading.outcome)")
        #expect(reading.outcome.errorKind == c.kind)
        #expect(reading.outcome.summary.contains(c.hint), "\(reading.outcome.summary)")
        if c.outcome != "value" { #expect(reading.outcome.sample(now: Self.now) == nil) }
    }

    @Test func queryIsEncodedAndAuthAndHeadersAreSent() async throws {
        let token = try tempFile("s3cret-token\n")
        let query = #"sum(rate(x{a="b+c d"}[1m])) + 1"#
        let requests = try await TestServer.with({ _ in .json(vector([("{}", "1")])) }) { server in
            let s = settings(
                "prometheus", url: server.url + "/prom/", auth: .bearerTokenFile(token), headers: ["X-Scope-OrgID": "t1"])
            _ = await PrometheusSource(settings: s, transport: noRetry, clock: ManualClock(1_700_000_000))
                .read(MetricRequest(metric: .lag, query: .prometheus(PrometheusQuery(query))), deadline: deadline())
            return server.requests
        }
        #expect(requests.count == 1)
        #expect(requests[0].path == "/prom/api/v1/query")
        #expect(requests[0].queryItems["query"] == query)
        #expect(requests[0].header("Authorization") == "Bearer s3cret-token")
        #expect(requests[0].header("X-Scope-OrgID") == "t1")
    }

    @Test func basicAuthReadsThePasswordFile() async throws {
        let password = try tempFile("pa:ss\n")
        let requests = try await TestServer.with({ _ in .json(vector([("{}", "1")])) }) { server in
            let s = settings("prometheus", url: server.url, auth: .basic(username: "forescale", passwordFile: password))
            _ = await PrometheusSource(settings: s, transport: noRetry, clock: ManualClock(1_700_000_000))
                .read(MetricRequest(metric: .lag, query: .prometheus(PrometheusQuery("x"))), deadline: deadline())
            return server.requests
        }
        // base64("forescale:pa:ss")
        #expect(requests.first?.header("Authorization") == "Basic Zm9yZXNjYWxlOnBhOnNz")
    }

    @Test func missingSecretFileIsAConfigErrorWithoutARequest() async throws {
        let requests = try await TestServer.with({ _ in .json(vector([("{}", "1")])) }) { server in
            let s = settings("prometheus", url: server.url, auth: .bearerTokenFile("/nonexistent/token"))
            let outcome = await PrometheusSource(settings: s, transport: noRetry, clock: ManualClock(1_700_000_000))
                .read(MetricRequest(metric: .lag, query: .prometheus(PrometheusQuery("x"))), deadline: deadline()).outcome
            #expect(outcome.errorKind == .config)
            #expect(outcome.message.contains("/nonexistent/token"))
            return server.requests
        }
        #expect(requests.isEmpty)
    }

    @Test func warningsAreCarried() async throws {
        let body = #"{"status":"success","warnings":["results truncated"],"data":{"resultType":"scalar","result":[1700000000,"1"]}}"#
        let reading = try await TestServer.with({ _ in .json(body) }) { server in
            await PrometheusSource(settings: settings("prometheus", url: server.url), transport: noRetry, clock: ManualClock(1_700_000_000))
                .read(MetricRequest(metric: .lag, query: .prometheus(PrometheusQuery("x"))), deadline: deadline())
        }
        #expect(reading.warnings == ["results truncated"])
        #expect(reading.outcome.number == 1)
    }
}
