/// Calibrates a forecaster's median and upper quantile where the planner uses them: at the
/// cadence it is fed (the controller's tick) and at the horizon it is asked for (start-up + tick +
/// data age), against the rate it then observes there.
///
/// The forecaster's own bands are calibrated per bucket (a minute's mean, some buckets ahead).
/// The planner compares them with the rate over one tick at a horizon that rarely falls on a
/// bucket boundary, and on traces whose rate moves in steps or ramps between coarse rows, or in
/// bursts, the two differ: the bucket-level p90 covered only 0.57–0.64 of tick-level outcomes on
/// Wikipedia and NYC taxi at a 135 s horizon, 0.84–0.89 on the others. Here each forecast issued at
/// `time` waits for the first observation at or after `time + horizon`; its score (`actual −
/// point`) joins a window of the last `window` scores (a day of ticks), and the bands are the
/// split-conformal quantiles of that window: `point + Q̂(q)` with the rank `⌈(n+1)·q⌉`.
///
/// Fixed levels, not adaptive conformal: measured on the six shared traces (Benchmarks/forecast),
/// ACI's level steps widened the band for hours after each run of misses (errors cluster at a ramp),
/// doubling Twitter's band at 615 s and costing 30 % more replicas, while the plain quantile over a
/// day held 0.89–0.90 coverage on every trace at 135 s and 615 s with bands as narrow as before.
///
/// **Quiet forecasts.** The scores of forecasts whose point is at most a tenth of the 90th
/// percentile of the recent points (a quiet night, a target that scales to zero) are also kept
/// apart, and such a forecast gets their quantiles once 30 are in: otherwise the errors of a busy
/// day's ramps set the band of an idle night, and a target with nothing arriving was kept awake
/// with the p90 of the morning ramp (the scale-to-zero demo planned 10 replicas all night).
/// While the recent points are all zero (a forecaster that has predicted nothing yet, such as on
/// its first business day) nothing is quiet: those misses are not a quiet night's.
///
/// **By the hour of the week.** Every score also joins the bin of the hour of the day it was
/// issued in (UTC), kept apart for weekdays and weekends (Saturday and Sunday, UTC): 48 bins of
/// `window × 7 / 72` scores each (560 at a 15 s tick: the last two to three days of a weekday
/// hour, the last weekend or so of a weekend one). A forecast that is not quiet gets the quantiles
/// of its hour's bin and the bins of the hours either side, together, once `hourMinimumScores` are
/// in, so the band is wide where the errors are (a match day's ramp, a morning) and narrow where
/// they are not, instead of one day-wide band. Measured on the shared traces (Benchmarks/simulate):
/// World Cup 98 at 600 s start-up went from 0.8 % to 6.7 % cheaper than the best-tuned KEDA
/// setting, and the scale-to-zero trace from 4.15 % to 2.19 % of messages late, the p90 still
/// covering 0.85–0.89 at the control horizon. The
/// neighbouring hours keep a bin's sample large and its edges smooth: one-hour bins alone covered
/// only 0.81 on World Cup 98, where the ramps move by an hour from day to day. Quiet forecasts
/// keep the quiet band first (a target idle ten ticks in eleven within every hour stays quiet).
///
/// The scores are kept across the forecaster's re-selections (every 6 h, or after drift): starting
/// again at each new model was measured to cost coverage (Wikipedia 0.81 at 135 s) and money
/// (Twitter at 600 s +1.2 % against the best-tuned KEDA setting instead of −6.4 %), the per-bucket
/// band serving ten minutes in every six hours; the errors at the tick move little with the model.
///
/// Pure and value-typed; nil bounds until `minimumScores` forecasts have come due. A forecast
/// whose outcome is not observed within one horizon after it came due (a gap) is dropped unscored.
/// Memory: `40·window` bytes (all scores and the quiet ones, each kept sorted too, and the recent
/// points), `8 · 48 · max(window · 7 / 72, 120)` for the hour bins (215 KB at a 15 s tick, each
/// bin's share taken at its first score), plus the forecasts in flight.
public struct HorizonCalibration: Sendable {
    public let horizonSeconds: Double
    public let upperQuantile: Double
    /// Every score, and those of forecasts made at a low level (`quiet`).
    private var scores: AdaptiveConformal
    private var quiet: AdaptiveConformal
    /// Scores by weekday or weekend and hour of the day (`weekHour`), unsorted: a read selects
    /// its two quantiles from three bins (O(n) on average), so no sorted copy is kept.
    private var byHour: [RingBuffer]
    /// The latest time observed: its hour's bin is the one `bounds` reads.
    private var latestObserved = -Double.infinity
    /// Recent points, for the level below which a forecast is quiet.
    private var recentPoints: RingBuffer
    /// A point at or below this is quiet; nil until enough points were seen.
    public private(set) var quietLevel: Double?
    private var issuedSinceLevel = 0
    /// Whether any recent point was above zero when `quietLevel` was last computed.
    private var recentPointAboveZero = false
    /// Forecasts in flight, oldest first from `pendingStart`.
    private var pending: [(due: Double, point: Double, quiet: Bool, bin: Int)] = []
    private var pendingStart = 0
    /// Forecasts scored so far.
    public private(set) var scoredCount = 0

