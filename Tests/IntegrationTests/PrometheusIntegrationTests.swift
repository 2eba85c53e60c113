import Foundation
import MetricSources
import NIOCore
import Planner
import Testing

/// Prometheus 2.42 scraping the fixture Kafka exporter (real metric names) and the Redis exporter.
extension RealServers {
    @Suite("Prometheus (real server)")
    struct PrometheusIntegrationTests {
        let source = PrometheusSource(
            settings: SourceSettings(
                name: "prom", type: "prometheus", endpoint: HTTPEndpoint(url: Service.prometheus.url)))

        func read(_ query: String, _ metric: MetricName = .lag) async -> MetricReading {
            await source.read(MetricRequest(metric: metric, query: .prometheus(PrometheusQuery(query))), deadline: deadline())
        }

        /// The fixture's own numbers: lag 120 + 80, offsets growing 50 messages/s in all.
        @Test(
            "Kafka exporter presets read the exporters' numbers",
            .enabled(Service.prometheus.skipNote) { await Service.prometheus.shouldRun() },
            arguments: KafkaExporterPreset.allCases)
        func kafkaPresets(preset: KafkaExporterPreset) async throws {
            try await Service.prometheus.require()
            let q = preset.queries(topic: "orders", group: "billing", rateWindow: "10s")
            let lag = try await poll(seconds: 15, { await read(q.lag) }, until: { $0.outcome.number != nil })
            #expect(lag.outcome.number == 200, "\(lag.outcome)")
            let arrivals = try await poll(
                seconds: 15, { await read(q.arrivalRate, .arrivalRate) }, until: { $0.outcome.number != nil })
            let throughput = try await poll(
                seconds: 15, { await read(q.throughput, .throughput) }, until: { $0.outcome.number != nil })
            #expect(abs((arrivals.outcome.number ?? 0) - 50) < 5, "\(arrivals.outcome)")
            #expect(abs((throughput.outcome.number ?? 0) - 50) < 5, "\(throughput.outcome)")
        }

        @Test(
            "several series without aggregation name their labels",
            .enabled(Service.prometheus.skipNote) { await Service.prometheus.shouldRun() })
        func severalSeries() async throws {
            try await Service.prometheus.require()
            let reading = try await poll(
                seconds: 15, { await read(#"kafka_consumergroup_lag{topic="orders"}"#) },
                until: { $0.outcome.errorKind == .config })
            #expect(reading.outcome.errorKind == .config)
            #expect(reading.outcome.message.contains(#"partition="0""#))
            #expect(reading.outcome.message.contains(#"partition="1""#))
        }

        @Test("invalid PromQL is a config error", .enabled(Service.prometheus.skipNote) { await Service.prometheus.shouldRun() })
        func invalidQuery() async throws {
            try await Service.prometheus.require()
            let reading = await read("sum(rate(x[1m])")
            #expect(reading.outcome.errorKind == .config)
            #expect(reading.outcome.message.contains("bad_data"))
        }

        @Test("an absent series is empty, not zero", .enabled(Service.prometheus.skipNote) { await Service.prometheus.shouldRun() })
        func absentSeries() async throws {
            try await Service.prometheus.require()
            let reading = await read(#"sum(kafka_consumergroup_lag{consumergroup="nobody"})"#)
            #expect(reading.outcome.kindName == "empty")
            #expect(reading.outcome.sample(now: Date().timeIntervalSince1970) == nil)
        }

        @Test("range query backfills history", .enabled(Service.prometheus.skipNote) { await Service.prometheus.shouldRun() })
        func rangeBackfill() async throws {
            try await Service.prometheus.require()
            _ = try await poll(seconds: 15, { await read(#"sum(kafka_consumergroup_lag{topic="orders"})"#) }, until: { $0.outcome.number != nil })
            let now = Date().timeIntervalSince1970.rounded(.down)
            var chunked = source
            chunked.maxPointsPerRequest = 4
            let history = await chunked.readRange(
                PrometheusQuery(#"sum(kafka_consumergroup_lag{topic="orders"})"#), start: now - 9, end: now, stepSeconds: 1,
                deadline: deadline())
            let points = try history.result.get()
            #expect(history.requests == 3)
            #expect(!points.isEmpty)
            #expect(points.allSatisfy { $0.value == 200 })
        }

        /// Redis Streams through prometheus-redis-exporter 1.45 and its Lua script: the preset's lag
        /// equals Redis's own `XINFO GROUPS` lag + pending.
        @Test("Redis Streams preset reads Redis's own lag", .enabled(Service.redis.skipNote) { await Service.redis.shouldRun() })
        func redisStreams() async throws {
            try await Service.prometheus.require()
            try await Service.redis.require()
            let stream = uniqueName("fs-it-")
            defer { _ = try? run("/usr/bin/redis-cli", ["DEL", stream]) }
            _ = try run("/usr/bin/redis-cli", ["XGROUP", "CREATE", stream, "workers", "$", "MKSTREAM"])
            for i in 0..<25 { _ = try run("/usr/bin/redis-cli", ["XADD", stream, "*", "n", String(i)]) }
            _ = try run("/usr/bin/redis-cli", ["XREADGROUP", "GROUP", "workers", "c1", "COUNT", "10", "STREAMS", stream, ">"])
            let groups = try run("/usr/bin/redis-cli", ["XINFO", "GROUPS", stream]).split(separator: "\n").map(String.init)
            func field(_ name: String) -> Double? { groups.firstIndex(of: name).flatMap { Double(groups[$0 + 1]) } }
            let ownLag = try #require(field("lag")) + (try #require(field("pending")))
            #expect(ownLag == 25)

            let q = RedisStreamsPreset.queries(stream: stream, group: "workers")
            let lag = try await poll(seconds: 15, { await read(q.lag) }, until: { $0.outcome.number == ownLag })
            #expect(lag.outcome.number == ownLag, "\(lag.outcome)")
            let added = try await poll(seconds: 15, { await read(q.arrivalRate, .arrivalRate) }, until: { $0.outcome.number != nil })
            #expect(added.outcome.number != nil, "\(added.outcome)")
        }
    }
}
