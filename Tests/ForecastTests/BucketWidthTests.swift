import ForescaleTestKit
import Foundation
import Testing
@testable import Forecast

@Suite("bucket width: settings kept in time, the same answer at any width")
struct BucketWidthTests {
    @Test func rescaledKeepsTheSpansInTime() throws {
        let d = ArrivalForecasterConfiguration()
        let c = try d.rescaled(toBucketSeconds: 15)
        #expect(c.bucketSeconds == 15)
        // Spans of time: ×4 at a quarter of the width.
        #expect(c.warmupBuckets == 240)            // 1 h
        #expect(c.reselectEveryBuckets == 1440)    // 6 h
        #expect(c.fitWindowBuckets == 40_320)      // 7 days
        #expect(c.maxValidationBuckets == 5760)    // 1 day
        #expect(c.conformalWindow == 5760)         // 1 day
        #expect(c.historyBuckets == 80_640)        // 14 days
        #expect(c.maxPeriod == 40_320)             // 7 days
        // Counts of samples or work, and settings in seconds: unchanged.
        #expect(c.minPeriod == d.minPeriod)
        #expect(c.refitBudgetPerBucket == d.refitBudgetPerBucket)
        #expect(c.conformalLearningRate == d.conformalLearningRate)
        #expect(c.calendarPeriodsSeconds == d.calendarPeriodsSeconds)
        #expect(c.decisionHorizonSeconds == d.decisionHorizonSeconds)
        #expect(c.upperQuantile == d.upperQuantile)
        // The horizon in buckets follows the width: 135 s is the bucket holding
        // now + 135 s (now mid-bucket), 3 after the last closed one at 1 minute, 6 at 30 s, 10 at 15 s.
        #expect(d.steps(forHorizon: 135) == 3)
        #expect(c.steps(forHorizon: 135) == 10)
        #expect(try d.rescaled(toBucketSeconds: 30).steps(forHorizon: 135) == 6)
        // The default width is the identity, and a round trip returns the defaults.
        #expect(try d.rescaled(toBucketSeconds: 60) == d)
        #expect(try c.rescaled(toBucketSeconds: 60) == d)
        // A season given in buckets keeps its length in time; calendar snapping works in seconds.
        var s = d
        s.seasonPeriod = 1440
        #expect(try s.rescaled(toBucketSeconds: 15).seasonPeriod == 5760)
        #expect(c.snapped(5750) == 5760)
        _ = try ArrivalForecaster(configuration: c)
    }

    @Test func coarseWidthsStopAtTheSampleMinimums() throws {
        // At 1-hour buckets one hour of warm-up would be one bucket: the statistical
        // minimums (20 warm-up buckets, 30 conformal residuals, 10 hold-out) hold instead,
        // and the result is a valid configuration.
        let c = try ArrivalForecasterConfiguration().rescaled(toBucketSeconds: 3600)
        #expect(c.warmupBuckets == 20)
        #expect(c.conformalWindow == 30)
        #expect(c.maxValidationBuckets == 24)
        #expect(c.reselectEveryBuckets == 6)
        #expect(c.historyBuckets == 336)
        _ = try ArrivalForecaster(configuration: c)
    }

    @Test func aWidthThatIsNotPositiveIsRejected() {
        for bad in [0.0, -15, .nan, .infinity] {
            #expect(throws: ForecastError.self) { try ArrivalForecasterConfiguration().rescaled(toBucketSeconds: bad) }
        }
    }

    @Test func theSameSeriesOnAFasterClockGivesTheSameAnswer() throws {
        // A minute series at 1-minute buckets, and the same values one per 15 s at 15-second
        // buckets with the same settings in buckets (horizon and calendar periods a quarter in
        // seconds): the forecaster and the scoring see the same buckets, so every figure agrees.
        // Nothing depends on seconds except through the bucket width.
        var rng = SplitMix64(seed: 11)
        let values = (0 ..< 600).map { m in max(0, 30 + 8 * sin(2 * Double.pi * Double(m) / 90) + 2 * rng.normal()) }
        var minute = ArrivalForecasterConfiguration()
        minute.historyBuckets = 1200
        minute.fitWindowBuckets = 600
        minute.reselectEveryBuckets = 120
        var quarter = minute
        quarter.bucketSeconds = 15
        quarter.decisionHorizonSeconds = minute.decisionHorizonSeconds / 4
        quarter.calendarPeriodsSeconds = minute.calendarPeriodsSeconds.map { $0 / 4 }
        let slow = values.enumerated().map { (time: 1_700_000_040 + Double($0.offset) * 60, value: $0.element) }
        let fast = values.enumerated().map { (time: 425_000_010 + Double($0.offset) * 15, value: $0.element) }
        let a = try backtest(series: slow, configuration: minute)
        let b = try backtest(series: fast, configuration: quarter)
        #expect(a.points > 400)
        #expect(a == b, "\(a) vs \(b)")
    }

    @Test func fifteenSecondBucketsOfSecondsScoreOncePerBucketAtTenSteps() throws {
        // One-second samples at 15-second buckets: one forecast per closed bucket, each for
        // the 10th bucket after it (135 s ahead), scored against the mean of that bucket's 15
        // samples. Against 15-second samples of those means the answer is identical.
        var rng = SplitMix64(seed: 5)
        // Multiples of 1/8, so that 15 equal samples sum and average back to the value exactly.
        let means = (0 ..< 400).map { k in (max(0, 10 + 3 * sin(2 * Double.pi * Double(k) / 40) + rng.normal()) * 8).rounded() / 8 }
        let perBucket = means.enumerated().map { (time: Double($0.offset) * 15, value: $0.element) }
        // 15 samples averaging exactly to the mean (the same value each second).
        let perSecond = means.enumerated().flatMap { k, v in (0 ..< 15).map { (time: Double(k * 15 + $0), value: v) } }
        var c = try ArrivalForecasterConfiguration().rescaled(toBucketSeconds: 15)
        c.warmupBuckets = 100
        let a = try backtest(series: perBucket, configuration: c)
        let b = try backtest(series: perSecond, configuration: c)
        #expect(a == b, "\(a) vs \(b)")
        // Issued after warm-up and the first selection, for targets up to the last closed bucket.
        #expect(a.points > 250 && a.points <= 400 - 100 - 10, "\(a.points)")
    }
}