    /// - Parameter window: scores kept (the last day of ticks is the default of the step).
    public init(horizonSeconds: Double, upperQuantile: Double, window: Int, minimumScores: Int = 30) throws(ForecastError) {
        guard horizonSeconds.isFinite, horizonSeconds >= 0 else {
            throw .invalidConfiguration("horizonSeconds must be ≥ 0, got \(horizonSeconds)")
        }
        self.horizonSeconds = horizonSeconds
        self.upperQuantile = upperQuantile
        scores = try AdaptiveConformal(
            targets: [0.5, upperQuantile], learningRate: 0, window: max(window, minimumScores), minimumScores: minimumScores)
        quiet = scores
        byHour = Array(repeating: RingBuffer(capacity: max(window * 7 / 72, Self.hourMinimumScores)), count: 48)
        recentPoints = RingBuffer(capacity: max(window, minimumScores))
        self.minimumScores = minimumScores
    }

    public let minimumScores: Int
    /// Scores an hour and its neighbours need together before their quantiles are used.
    public static let hourMinimumScores = 120
    /// Times beyond this (about 31 million years from 1970) are not times; they are ignored.
    static let timeLimit = 1e15

    /// The bin of a time: its hour of the day (UTC), plus 24 on a Saturday or Sunday.
    static func weekHour(_ time: Double) -> Int {
        let day = (time / 86_400).rounded(.down)
        let hour = Int((time - day * 86_400) / 3_600) % 24
        // 1 January 1970 was a Thursday: day 0 is weekday 3 counting from Monday.
        let weekday = ((Int(day) + 3) % 7 + 7) % 7
        return weekday >= 5 ? 24 + hour : hour
    }
    /// A forecast is quiet when its point is at most this share of the 90th percentile of the recent points.
    public static let quietShare = 0.1

    /// Scores the forecasts that have come due with the rate observed at `time`. A value that is
    /// not finite or negative scores nothing; a time earlier than the latest does not move the hour
    /// `bounds` reads.
    public mutating func observe(time: Double, rate: Double) {
        guard time.isFinite, abs(time) < Self.timeLimit, rate.isFinite, rate >= 0 else { return }
        latestObserved = max(latestObserved, time)
        while pendingStart < pending.count, pending[pendingStart].due <= time + 1e-6 {
            let issued = pending[pendingStart]
            pendingStart += 1
            guard time - issued.due <= max(horizonSeconds, 1) else { continue }
            scoredCount += 1
            scores.record(actual: rate, pointForecast: issued.point, issuedBounds: nil)
            if issued.quiet { quiet.record(actual: rate, pointForecast: issued.point, issuedBounds: nil) }
            let score = rate - issued.point
            if score.isFinite { byHour[issued.bin].append(score) }
        }
        if pendingStart > 64, pendingStart * 2 > pending.count {
            pending.removeFirst(pendingStart)
            pendingStart = 0
        }
    }

