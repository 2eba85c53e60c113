import ForescaleTestKit
import MetricSources
import NIOConcurrencyHelpers
import NIOCore
import Planner
import Testing

@Suite("Prometheus range queries")
struct RangeTests {
    struct ChunkCase: Sendable {
        var start: Double, end: Double, step: Double, max: Int
        var expected: [RangeChunk]
    }

    static let chunkCases: [ChunkCase] = [
        ChunkCase(start: 0, end: 100, step: 10, max: 11_000, expected: [RangeChunk(start: 0, end: 100, points: 11)]),
        ChunkCase(
            start: 0, end: 100, step: 10, max: 5,
            expected: [
                RangeChunk(start: 0, end: 40, points: 5), RangeChunk(start: 50, end: 90, points: 5),
                RangeChunk(start: 100, end: 100, points: 1),
            ]),
        ChunkCase(start: 0, end: 95, step: 10, max: 5, expected: [
            RangeChunk(start: 0, end: 40, points: 5), RangeChunk(start: 50, end: 90, points: 5),
        ]),
        ChunkCase(start: 5, end: 5, step: 15, max: 11_000, expected: [RangeChunk(start: 5, end: 5, points: 1)]),
        ChunkCase(start: 10, end: 0, step: 15, max: 11_000, expected: []),
    ]

    @Test(arguments: chunkCases)
    func chunking(c: ChunkCase) {
        #expect(PrometheusSource.chunks(start: c.start, end: c.end, stepSeconds: c.step, maxPoints: c.max) == c.expected)
    }

    @Test func fourteenDaysAtFifteenSecondsStaysUnderTheLimit() {
        let chunks = PrometheusSource.chunks(start: 0, end: 14 * 86_400, stepSeconds: 15, maxPoints: 11_000)
        #expect(chunks.allSatisfy { $0.points <= 11_000 })
        let total: Int = chunks.map(\.points).reduce(0, +)
        let expected: Int = 14 * 86_400 / 15 + 1
        #expect(total == expected)
        #expect(chunks.count == 8)
    }

