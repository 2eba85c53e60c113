import ForescaleTestKit
import Foundation
import Testing
@testable import Forecast

/// Ticks every 15 s at `rate(minute)` for `minutes` minutes.
private func ticks(minutes: Int, from start: Int = 0, _ rate: (Int) -> Double) -> [(time: Double, rate: Double)] {
    var out: [(time: Double, rate: Double)] = []
    for minute in start ..< start + minutes {
        for k in 0 ..< 4 { out.append((Double(minute * 60 + k * 15), rate(minute))) }
    }
    return out
}

private func smallConfig() -> ArrivalForecasterConfiguration {
    var c = ArrivalForecasterConfiguration()
    c.historyBuckets = 2000
    c.fitWindowBuckets = 1000
    c.maxValidationBuckets = 200
    c.reselectEveryBuckets = 120
    c.conformalWindow = 300
    return c
}

@Suite("arrival forecaster")
struct ArrivalForecasterTests {
    @Test func warmsUpAfterAnHourWithALevelOrTrendModel() throws {
        var f = try ArrivalForecaster(configuration: smallConfig())
        var rng = SplitMix64(seed: 3)
        for s in ticks(minutes: 60, { _ in 10 + rng.normal() }) {
            try f.observe(time: s.time, rate: s.rate)
        }
        // 59 buckets closed (the 60th is still open).
        #expect(f.forecast(horizonSeconds: 135) == nil)
        try f.observe(time: 3600, rate: 10)
        let out = try #require(f.forecast(horizonSeconds: 135))
        #expect(out.model == "ewma-level" || out.model.hasPrefix("holt"))
        #expect(out.steps == 3 && out.upperQuantile == 0.9 && out.horizonSeconds == 135)
        #expect(abs(out.p50 - 10) < 1.5)
        #expect(out.upper > out.p50)
    }

    @Test func findsTheSeasonAndUsesASeasonalModel() throws {
        var f = try ArrivalForecaster(configuration: smallConfig())
        var rng = SplitMix64(seed: 5)
        let rate = { (m: Int) -> Double in 50 + 20 * sin(2 * .pi * Double(m) / 60) + rng.normal() }
        for s in ticks(minutes: 900, rate) { try f.observe(time: s.time, rate: s.rate) }
        let period = try #require(f.detectedPeriod)
        #expect(abs(period.period - 60) <= 1)
        let out = try #require(f.forecast(horizonSeconds: 135))
        #expect(out.model.contains("season"), "model \(out.model)")
        // The open bucket is minute 899; steps 3 from the last closed bucket 898 → minute 901.
        let truth: Double = 50 + 20 * sin(2 * Double.pi * 901 / 60)
        #expect(abs(out.p50 - truth) < 3, "p50 \(out.p50) vs \(truth)")
        #expect(out.upper >= out.p50)
    }

    @Test func seedAvoidsAColdStart() throws {
        var f = try ArrivalForecaster(configuration: smallConfig())
        try f.seed(history: ticks(minutes: 600, { m in 100 + 0.5 * Double(m) }))
        let out = try #require(f.forecast(horizonSeconds: 135))
        #expect(f.selections == 1)
        #expect(out.model.hasPrefix("holt"))
        let truth = 100 + 0.5 * 601
        #expect(abs(out.p50 - truth) < 0.5, "p50 \(out.p50)")
        // Keeps working incrementally after the seed.
        for s in ticks(minutes: 5, from: 600, { m in 100 + 0.5 * Double(m) }) { try f.observe(time: s.time, rate: s.rate) }
        #expect(f.forecast(horizonSeconds: 135) != nil)
    }

    @Test func historyStaysBoundedAndFarHorizonsAreRefused() throws {
        var c = smallConfig()
        c.historyBuckets = 300
        c.fitWindowBuckets = 300
        var f = try ArrivalForecaster(configuration: c)
        try f.seed(history: ticks(minutes: 1000, { m in 5 + Double(m % 10) }))
        #expect(f.historyCount == 300 && f.bucketCount == 999)
        #expect(f.forecast(horizonSeconds: 135) != nil)
        #expect(f.forecast(horizonSeconds: 3600) != nil)
        #expect(f.forecast(horizonSeconds: 300 * 60) == nil)
        #expect(f.forecast(horizonSeconds: 1e300) == nil)
    }

