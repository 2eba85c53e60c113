import ForescaleTestKit
import Foundation
import Testing
@testable import Forecast

@Suite("backtest")
struct BacktestTests {
    private func config() -> ArrivalForecasterConfiguration {
        var c = ArrivalForecasterConfiguration()
        c.historyBuckets = 2000
        c.fitWindowBuckets = 1000
        c.maxValidationBuckets = 200
        c.reselectEveryBuckets = 120
        c.conformalWindow = 300
        return c
    }

    @Test func seasonalSeriesBeatsNaiveWithCalibratedUpperQuantile() throws {
        var rng = SplitMix64(seed: 99)
        var series: [(time: Double, value: Double)] = []
        for m in 0 ..< 3000 {
            let s: Double = 30 * sin(2 * Double.pi * Double(m) / 120)
            series.append((Double(m * 60), 100 + s + 3 * rng.normal()))
        }
        let r = try backtest(series: series, configuration: config())
        #expect(r.points > 2800)
        #expect(r.mase < 0.9, "MASE \(r.mase)")
        #expect(abs(r.upperCoverage - 0.9) < 0.03, "coverage \(r.upperCoverage)")
        #expect(r.meanIntervalWidth > 0 && r.smape < 0.1)
        #expect(r.modelsChosen.keys.contains { $0.contains("season 120") }, "\(r.modelsChosen)")
        #expect(r.selections > 10)
        // Pure and deterministic.
        #expect(try backtest(series: series, configuration: config()) == r)
    }

    @Test func realNASASliceAtTenMinutes() throws {
        let rows = try Fixtures.csv("nasa_http_10min")
        var c = ArrivalForecasterConfiguration()
        c.bucketSeconds = 600
        let r = try backtest(series: rows.map { ($0.time, $0.value) }, configuration: c)
        #expect(r.points > 750)
        #expect(r.mase < 1, "MASE \(r.mase)")
        #expect(r.upperCoverage > 0.85 && r.upperCoverage < 0.95, "coverage \(r.upperCoverage)")
    }

    @Test func badOrShortInput() {
        #expect(throws: ForecastError.insufficientData(needed: 1, got: 0)) {
            try backtest(series: (0 ..< 30).map { (Double($0 * 60), 1.0) })
        }
        #expect(throws: ForecastError.negative("rate -1.0 at 60.0")) {
            try backtest(series: [(0, 1), (60, -1)])
        }
    }

    @Test func calendarPeriodSnapping() {
        let c = ArrivalForecasterConfiguration()
        #expect(c.snapped(1424) == 1440)
        #expect(c.snapped(1300) == 1300)
        #expect(c.snapped(59) == 60)
        #expect(c.snapped(10_000) == 10_080)
    }
}
