import Foundation
import Testing
@testable import Forecast

/// Bands calibrated at the tick and horizon the planner uses them.
@Suite("horizon calibration")
struct HorizonCalibrationTests {
    /// Forecasts every 15 s for 30 s ahead, each scored by the first rate observed at or after its
    /// horizon; the bands are the split-conformal quantiles (rank ⌈(n+1)·q⌉) of those scores.
    @Test func bandsAreTheQuantilesOfTheScoresAtTheHorizon() throws {
        var calibration = try HorizonCalibration(horizonSeconds: 30, upperQuantile: 0.9, window: 100, minimumScores: 10)
        // Point forecasts 0; the rate at tick k is k % 7. The forecast made at tick k is due at
        // tick k + 2 and scores (k + 2) % 7.
        var expected: [Double] = []
        for k in 0 ..< 40 {
            let time = Double(k) * 15
            calibration.observe(time: time, rate: Double(k % 7))
            if k >= 2 { expected.append(Double(k % 7)) }
            if k < 11 { #expect(calibration.bounds(point: 0) == nil) }
            calibration.issue(time: time, point: 0)
        }
        #expect(calibration.scoredCount == expected.count)
        let sorted = expected.sorted()
        let n = Double(sorted.count)
        let p50 = sorted[Int(((n + 1) * 0.5).rounded(.up)) - 1]
        let p90 = sorted[Int(((n + 1) * 0.9).rounded(.up)) - 1]
        let bounds = try #require(calibration.bounds(point: 0))
        #expect(bounds.p50 == p50)
        #expect(bounds.upper == p90)
        // Around another point the same offsets apply; the median is never below zero.
        let shifted = try #require(calibration.bounds(point: 100))
        #expect(shifted.p50 == 100 + p50 && shifted.upper == 100 + p90)
        #expect(try #require(calibration.bounds(point: -50)).p50 == 0)
    }

    /// Half the day idle (nothing arrives, the point is 0), half busy with large errors: a quiet
    /// forecast gets the quiet errors' band, not the busy day's.
    @Test func aQuietForecastGetsTheBandOfQuietForecasts() throws {
        var calibration = try HorizonCalibration(horizonSeconds: 15, upperQuantile: 0.9, window: 2000, minimumScores: 30)
        for k in 0 ..< 1200 {
            let time = Double(k) * 15
            let busy = (k / 100) % 2 == 1
            // Busy: the point is 100 and the outcome 100 ± 0–40; idle: both 0.
            calibration.observe(time: time, rate: busy ? 100 + Double((k * 37) % 81) - 40 : 0)
            calibration.issue(time: time, point: busy ? 100 : 0)
        }
        #expect(calibration.quietLevel == 10)  // a tenth of the 90th percentile of the points
        let quiet = try #require(calibration.bounds(point: 0))
        #expect(quiet.upper < 1, "quiet p90 \(quiet.upper)")
        let busy = try #require(calibration.bounds(point: 100))
        #expect(busy.upper > 120, "busy p90 \(busy.upper)")
    }

    /// A forecaster that predicted only zeros while traffic came (its first business day) has no
    /// level to be quiet against: those errors are not a quiet night's, and a later quiet
    /// forecast does not inherit them.
    @Test func forecastsOfNothingButZerosAreNotQuiet() throws {
        var calibration = try HorizonCalibration(horizonSeconds: 15, upperQuantile: 0.9, window: 4000, minimumScores: 30)
        var k = 0
        func run(_ ticks: Int, point: (Int) -> Double, rate: (Int) -> Double) {
            for _ in 0 ..< ticks {
                calibration.observe(time: Double(k) * 15, rate: rate(k))
                calibration.issue(time: Double(k) * 15, point: point(k))
                k += 1
            }
        }
        // Day one: the points are all 0 while about 10/s arrives.
        run(400, point: { _ in 0 }) { 10 + Double($0 % 3) }
        #expect(calibration.quietLevel == 0)
        // Then it learns: busy hours forecast 10, quiet hours 0 with 0 arriving.
        run(1200, point: { ($0 / 200) % 2 == 0 ? 10 : 0 }) { ($0 / 200) % 2 == 0 ? 10 : 0 }
        #expect(try #require(calibration.quietLevel) > 0)
        let quiet = try #require(calibration.bounds(point: 0))
        #expect(quiet.upper < 1, "a quiet night's p90 \(quiet.upper) carries the first day's errors")
    }

    /// A target idle ten times in eleven: the level is 0, yet its forecasts of 0 are quiet (some
    /// recent point was above zero), so they get the band of quiet forecasts, not the p95 of the
    /// busy ticks' misses.
    @Test func aTargetIdleMostOfTheTimeKeepsItsQuietClass() throws {
        var calibration = try HorizonCalibration(horizonSeconds: 15, upperQuantile: 0.95, window: 4000, minimumScores: 30)
        for k in 0 ..< 2200 {
            let busy = k % 11 == 0
            // Busy: the point is 10 and 15–21 arrive; idle: both 0.
            calibration.observe(time: Double(k) * 15, rate: (k - 1) % 11 == 0 ? 15 + Double(k % 7) : 0)
            calibration.issue(time: Double(k) * 15, point: busy ? 10 : 0)
        }
        #expect(calibration.quietLevel == 0)
        let quiet = try #require(calibration.bounds(point: 0))
        #expect(quiet.upper < 1, "quiet p95 \(quiet.upper)")
    }

    /// Three weekdays where the night's errors are small and the day's large, the point always 100
    /// (never quiet): at night the band is the night's, by day the day's. One band over the day
    /// (the pooled scores) would be wide at night and too narrow by day.
    @Test func theBandIsThatOfTheHourOfTheDay() throws {
        var calibration = try HorizonCalibration(horizonSeconds: 15, upperQuantile: 0.9, window: 5760, minimumScores: 30)
        let monday = 4.0 * 86_400  // 5 January 1970
        func rate(_ time: Double, _ k: Int) -> Double {
            let hour = Int(time.truncatingRemainder(dividingBy: 86_400) / 3_600)
            let spread = (0 ..< 6).contains(hour) ? 2.0 : 40.0
            return 100 + spread * (Double((k * 37) % 21) / 10 - 1)  // 100 ± spread
        }
        var k = 0
        func run(until end: Double) {
            while monday + Double(k) * 15 < end {
                let time = monday + Double(k) * 15
                calibration.observe(time: time, rate: rate(time, k))
                calibration.issue(time: time, point: 100)
                k += 1
            }
        }
        run(until: monday + 2 * 86_400 + 3 * 3_600)  // to Wednesday 03:00
        let night = try #require(calibration.bounds(point: 100))
        #expect(night.upper <= 102 && night.upper > 100, "night p90 \(night.upper)")
        run(until: monday + 2 * 86_400 + 12 * 3_600)  // to Wednesday noon
        let day = try #require(calibration.bounds(point: 100))
        #expect(day.upper > 130, "day p90 \(day.upper)")
    }

    /// Weekdays busy and erratic at 10:00, weekends calm then: on a Saturday morning the band is
    /// the weekend's, not the weekdays' at the same hour.
    @Test func weekendsAreKeptApartFromWeekdays() throws {
        var calibration = try HorizonCalibration(horizonSeconds: 15, upperQuantile: 0.9, window: 5760, minimumScores: 30)
        let monday = 4.0 * 86_400
        var k = 0
        var saturday: (p50: Double, upper: Double)?
        var friday: (p50: Double, upper: Double)?
        // Two weeks; read the band at 10:30 on the second Friday and Saturday.
        while Double(k) * 15 < 13 * 86_400 {
            let time = monday + Double(k) * 15
            let weekend = (Int(Double(k) * 15 / 86_400) % 7) >= 5
            let spread = weekend ? 1.0 : 30.0
            calibration.observe(time: time, rate: 50 + spread * (Double((k * 37) % 21) / 10 - 1))
            calibration.issue(time: time, point: 50)
            if Double(k) * 15 == 11 * 86_400 + 10.5 * 3_600 { friday = calibration.bounds(point: 50) }
            if Double(k) * 15 == 12 * 86_400 + 10.5 * 3_600 { saturday = calibration.bounds(point: 50) }
            k += 1
        }
        let weekday = try #require(friday), weekend = try #require(saturday)
        #expect(weekday.upper > 70, "Friday p90 \(weekday.upper)")
        #expect(weekend.upper <= 51, "Saturday p90 \(weekend.upper)")
    }

    /// A time too far out to be one is ignored (no bin is computed for it, nothing is scored with
    /// it) and later forecasts are scored as usual.
    @Test func timesOutOfRangeAreIgnored() throws {
        var calibration = try HorizonCalibration(horizonSeconds: 15, upperQuantile: 0.9, window: 100, minimumScores: 1)
        calibration.observe(time: 1e20, rate: 1)
        calibration.issue(time: -1e20, point: 1)
        calibration.observe(time: 1_000, rate: 1)
        calibration.issue(time: 1_000, point: 1)
        calibration.observe(time: 1_015, rate: 3)
        #expect(calibration.scoredCount == 1)
        #expect(try #require(calibration.bounds(point: 1)).upper == 3)
    }

    /// The hour bins' quantiles are selected, not sorted for: the same value as the conformal
    /// quantile of the sorted scores, for every size, level and run of equal values.
    @Test func selectedQuantilesAreTheSortedOnes() {
        var state: UInt64 = 42
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        for size in [1, 2, 3, 7, 120, 333, 1_680] {
            // spread 1: every value equal (an idle target's scores); 3: long runs of equal values.
            for spread in [1, 3, 1_000] {
                let values = (0 ..< size).map { _ in Double(next() % spread) - Double(spread / 2) }
                let sorted = values.sorted()
                for level in [0.0, 0.1, 0.5, 0.9, 0.95, 1.0] {
                    var scratch = values
                    let rank = AdaptiveConformal.rank(level: level, count: size)
                    #expect(HorizonCalibration.select(rank - 1, in: &scratch) == AdaptiveConformal.quantile(sorted, level: level),
                            "size \(size), spread \(spread), level \(level)")
                }
                for k in [0, size / 2, size - 1] {
                    var scratch = values
                    #expect(HorizonCalibration.select(k, in: &scratch) == sorted[k])
                    // Then a lower rank among the values left below it, as the hour band does, and
                    // the same rank again.
                    #expect(HorizonCalibration.select(k / 3, in: &scratch, below: k) == sorted[k / 3])
                    #expect(HorizonCalibration.select(k / 3, in: &scratch, below: k / 3) == sorted[k / 3])
                }
            }
        }
    }

