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
        ("/nan", "failed", "NaN"),
        ("/neg", "failed", "negative"),
        ("a", "failed", "must be empty or start"),
    ])
    func pointer(pointer: String, kind: String, hint: String) async throws {
        let (reading, requests) = try await FakeServer.with({ _ in .json(Self.doc) }) { server in
            let source = JSONSource(
                settings: settings("json", url: server.url, headers: ["X-Api-Key": "k"]), transport: noRetry,
                clock: ManualClock().wall)
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
        #expect(q.lag == #"sum(redis_stream_group_lag{\#(sel)} + redis_stream_group_messages_pending{\#(sel)}) or sum(redis_script_values{key="jobs/workers/backlog"})"#)
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
