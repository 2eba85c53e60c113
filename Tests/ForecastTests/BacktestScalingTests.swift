import ForescaleTestKit
import Foundation
import Testing
@testable import Forecast

@Suite("backtest scaling and the SSE kernel")
struct BacktestScalingTests {
    /// An hourly series with a daily cycle, a weekly modulation and noise (deterministic).
    private func hourly(days: Int, seed: UInt64 = 7) -> [(time: Double, value: Double)] {
        var rng = SplitMix64(seed: seed)
        return (0 ..< days * 24).map { h in
            let daily = 30 * sin(2 * Double.pi * Double(h) / 24)
            let weekly = 1 + 0.1 * sin(2 * Double.pi * Double(h) / 168)
            return (Double(h * 3600), max(0, (100 + daily) * weekly + 4 * rng.normal()))
        }
    }

    private func coarse() -> ArrivalForecasterConfiguration {
        var c = ArrivalForecasterConfiguration()
        c.bucketSeconds = 3600
        c.decisionHorizonSeconds = 0
        c.warmupBuckets = 48
        c.reselectEveryBuckets = 48
        c.conformalWindow = 500
        return c
    }

    @Test func seasonalNaiveScaleOnHourlyRows() throws {
        let series = hourly(days: 30)
        let naive = try backtest(series: series, configuration: coarse())
        let seasonal = try backtest(series: series, configuration: coarse(), maseNaiveSeason: 24)
        #expect(naive.maseNaiveSeason == 1 && seasonal.maseNaiveSeason == 24)
        // Same forecasts; only the scale (and the first day's points, which have no base) differ.
        #expect(seasonal.points <= naive.points && seasonal.points >= naive.points - 24)
        #expect(seasonal.mase < 1, "MASE \(seasonal.mase)")
        #expect(seasonal.mase != naive.mase)
        #expect(abs(seasonal.upperCoverage - 0.9) < 0.05, "coverage \(seasonal.upperCoverage)")
        // Default behaviour unchanged: the default call is the naive scale.
        #expect(try backtest(series: series, configuration: coarse(), maseNaiveSeason: 1) == naive)
    }

    @Test func seasonalNaiveOfAPurelyPeriodicSeriesIsPerfect() throws {
        // A noise-free daily pattern: the seasonal naive has zero error, so any model error
        // gives an infinite MASE, and a zero error 0 — never NaN.
        let series = (0 ..< 24 * 20).map { h in (time: Double(h * 3600), value: 50 + 20 * sin(2 * Double.pi * Double(h) / 24)) }
        let r = try backtest(series: series, configuration: coarse(), maseNaiveSeason: 24)
        #expect(!r.mase.isNaN)
        #expect(r.mase == 0 || r.mase > 0)
    }

    @Test func scoreFromSkipsEarlyTargets() throws {
        let series = hourly(days: 20)
        let all = try backtest(series: series, configuration: coarse())
        let late = try backtest(series: series, configuration: coarse(), scoreFrom: 10 * 86_400)
        #expect(late.points == 10 * 24 - 1, "\(late.points)")  // the last bucket is never closed
        #expect(late.points < all.points)
        #expect(throws: ForecastError.invalidConfiguration("maseNaiveSeason must be ≥ 1, got 0")) {
            try backtest(series: series, configuration: coarse(), maseNaiveSeason: 0)
        }
        #expect(throws: ForecastError.nonFinite("scoreFrom")) {
            try backtest(series: series, configuration: coarse(), scoreFrom: .nan)
        }
    }

    @Test func oneForecastPerOriginForSubBucketSamples() throws {
        // The same minute series fed once per minute and as four 15-s samples per minute:
        // the forecaster sees the same buckets, so the figures agree, points included.
        var rng = SplitMix64(seed: 3)
        let minutes = (0 ..< 400).map { m in 20 + 5 * sin(2 * Double.pi * Double(m) / 60) + rng.normal() }
        let coarseSeries = minutes.enumerated().map { (time: Double($0.offset * 60), value: $0.element) }
        let fine = minutes.enumerated().flatMap { m, v in (0 ..< 4).map { (time: Double(m * 60 + 15 * $0), value: v) } }
        var c = ArrivalForecasterConfiguration()
        c.historyBuckets = 1000
        c.fitWindowBuckets = 500
        c.reselectEveryBuckets = 120
        let a = try backtest(series: coarseSeries, configuration: c)
        let b = try backtest(series: fine, configuration: c)
        #expect(a.points > 300)
        #expect(a == b, "\(a) vs \(b)")
    }

    @Test(arguments: [
        HoltWintersSpec.level, HoltWintersSpec(trend: true), HoltWintersSpec(trend: true, damped: true),
        HoltWintersSpec(seasonal: .additive, period: 24), HoltWintersSpec(trend: true, damped: true, seasonal: .additive, period: 24),
        HoltWintersSpec(seasonal: .multiplicative, period: 24), HoltWintersSpec(trend: true, seasonal: .multiplicative, period: 24),
    ])
    func sseKernelMatchesTheUpdateRecursion(spec: HoltWintersSpec) throws {
        let y = hourly(days: 10).map { $0.value + 1 }
        let initial = try HeuristicInitialization.initialState(y, spec: spec)
        let p = HoltWintersParameters(alpha: 0.3, beta: 0.05, gamma: 0.1, phi: 0.95)
        var fast = HoltWinters(spec: spec, parameters: p, initial: initial)
        var slow = fast
        var reference = 0.0
        for v in y {
            let e = v - slow.nextFitted
            reference += e * e
            slow.update(v)
        }
        let sse = fast.sse(y)
        #expect(abs(sse - reference) <= 1e-12 * reference, "\(sse) vs \(reference)")
        #expect(fast.count == slow.count)
        for h in 1 ... 30 {
            let a = fast.forecast(steps: h), b = slow.forecast(steps: h)
            #expect(abs(a - b) <= 1e-10 * max(1, abs(b)), "h \(h): \(a) vs \(b)")
        }
    }
}