    @Test func readRangeJoinsChunksAndDropsInvalidPoints() async throws {
        // Answers each chunk with its own grid points; one NaN and one negative point in the first.
        let handler: @Sendable (RecordedRequest) -> CannedResponse = { request in
            let q = request.queryItems
            guard let s = Double(q["start"] ?? ""), let e = Double(q["end"] ?? ""), let step = Double(q["step"] ?? "") else {
                return .json(#"{"status":"error","errorType":"bad_data","error":"missing"}"#, status: 400)
            }
            var values: [String] = []
            var t = s
            while t <= e {
                let v = t == 20 ? "NaN" : (t == 30 ? "-1" : String(Int(t)))
                values.append(#"[\#(t),"\#(v)"]"#)
                t += step
            }
            return .json(
                #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[\#(values.joined(separator: ","))]}]}}"#)
        }
        let (reading, requests) = try await TestServer.with(handler) { server in
            var source = PrometheusSource(
                settings: settings("prometheus", url: server.url), transport: noRetry, clock: ManualClock(1_700_000_000))
            source.maxPointsPerRequest = 4
            let reading = await source.readRange(
                PrometheusQuery("sum(rate(x[1m]))"), start: 0, end: 100, stepSeconds: 10, deadline: deadline())
            return (reading, server.requests)
        }
        #expect(requests.count == 3)
        #expect(requests.allSatisfy { $0.path == "/api/v1/query_range" })
        #expect(reading.requests == 3)
        #expect(reading.droppedPoints == 2)
        let points = try reading.result.get()
        #expect(points.map(\.timestamp) == [0, 10, 40, 50, 60, 70, 80, 90, 100])
        #expect(points.map(\.value) == [0, 10, 40, 50, 60, 70, 80, 90, 100])
    }

    @Test func rangeWithSeveralSeriesIsAConfigError() async throws {
        let body = #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"pod":"a"},"values":[]},{"metric":{"pod":"b"},"values":[]}]}}"#
        let reading = try await TestServer.with({ _ in .json(body) }) { server in
            await PrometheusSource(settings: settings("prometheus", url: server.url), transport: noRetry, clock: ManualClock(1_700_000_000))
                .readRange(PrometheusQuery("x"), start: 0, end: 60, stepSeconds: 15, deadline: deadline())
        }
        guard case .failure(let error) = reading.result else {
            Issue.record("expected a failure, got \(reading.result)")
            return
        }
        #expect(error.kind == .config)
        #expect(error.message.contains(#"{pod="b"}"#))
    }
}

@Suite("Retries inside the deadline")
struct RetryTests {
    @Test func delaysAreJitteredAndCapped() {
        let fixed = RetryPolicy(baseDelaySeconds: 0.1, maxDelaySeconds: 0.3, random: { 1.0 })
        #expect(fixed.delay(afterAttempt: 1) == 0.1)
        #expect(fixed.delay(afterAttempt: 2) == 0.2)
        #expect(fixed.delay(afterAttempt: 3) == 0.3)
        let low = RetryPolicy(baseDelaySeconds: 0.1, maxDelaySeconds: 1, random: { 0.0 })
        #expect(low.delay(afterAttempt: 1) == 0.05)
        #expect(low.delay(afterAttempt: 2) == 0.1)
    }

    @Test func transientFailuresAreRetriedThenSucceed() async throws {
        let count = NIOLockedValueBox(0)
        let recorder = SleepRecorder()
        let handler: @Sendable (RecordedRequest) -> CannedResponse = { _ in
            let n = count.withLockedValue { $0 += 1; return $0 }
            if n == 1 { return .closeConnection }
            if n == 2 { return .json(#"{"status":"error","errorType":"unavailable","error":"busy"}"#, status: 503) }
            return .json(#"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"3"]}}"#)
        }
        let reading = try await TestServer.with(handler) { server in
            await PrometheusSource(
                settings: settings("prometheus", url: server.url), transport: recorder.transport,
                clock: ManualClock(1_700_000_000)
            ).read(MetricRequest(metric: .lag, query: .prometheus(PrometheusQuery("x"))), deadline: deadline())
        }
        #expect(reading.outcome.number == 3)
        #expect(reading.attempts == 3)
        try #require(recorder.sleeps.count == 2)
        #expect(abs(recorder.sleeps[0] - 0.075) < 1e-9)
        #expect(abs(recorder.sleeps[1] - 0.15) < 1e-9)
    }

    @Test func noRetryWhenTheDeadlineLeavesNoRoom() async throws {
        let count = NIOLockedValueBox(0)
        let recorder = SleepRecorder()
        let reading = try await TestServer.with({ _ in
            count.withLockedValue { $0 += 1 }
            return .json(#"{"status":"error","errorType":"unavailable","error":"busy"}"#, status: 503)
        }) { server in
            // A retry needs its back-off (up to 100 ms) plus 10 s for an attempt: more than the 3 s left.
            var policy = recorder.policy
            policy.minimumAttemptSeconds = 10
            return await PrometheusSource(
                settings: settings("prometheus", url: server.url), transport: HTTPTransport(retry: policy, clock: recorder),
                clock: ManualClock(1_700_000_000)
            ).read(MetricRequest(metric: .lag, query: .prometheus(PrometheusQuery("x"))), deadline: deadline(ms: 3000))
        }
        #expect(count.withLockedValue { $0 } == 1)
        #expect(recorder.sleeps.isEmpty)
        #expect(reading.outcome.errorKind == .upstream)
    }

    @Test func clientErrorsAreNotRetried() async throws {
        let count = NIOLockedValueBox(0)
        let recorder = SleepRecorder()
        _ = try await TestServer.with({ _ in
            count.withLockedValue { $0 += 1 }
            return .json(#"{"status":"error","errorType":"bad_data","error":"parse error"}"#, status: 400)
        }) { server in
            await PrometheusSource(
                settings: settings("prometheus", url: server.url), transport: recorder.transport,
                clock: ManualClock(1_700_000_000)
            ).read(MetricRequest(metric: .lag, query: .prometheus(PrometheusQuery("x"))), deadline: deadline(ms: 3000))
        }
        #expect(count.withLockedValue { $0 } == 1)
    }
}
