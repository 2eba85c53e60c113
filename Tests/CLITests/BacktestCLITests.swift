import Foundation
import Testing

@Suite("forescale backtest")
struct BacktestCLITests {
    /// Writes a deterministic synthetic trace: `rows` rows of `interval` seconds, counts with a
    /// cycle of `period` rows and a fixed pseudo-random wobble.
    static func fixture(rows: Int, interval: Int, period: Int) throws -> URL {
        var lines = ["timestamp,value"]
        var state: UInt64 = 42
        for i in 0 ..< rows {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let wobble = Double(state >> 40) / Double(1 << 24) - 0.5
            let count = (200 + 80 * sin(2 * Double.pi * Double(i) / Double(period)) + 20 * wobble).rounded()
            lines.append("\(1_700_000_000 + i * interval),\(Int(count))")
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("backtest-\(interval)s-\(UUID().uuidString).csv")
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func minuteTracePrintsTheFigures() async throws {
        let trace = try Self.fixture(rows: 600, interval: 60, period: 60)
        defer { try? FileManager.default.removeItem(at: trace) }
        let output = try await CLI.run("backtest", "--trace", trace.path)
        #expect(output.status == 0, "\(output.stderr)")
        for label in ["points scored", "MASE", "naive at the horizon", "sMAPE", "p90 coverage", "mean width", "models", "selections", "run time"] {
            #expect(output.stdout.contains(label), "missing \(label): \(output.stdout)")
        }
        #expect(output.stdout.contains("horizon 2m15s (3 buckets"), "\(output.stdout)")
    }

    @Test func jsonHasTheFieldsAndCoarseRowsUseTheSeasonalNaive() async throws {
        let trace = try Self.fixture(rows: 24 * 12, interval: 3600, period: 24)
        defer { try? FileManager.default.removeItem(at: trace) }
        let output = try await CLI.run("backtest", "--trace", trace.path, "--quantile", "0.8", "--json")
        #expect(output.status == 0, "\(output.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        let json = try #require(object, "not a JSON object: \(output.stdout)")
        for key in ["points", "mase", "maseScale", "maseNaiveSeason", "smape", "upperQuantile", "upperCoverage",
                    "meanIntervalWidth", "models", "selections", "driftAlarms", "runSeconds", "microsecondsPerRow",
                    "horizonSeconds", "bucketSeconds"] {
            #expect(json[key] != nil, "missing \(key)")
        }
        #expect(json["maseNaiveSeason"] as? Int == 24)
        #expect(json["horizonSeconds"] as? Double == 3600)
        #expect(json["upperQuantile"] as? Double == 0.8)
        #expect((json["points"] as? Int ?? 0) > 100)
        let mase = try #require(json["mase"] as? Double)
        #expect(mase > 0 && mase < 1, "MASE \(mase)")
        let shares = try #require(json["models"] as? [String: Double])
        #expect(abs(shares.values.reduce(0, +) - 1) < 1e-9)
    }

    @Test("--tick scores the forecasts as the controller uses them, at their horizon; a tick past the horizon is refused")
    func controlHorizon() async throws {
        let trace = try Self.fixture(rows: 600, interval: 60, period: 60)
        defer { try? FileManager.default.removeItem(at: trace) }
        let output = try await CLI.run("backtest", "--trace", trace.path, "--tick", "15s", "--json")
        #expect(output.status == 0, "\(output.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        let score = try #require((object?["controlHorizon"]) as? [String: Any], "\(output.stdout)")
        #expect(object?["tickSeconds"] as? Double == 15)
        let scored = try #require(score["scored"] as? Int)
        #expect(scored > 1000, "every 15 s over ten hours after warm-up")
        let coverage = try #require(score["upperCoverage"] as? Double)
        #expect(coverage > 0.5 && coverage <= 1, "\(coverage)")
        #expect(score["meanHorizonSeconds"] as? Double == 135)
        #expect((score["mase"] as? Double).map { $0 > 0 } == true)
        let text = try await CLI.run("backtest", "--trace", trace.path, "--tick", "15s")
        #expect(text.stdout.contains("at the control horizon") && text.stdout.contains("p50 coverage"), "\(text.stdout)")
        let bad = try await CLI.run("backtest", "--trace", trace.path, "--tick", "5m")
        #expect(bad.status != 0 && bad.stderr.contains("--tick"), "\(bad.stderr)")
    }

    @Test func badHorizonNamesTheValue() async throws {
        let trace = try Self.fixture(rows: 100, interval: 60, period: 60)
        defer { try? FileManager.default.removeItem(at: trace) }
        for bad in ["135x", "2 minutes", "135", "0s"] {
            let output = try await CLI.run("backtest", "--trace", trace.path, "--horizon", bad)
            #expect(output.status != 0)
            #expect(output.stderr.contains("--horizon") && output.stderr.contains(bad), "\(bad): \(output.stderr)")
            #expect(output.stdout.isEmpty)
        }
    }

    /// Writes `rows` rows of `interval` seconds with the given counts (deterministic).
    static func write(_ counts: [Int], interval: Int, label: String) throws -> URL {
        var lines = ["timestamp,value"]
        for (i, c) in counts.enumerated() { lines.append("\(1_700_000_100 + i * interval),\(c)") }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("backtest-\(label)-\(UUID().uuidString).csv")
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    static func json(_ arguments: String...) async throws -> [String: Any] {
        let output = try await CLI.run(arguments, stdinFile: nil)
        #expect(output.status == 0, "\(arguments): \(output.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        return try #require(object, "not a JSON object: \(output.stdout)")
    }

    /// The figures of a run (not its timings or the trace's shape).
    static let figures = ["points", "mase", "smape", "upperCoverage", "meanIntervalWidth", "selections", "driftAlarms",
                          "bucketSeconds", "horizonBuckets", "warmupBuckets", "reselectEveryBuckets", "fitWindowBuckets"]

    @Test func bucketOfOneMinuteIsTheDefault() async throws {
        let trace = try Self.fixture(rows: 600, interval: 60, period: 60)
        defer { try? FileManager.default.removeItem(at: trace) }
        let plain = try await Self.json("backtest", "--trace", trace.path, "--json")
        let minute = try await Self.json("backtest", "--trace", trace.path, "--bucket", "1m", "--json")
        for key in Self.figures {
            #expect("\(plain[key] ?? "nil")" == "\(minute[key] ?? "nil")", "\(key)")
        }
        #expect(plain["models"] as? [String: Double] == minute["models"] as? [String: Double])
    }

    @Test func fifteenSecondBucketsOfSecondRowsEqualFifteenSecondRows() async throws {
        // One hour of 1-second rows, and the same arrivals summed into 15-second rows: at
        // --bucket 15s the forecaster sees the same buckets (the mean rate of each 15 s), so
        // the figures agree. The hour is shorter than two, so it warms up on half of its
        // 240 buckets; the horizon of 135 s is the 10th bucket after the last closed one.
        var state: UInt64 = 7
        let seconds = (0 ..< 3600).map { i -> Int in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let mean = 3 + 2 * sin(2 * Double.pi * Double(i) / 900)
            return Int(Double(state >> 40) / Double(1 << 24) * 2 * mean)
        }
        let quarters = stride(from: 0, to: seconds.count, by: 15).map { seconds[$0 ..< $0 + 15].reduce(0, +) }
        let fine = try Self.write(seconds, interval: 1, label: "1s")
        let coarse = try Self.write(quarters, interval: 15, label: "15s")
        defer {
            try? FileManager.default.removeItem(at: fine)
            try? FileManager.default.removeItem(at: coarse)
        }
        let a = try await Self.json("backtest", "--trace", fine.path, "--bucket", "15s", "--json")
        let b = try await Self.json("backtest", "--trace", coarse.path, "--bucket", "15s", "--json")
        for key in Self.figures {
            #expect("\(a[key] ?? "nil")" == "\(b[key] ?? "nil")", "\(key)")
        }
        #expect(a["models"] as? [String: Double] == b["models"] as? [String: Double])
        #expect(a["bucketSeconds"] as? Double == 15)
        #expect(a["horizonBuckets"] as? Int == 10)
        #expect(a["warmupBuckets"] as? Int == 120)
        #expect(a["reselectEveryBuckets"] as? Int == 1440)
        #expect(a["fitWindowBuckets"] as? Int == 40_320)
        #expect((a["points"] as? Int ?? 0) > 90)

        let text = try await CLI.run("backtest", "--trace", fine.path, "--bucket", "15s")
        #expect(text.stdout.contains("buckets 15s, horizon 2m15s (10 buckets after the last closed one)"), "\(text.stdout)")

        // Without --bucket, a trace shorter than a day with rows of 15 s or finer is evaluated at
        // 15 s too (at 1 minute it would score too few forecasts); 15-second rows likewise.
        let plain = try await Self.json("backtest", "--trace", fine.path, "--json")
        let plainCoarse = try await Self.json("backtest", "--trace", coarse.path, "--json")
        for key in Self.figures {
            #expect("\(plain[key] ?? "nil")" == "\(a[key] ?? "nil")", "\(key)")
            #expect("\(plainCoarse[key] ?? "nil")" == "\(a[key] ?? "nil")", "\(key)")
        }
    }

    @Test func badBucketNamesTheValue() async throws {
        let minute = try Self.fixture(rows: 100, interval: 60, period: 60)
        let hourly = try Self.fixture(rows: 100, interval: 3600, period: 24)
        defer {
            try? FileManager.default.removeItem(at: minute)
            try? FileManager.default.removeItem(at: hourly)
        }
        let cases: [(args: [String], message: String)] = [
            (["--bucket", "0s"], "--bucket: must be > 0, got '0s'"),
            (["--bucket", "15"], "--bucket: missing unit: '15'"),
            (["--bucket=-15s"], "--bucket: must not be negative: '-15s'"),
            (["--bucket", "fifteen"], "--bucket: not a duration: 'fifteen'"),
            (["--bucket", "3m"], "--bucket: must be at most the horizon (135s), got '3m'"),
            (["--bucket", "2m", "--horizon", "90s"], "--bucket: must be at most the horizon (90s), got '2m'"),
            (["--bucket", "15s"], "--bucket 15s: finer than the trace's rows (1m): most buckets would be empty"),
        ]
        for c in cases {
            let output = try await CLI.run(["backtest", "--trace", minute.path] + c.args, stdinFile: nil)
            #expect(output.status != 0, "\(c.args)")
            #expect(output.stderr.contains(c.message), "\(c.args): \(output.stderr)")
            #expect(output.stdout.isEmpty)
        }
        let coarse = try await CLI.run("backtest", "--trace", hourly.path, "--bucket", "1m")
        #expect(coarse.status != 0)
        #expect(coarse.stderr.contains("--bucket 1m: the rows (1h) are coarser than the horizon (2m15s), so the buckets are the rows"),
                "\(coarse.stderr)")
    }

    @Test func badCSVAndBadQuantileExitNonZero() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("backtest-bad-\(getpid()).csv")
        try "timestamp,value\n1,2\n2,oops\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let output = try await CLI.run("backtest", "--trace", file.path)
        #expect(output.status != 0)
        #expect(output.stderr.contains("\(file.path):3: expected 'timestamp,value', got '2,oops'"), "\(output.stderr)")
        let quantile = try await CLI.run("backtest", "--trace", file.path, "--quantile", "1.5")
        #expect(quantile.status != 0)
        #expect(quantile.stderr.contains("--quantile: must be in (0.5, 1), got 1.5"), "\(quantile.stderr)")
    }
}