    @Test func constantSeriesGivesZeroWidthInterval() throws {
        var f = try ArrivalForecaster(configuration: smallConfig())
        try f.seed(history: ticks(minutes: 300, { _ in 7 }))
        let out = try #require(f.forecast(horizonSeconds: 135))
        #expect(abs(out.p50 - 7) < 1e-9 && abs(out.upper - 7) < 1e-9)
    }

    @Test func gapsZerosAndSpikesNeverGiveNaN() throws {
        var f = try ArrivalForecaster(configuration: smallConfig())
        var rng = SplitMix64(seed: 9)
        var checked = 0
        for minute in 0 ..< 1500 {
            if (400 ..< 520).contains(minute) { continue }  // a two-hour outage
            for k in 0 ..< 4 {
                let u = rng.uniform()
                let rate = u < 0.5 ? 0 : (u > 0.99 ? 500 * u : 3 * u)
                try f.observe(time: Double(minute * 60 + k * 15), rate: rate)
            }
            if let out = f.forecast(horizonSeconds: 135) {
                checked += 1
                #expect(out.p50.isFinite && out.upper.isFinite && out.p50 >= 0 && out.upper >= out.p50)
            }
        }
        #expect(checked > 1000)
        #expect(f.historyCount == 1499)
    }

    @Test func badInputThrowsAndChangesNothing() throws {
        var f = try ArrivalForecaster(configuration: smallConfig())
        try f.observe(time: 120, rate: 1)
        #expect(throws: ForecastError.nonFinite("rate")) { try f.observe(time: 130, rate: .nan) }
        #expect(throws: ForecastError.negative("rate -2.0 at 130.0")) { try f.observe(time: 130, rate: -2) }
        #expect(throws: ForecastError.outOfOrder(time: 10, lastBucketStart: 120)) { try f.observe(time: 10, rate: 1) }
        #expect(throws: ForecastError.nonFinite("time")) { try f.observe(time: .infinity, rate: 1) }
        #expect(throws: ForecastError.self) {
            try f.seed(history: [(200, 1), (100, 1)])
        }
        #expect(f.bucketCount == 0)
        #expect(f.forecast(horizonSeconds: .nan) == nil)
        #expect(throws: ForecastError.outOfRange("time 1e+300")) { try f.observe(time: 1e300, rate: 1) }
        var bad = ArrivalForecasterConfiguration()
        bad.upperQuantile = 1.5
        #expect(throws: ForecastError.self) { try ArrivalForecaster(configuration: bad) }
    }

    @Test func adaptsQuicklyAfterALevelShift() throws {
        var f = try ArrivalForecaster(configuration: smallConfig())
        var rng = SplitMix64(seed: 13)
        try f.seed(history: ticks(minutes: 600, { _ in 20 + rng.normal() }))
        #expect(f.driftState == .stable)
        var alarmMinute: Int?
        for s in ticks(minutes: 60, from: 600, { _ in 40 + rng.normal() }) {
            try f.observe(time: s.time, rate: s.rate)
            if f.driftAlarms > 0, alarmMinute == nil { alarmMinute = Int(s.time / 60) }
        }
        let at = try #require(alarmMinute)
        #expect(at - 600 <= 10, "alarm \(at - 600) min after the shift")
        let out = try #require(f.forecast(horizonSeconds: 135))
        #expect(abs(out.p50 - 40) < 3, "p50 \(out.p50)")
    }

    @Test func noDriftAlarmOnStationaryNoise() throws {
        var f = try ArrivalForecaster(configuration: smallConfig())
        var rng = SplitMix64(seed: 17)
        for s in ticks(minutes: 1500, { _ in 20 + 2 * rng.normal() }) { try f.observe(time: s.time, rate: s.rate) }
        #expect(f.driftAlarms == 0)
        #expect(f.selections >= 10)
    }
}