    /// The hour band's median and upper quantile are those of the sorted scores of the forecasts
    /// issued in the hour read and the hours either side, and scored so far.
    @Test func theHourBandIsTheQuantilesOfItsThreeHoursScores() throws {
        var calibration = try HorizonCalibration(horizonSeconds: 15, upperQuantile: 0.9, window: 5760, minimumScores: 30)
        let monday = 4.0 * 86_400
        var scored: [(issued: Double, score: Double)] = []
        var k = 0
        // Monday 00:00 to 02:30: the band at 02:30 is that of 01:00–04:00's scores (bins 1, 2, 3).
        while Double(k) * 15 <= 2.5 * 3_600 {
            let time = monday + Double(k) * 15
            let rate = 100 + 10 * sin(Double(k) * 0.77) + (k < 240 ? 50 : 0)  // distinct values; the first hour higher
            calibration.observe(time: time, rate: rate)
            if k > 0 { scored.append((time - 15, rate - 100)) }
            calibration.issue(time: time, point: 100)
            k += 1
        }
        let read = monday + Double(k - 1) * 15
        let union = scored.filter { $0.issued >= monday + 3_600 && $0.issued < monday + 4 * 3_600 && $0.issued <= read - 15 }
            .map(\.score).sorted()
        #expect(union.count >= HorizonCalibration.hourMinimumScores)
        let bounds = try #require(calibration.bounds(point: 100))
        #expect(bounds.p50 == 100 + AdaptiveConformal.quantile(union, level: 0.5))
        #expect(bounds.upper == 100 + AdaptiveConformal.quantile(union, level: 0.9))
        // Not the day-wide band: that one holds the first hour's higher scores too.
        let all = scored.map(\.score).sorted()
        #expect(AdaptiveConformal.quantile(all, level: 0.9) > AdaptiveConformal.quantile(union, level: 0.9))
    }