    /// Records the point forecast made at `time` for `time + horizonSeconds`, to be scored when its
    /// outcome is observed. Times must not go backwards (an earlier one is ignored).
    public mutating func issue(time: Double, point: Double) {
        guard time.isFinite, abs(time) < Self.timeLimit, point.isFinite else { return }
        if let last = pending.last, time + horizonSeconds < last.due { return }
        recentPoints.append(point)
        issuedSinceLevel += 1
        if quietLevel == nil ? recentPoints.count >= 2 * minimumScores : issuedSinceLevel >= 240 {
            let sorted = recentPoints.values.sorted()
            quietLevel = Self.quietShare * sorted[min(sorted.count - 1, sorted.count * 9 / 10)]
            recentPointAboveZero = (sorted.last ?? 0) > 0
            issuedSinceLevel = 0
        }
        pending.append((time + horizonSeconds, point, isQuiet(point), Self.weekHour(time)))
    }

    /// The median and upper quantile of the scores of the hour `bin` and the hours either side
    /// (same part of the week) around `point`, or nil while they hold fewer than `hourMinimumScores`.
    private func hourBounds(bin: Int, point: Double) -> [Double]? {
        let week = bin / 24 * 24, hour = bin % 24
        let bins = [23, 0, 1].map { byHour[week + (hour + $0) % 24] }
        var union: [Double] = []
        union.reserveCapacity(bins.reduce(0) { $0 + $1.count })
        for b in bins { b.appendUnordered(to: &union) }
        guard union.count >= Self.hourMinimumScores else { return nil }
        // The higher rank first; the lower one is then selected among the values left below it.
        let ranks = [0.5, upperQuantile].map { AdaptiveConformal.rank(level: $0, count: union.count) }
        let high = ranks.max()!, low = ranks.min()!
        let highValue = Self.select(high - 1, in: &union)
        let lowValue = low == high ? highValue : Self.select(low - 1, in: &union, below: high - 1)
        return ranks.map { point + ($0 == high ? highValue : lowValue) }
    }

    /// The `k`-th smallest of `values` (from 0), O(n) on average, runs of equal values included:
    /// quickselect with a median-of-three pivot and a three-way partition (below, equal to, above
    /// the pivot: an idle target's scores, all 0, take one pass), among the first `end + 1` values
    /// when `end` is given (after a selection of rank `end`, those are the `end + 1` smallest).
    /// `values` is reordered; the values before `k` end up no larger, those after no smaller.
    static func select(_ k: Int, in values: inout [Double], below end: Int? = nil) -> Double {
        precondition(k >= 0 && k < values.count && k <= (end ?? k) && (end ?? 0) < values.count, "select: rank out of range")
        var lo = 0, hi = end ?? values.count - 1
        while lo < hi {
            let a = values[lo], b = values[lo + (hi - lo) / 2], c = values[hi]
            let pivot = max(min(a, b), min(max(a, b), c))
            // [lo, less) below the pivot, [less, i) equal, (more, hi] above; [i, more] not yet seen.
            var less = lo, i = lo, more = hi
            while i <= more {
                if values[i] < pivot {
                    values.swapAt(less, i)
                    less += 1
                    i += 1
                } else if values[i] > pivot {
                    values.swapAt(i, more)
                    more -= 1
                } else {
                    i += 1
                }
            }
            if k < less {
                hi = less - 1
            } else if k > more {
                lo = more + 1
            } else {
                return pivot
            }
        }
        return values[k]
    }

    private func isQuiet(_ point: Double) -> Bool {
        // Recent points all zero (a forecaster that has predicted nothing yet): no level to be
        // quiet against, so such a forecast's error does not stand for a quiet night's. (A level
        // of 0 with some point above it, a target idle most of the time, is one.)
        guard let quietLevel, recentPointAboveZero else { return false }
        return point <= quietLevel
    }

    /// The calibrated median and upper quantile around `point` (median ≥ 0, upper ≥ median), or
    /// nil while fewer than `minimumScores` forecasts have come due: a quiet forecast's band, else
    /// that of the hour of the week last observed, else that of every score.
    public func bounds(point: Double) -> (p50: Double, upper: Double)? {
        let own = (isQuiet(point) ? quiet.bounds(pointForecast: point) : nil)
            ?? (latestObserved.isFinite ? hourBounds(bin: Self.weekHour(latestObserved), point: point) : nil)
        guard let b = own ?? scores.bounds(pointForecast: point), b.allSatisfy(\.isFinite) else { return nil }
        let p50 = max(0, b[0])
        return (p50, max(p50, b[1]))
    }
}
