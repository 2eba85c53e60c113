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
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("backtest-\(interval)s-\(getpid()).csv")
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