    /// Errors large only between 03:00 and 04:00 on weekdays, small otherwise: at 04:30 the band
    /// takes in the hour before (wide), at 05:30 it holds only calm hours (narrow); a time observed
    /// out of order (03:30, after 05:30) does not move the hour the band is read for.
    @Test func theHoursEitherSideJoinTheBandAndTimeDoesNotGoBack() throws {
        var calibration = try HorizonCalibration(horizonSeconds: 15, upperQuantile: 0.9, window: 5760, minimumScores: 30)
        let monday = 4.0 * 86_400
        var k = 0
        func run(until end: Double) {
            while monday + Double(k) * 15 < end {
                let time = monday + Double(k) * 15
                let hour = Int(Double(k) * 15 / 3_600) % 24
                let spread = hour == 3 ? 40.0 : 1.0
                calibration.observe(time: time, rate: 100 + spread * (Double((k * 37) % 21) / 10 - 1))
                calibration.issue(time: time, point: 100)
                k += 1
            }
        }
        run(until: monday + 86_400 + 4.5 * 3_600)  // Tuesday 04:30
        let afterTheErrors = try #require(calibration.bounds(point: 100))
        #expect(afterTheErrors.upper > 120, "04:30 p90 \(afterTheErrors.upper)")
        run(until: monday + 86_400 + 5.5 * 3_600)  // Tuesday 05:30
        let calm = try #require(calibration.bounds(point: 100))
        #expect(calm.upper <= 101, "05:30 p90 \(calm.upper)")
        calibration.observe(time: monday + 86_400 + 3.5 * 3_600, rate: 100)
        #expect(try #require(calibration.bounds(point: 100)) == calm)
    }

