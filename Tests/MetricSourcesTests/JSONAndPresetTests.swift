import ForescaleTestKit
import Foundation
import MetricSources
import NIOCore
import Planner
import Testing

@Suite("JSON pointer and JSON source")
struct JSONSourceTests {
    static let doc = #"{"a":{"b/c":{"m~n":[10,{"x":"12.5"}]}},"n":null,"t":"high","o":{},"nan":"NaN","neg":-1}"#

    @Test(arguments: [
        ("/a/b~1c/m~0n/0", "value", "10.0"),
        ("/a/b~1c/m~0n/1/x", "value", "12.5"),
        ("/n", "empty", "null"),
        ("/t", "failed", "text"),
        ("/o", "failed", "object"),
        ("/a/missing", "failed", #"no key "missing""#),
        ("/a/b~1c/m~0n/5", "failed", "no index 5"),
        // Read as they are; the step refuses them (MetricValidity): validity is judged once.
        ("/nan", "value", "nan"),
        ("/neg", "value", "-1.0"),
        ("a", "failed", "must be empty or start"),
    ])
    func pointer(pointer: String, kind: String, hint: String) async throws {
        let (reading, requests) = try await TestServer.with({ _ in .json(Self.doc) }) { server in
            let source = JSONSource(
                settings: settings("json", url: server.url, headers: ["X-Api-Key": "k"]), transport: noRetry,
                clock: ManualClock(1_700_000_000))
            let request = MetricRequest(metric: .lag, query: .json(JSONQuery(path: "/metrics?format=json", pointer: pointer)))
            return (await source.read(request, deadline: deadline()), server.requests)
        }
        #expect(reading.outcome.kindName == kind, "\(reading.outcome)")
        #expect(reading.outcome.summary.contains(hint), "\(reading.outcome.summary)")
        if kind != "failed" || reading.outcome.errorKind != .config {
            #expect(requests.first?.uri == "/metrics?format=json")
            #expect(requests.first?.header("X-Api-Key") == "k")
        }
    }

    /// Pointers into one document share one GET; another path is its own GET; a bad pointer or a
    /// failed document fails only the values that depend on it.
    @Test func valuesOfOneDocumentShareOneFetch() async throws {
        let (readings, requests) = try await TestServer.with({ request in
            request.uri == "/broken" ? .json("nope", status: 500) : .json(Self.doc)
        }) { server in
            let source = JSONSource(settings: settings("json", url: server.url), transport: noRetry, clock: ManualClock(1_700_000_000))
            let bound = [
                (MetricName.lag, "/stats", "/a/b~1c/m~0n/0"), (.arrivalRate, "/stats", "/a/b~1c/m~0n/1/x"),
                (.throughput, "/stats", "/missing"),
            ].map { BoundRequest(source: source, request: MetricRequest(metric: $0.0, query: .json(JSONQuery(path: $0.1, pointer: $0.2)))) }
            let shared = await TargetFetch.readAll(bound, deadline: deadline())
            let mixed = await source.read(
                [
                    MetricRequest(metric: .lag, query: .json(JSONQuery(path: "/broken", pointer: "/x"))),
                    MetricRequest(metric: .arrivalRate, query: .json(JSONQuery(path: "/stats", pointer: "/neg"))),
                    MetricRequest(metric: .throughput, query: .json(JSONQuery(path: "/stats", pointer: "bad"))),
                ], deadline: deadline())
            return ((shared, mixed), server.requests.map(\.uri))
        }
        #expect(readings.0[.lag]?.outcome == .value(10, timestamp: 1_700_000_000))
        #expect(readings.0[.arrivalRate]?.outcome == .value(12.5, timestamp: 1_700_000_000))
        #expect(readings.0[.throughput]?.outcome.summary.contains(#"no key "missing""#) == true)
        #expect(readings.1[0].outcome.errorKind == .httpStatus)
        #expect(readings.1[1].outcome.number == -1, "a negative value is read as it is, for the step to refuse")
        #expect(readings.1[2].outcome.errorKind == .config)
        #expect(requests.filter { $0 == "/stats" }.count == 2, "one GET per call for the shared document: \(requests)")
        #expect(requests.filter { $0 == "/broken" }.count == 1)
    }

    @Test func tokens() throws {
        #expect(try JSONPointer.tokens("") == [])
        #expect(try JSONPointer.tokens("/") == [""])
        #expect(try JSONPointer.tokens("/a~1b/~01") == ["a/b", "~1"])
    }
}

@Suite("Exporter presets")
struct PresetTests {
    @Test func danielqsjKafkaExporter() {
        let q = KafkaExporterPreset.kafkaExporter.queries(topic: "orders", group: "billing")
        #expect(q.lag == #"sum(kafka_consumergroup_lag{consumergroup="billing",topic="orders"})"#)
        #expect(q.arrivalRate == #"sum(rate(kafka_topic_partition_current_offset{topic="orders"}[1m]))"#)
        #expect(q.throughput == #"sum(rate(kafka_consumergroup_current_offset{consumergroup="billing",topic="orders"}[1m]))"#)
    }

    @Test func kafkaLagExporterWithCluster() {
        let q = KafkaExporterPreset.kafkaLagExporter.queries(topic: "orders", group: "billing", rateWindow: "2m", cluster: "eu")
        #expect(q.lag == #"sum(kafka_consumergroup_group_lag{group="billing",topic="orders",cluster_name="eu"})"#)
        #expect(q.arrivalRate == #"sum(rate(kafka_partition_latest_offset{topic="orders",cluster_name="eu"}[2m]))"#)
        #expect(q.throughput == #"sum(rate(kafka_consumergroup_group_offset{group="billing",topic="orders",cluster_name="eu"}[2m]))"#)
    }

    @Test func labelValuesAreQuoted() {
        let q = KafkaExporterPreset.kafkaExporter.queries(topic: #"a"b\c"#, group: "g")
        #expect(q.arrivalRate.contains(#"topic="a\"b\\c""#))
    }

    @Test func redisStreamsAcceptsOldAndNewExporters() {
        let q = RedisStreamsPreset.queries(stream: "jobs", group: "workers")
        let sel = #"db="db0",stream="jobs",group="workers""#
        #expect(
            q.lag
                == #"sum(redis_stream_group_lag{\#(sel)} + redis_stream_group_messages_pending{\#(sel)}) or sum(redis_script_values{key="jobs/workers/backlog"})"#
        )
        #expect(q.arrivalRate == #"sum(rate(redis_script_values{key="jobs/workers/added"}[1m]))"#)
        #expect(q.throughput == #"sum(rate(redis_script_values{key="jobs/workers/read"}[1m]))"#)
        #expect(RedisStreamsPreset.luaScript(pattern: "jobs*").contains(#""MATCH", "jobs*""#))
    }

    /// `scripts/services/start.sh` gives the exporter this file; it must be the preset's script.
    @Test func redisScriptFileMatchesThePreset() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let file = try String(contentsOf: root.appendingPathComponent("scripts/services/redis-streams.lua"), encoding: .utf8)
        #expect(file == RedisStreamsPreset.luaScript() + "\n")
    }

    @Test func presetRequestsCoverTheThreeMetrics() {
        let requests = KafkaExporterPreset.kafkaExporter.queries(topic: "t", group: "g").requests
        #expect(requests.map(\.metric) == [.lag, .arrivalRate, .throughput])
    }
}