    @Test func theHourOfTheWeekOfATime() {
        #expect(HorizonCalibration.weekHour(0) == 0)  // Thursday 1 January 1970, 00:00 UTC
        #expect(HorizonCalibration.weekHour(2 * 86_400 + 13 * 3_600) == 24 + 13)  // Saturday 13:00
        #expect(HorizonCalibration.weekHour(3 * 86_400 + 23 * 3_600 + 3_599) == 24 + 23)  // Sunday 23:59:59
        #expect(HorizonCalibration.weekHour(4 * 86_400) == 0)  // Monday
        #expect(HorizonCalibration.weekHour(1_563_148_800) == 0)  // Monday 15 July 2019
        #expect(HorizonCalibration.weekHour(-3_600) == 23)  // Wednesday 31 December 1969, 23:00
        #expect(HorizonCalibration.weekHour(-4 * 86_400) == 24)  // Sunday 28 December 1969, 00:00
        #expect(HorizonCalibration.weekHour(2 * 86_400 - 0.5) == 23)  // Friday 23:59:59.5
        #expect(HorizonCalibration.weekHour(2 * 86_400) == 24)  // Saturday 00:00
    }

    @Test func aForecastWhoseOutcomeComesAfterAGapIsNotScored() throws {
        var calibration = try HorizonCalibration(horizonSeconds: 30, upperQuantile: 0.9, window: 100, minimumScores: 1)
        calibration.issue(time: 0, point: 5)
        calibration.observe(time: 15, rate: 1)  // not due yet
        #expect(calibration.scoredCount == 0)
        calibration.observe(time: 61, rate: 1)  // due at 30, seen 31 s later (> the horizon): dropped
        #expect(calibration.scoredCount == 0)
        calibration.issue(time: 61, point: 5)
        calibration.observe(time: 100, rate: .nan)  // not a rate: nothing scored, still pending
        calibration.observe(time: 100, rate: -1)
        #expect(calibration.scoredCount == 0)
        calibration.observe(time: 105, rate: 8)
        #expect(calibration.scoredCount == 1)
        #expect(try #require(calibration.bounds(point: 5)).upper == 8)
    }

    /// Hundreds of forecasts in flight and scored: the queue is compacted without losing or
    /// rescoring any; a forecast issued for an earlier time than the last is ignored.
    @Test func manyForecastsAreEachScoredOnceAndTimeNeverGoesBack() throws {
        var calibration = try HorizonCalibration(horizonSeconds: 150, upperQuantile: 0.9, window: 5000, minimumScores: 1)
        for k in 0 ..< 1000 {
            let time = Double(k) * 15
            calibration.observe(time: time, rate: 1)
            calibration.issue(time: time, point: 1)
        }
        // Due at 150 s after each issue: the first 990 have come due by t = 14 985.
        #expect(calibration.scoredCount == 990)
        calibration.issue(time: 0, point: 1000)  // earlier than the last: ignored
        calibration.observe(time: 1_000_000, rate: 1)  // far later: the rest dropped unscored (a gap)
        #expect(calibration.scoredCount == 990)
        #expect(try #require(calibration.bounds(point: 1)).upper == 1)
    }

    @Test func rejectsAHorizonThatIsNotATime() {
        #expect(throws: ForecastError.self) { try HorizonCalibration(horizonSeconds: .nan, upperQuantile: 0.9, window: 10) }
        #expect(throws: ForecastError.self) { try HorizonCalibration(horizonSeconds: -1, upperQuantile: 0.9, window: 10) }
        #expect(throws: ForecastError.self) { try HorizonCalibration(horizonSeconds: 30, upperQuantile: 1.2, window: 10) }
    }
}
