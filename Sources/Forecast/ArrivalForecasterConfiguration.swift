/// Settings of an `ArrivalForecaster`. Defaults follow the planner's needs: 1-minute
/// buckets, 14 days of history, a 135 s decision horizon, a 0.9 upper quantile.
public struct ArrivalForecasterConfiguration: Sendable, Equatable {
    /// Bucket width, seconds.
    public var bucketSeconds: Double = 60
    /// History kept, in buckets (14 days of minutes).
    public var historyBuckets: Int = 20_160
    /// The decision horizon the quantiles are calibrated for, seconds.
    public var decisionHorizonSeconds: Double = 135
    /// Upper quantile reported (coverage target).
    public var upperQuantile: Double = 0.9
    /// ACI learning rate γ.
    public var conformalLearningRate: Double = 0.005
    /// ACI's first step; step `t` is `max(γ, γ₀/√(t+1))` (decaying steps, Angelopoulos, Barber and
    /// Bates 2024), so a short series calibrates within its first hundred forecasts while a long one
    /// keeps the small long-run γ. 0.1, measured on the six traces of `Benchmarks/forecast`: the
    /// 57-minute Azure trace's p90 coverage goes from 0.943 to 0.896 (0.915 at 0.05, 0.877 at 0.2);
    /// on the five long traces MASE and coverage are unchanged to the third decimal.
    public var conformalInitialLearningRate: Double = 0.1
    /// Residuals kept for the conformal quantiles, in buckets.
    public var conformalWindow: Int = 1440
    /// Buckets before a level/trend model may be used (one hour).
    public var warmupBuckets: Int = 60
    /// Buckets between scheduled re-selections (6 h); a drift triggers one earlier.
    public var reselectEveryBuckets: Int = 360
    /// Most recent buckets a (re)fit uses (7 days); fewer when less history exists.
    public var fitWindowBuckets: Int = 10_080
    /// Longest hold-out used by the selector (one day); it uses a fifth of the window when
    /// that is less, and at least `warmupBuckets / 2`.
    public var maxValidationBuckets: Int = 1440
    /// Work done per closed bucket on a pending re-selection, in model recursion steps
    /// (measured ≈ 20 ns per step for a season of 1440 in a release build on the
    /// development machine, so ≈ 2 ms per bucket; a full re-selection on a 7-day window,
    /// ≈ 5·10⁶ steps, then completes in ≈ 50 buckets). `seed(history:)` finishes at once.
    public var refitBudgetPerBucket: Int = 100_000
    /// A season period to consider in addition to (or, when detection finds none,
    /// instead of) the detected one; nil to rely on detection.
    public var seasonPeriod: Int?
    /// Calendar periods (seconds) a detected period snaps to when within
    /// `periodSnapTolerance` (relative): an ACF peak on noisy data is broad, and a season of
    /// 1,424 buckets where the truth is 1,440 misaligns the seasonal states by the hour.
    public var calendarPeriodsSeconds: [Double] = [3600, 86_400, 604_800]
    public var periodSnapTolerance: Double = 0.03
    /// Period detection search range, in buckets.
    public var minPeriod: Int = 4
    public var maxPeriod: Int = 10_080

    public init() {}

    func validate() throws(ForecastError) {
        guard bucketSeconds.isFinite, bucketSeconds > 0 else { throw .invalidConfiguration("bucketSeconds must be > 0") }
        guard historyBuckets >= 2 * warmupBuckets else { throw .invalidConfiguration("historyBuckets must be ≥ 2 × warmupBuckets") }
        guard decisionHorizonSeconds.isFinite, decisionHorizonSeconds >= 0 else {
            throw .invalidConfiguration("decisionHorizonSeconds must be ≥ 0")
        }
        guard upperQuantile > 0.5, upperQuantile < 1 else { throw .invalidConfiguration("upperQuantile must be in (0.5, 1)") }
        guard warmupBuckets >= 20 else { throw .invalidConfiguration("warmupBuckets must be ≥ 20") }
        guard reselectEveryBuckets >= 1, fitWindowBuckets >= warmupBuckets, maxValidationBuckets >= 10,
              refitBudgetPerBucket >= 1, conformalWindow >= 30 else {
            throw .invalidConfiguration("selection/refit settings out of range")
        }
        if let p = seasonPeriod, p < 2 { throw .invalidConfiguration("seasonPeriod must be ≥ 2") }
    }

    /// This configuration at another bucket width, with the settings that the forecaster
    /// means as spans of time kept in time: history (14 days), conformal window (1 day),
    /// warm-up (1 h), re-selection cadence (6 h), fit window (7 days), longest hold-out
    /// (1 day), longest period searched (7 days) and `seasonPeriod` are multiplied by
    /// `bucketSeconds / seconds` (rounded). At 15-second buckets the defaults become
    /// 80,640 / 5,760 / 240 / 1,440 / 40,320 / 5,760 / 40,320 buckets.
    ///
    /// Kept in buckets, because they count samples or work rather than time: the
    /// statistical minimums (warm-up ≥ 20 buckets, hold-out ≥ 10, conformal window ≥ 30 —
    /// a scaled span is raised to them), `minPeriod` (the shortest cycle the detector can
    /// resolve, 4 samples), `refitBudgetPerBucket` (CPU per closed bucket; with the fit
    /// window scaled too, a re-selection still completes in the same span of time), and the
    /// adaptive-conformal learning rate (a step per scored residual). `calendarPeriodsSeconds`
    /// and `decisionHorizonSeconds` are in seconds already; the horizon's bucket count
    /// follows from `steps(forHorizon:)` (135 s at 15-second buckets is the 10th bucket after
    /// the last closed one: the one holding now + 135 s, now being mid-bucket).
    ///
    /// Throws `.invalidConfiguration` for a width that is not finite and positive.
    public func rescaled(toBucketSeconds seconds: Double) throws(ForecastError) -> ArrivalForecasterConfiguration {
        guard seconds.isFinite, seconds > 0 else {
            throw .invalidConfiguration("bucketSeconds must be > 0, got \(seconds)")
        }
        let ratio = bucketSeconds / seconds
        func span(_ buckets: Int, atLeast minimum: Int = 1) -> Int {
            let scaled = (Double(buckets) * ratio).rounded()
            guard scaled < Double(Int32.max) else { return Int(Int32.max) }
            return max(minimum, Int(scaled))
        }
        var c = self
        c.bucketSeconds = seconds
        c.warmupBuckets = span(warmupBuckets, atLeast: 20)
        c.historyBuckets = max(span(historyBuckets), 2 * c.warmupBuckets)
        c.conformalWindow = span(conformalWindow, atLeast: 30)
        c.reselectEveryBuckets = span(reselectEveryBuckets)
        c.fitWindowBuckets = max(span(fitWindowBuckets), c.warmupBuckets)
        c.maxValidationBuckets = span(maxValidationBuckets, atLeast: 10)
        c.maxPeriod = max(span(maxPeriod), minPeriod)
        c.seasonPeriod = seasonPeriod.map { span($0, atLeast: 2) }
        return c
    }

    /// `period` snapped to a calendar period when close enough.
    func snapped(_ period: Int) -> Int {
        for c in calendarPeriodsSeconds {
            let buckets = c / bucketSeconds
            guard buckets >= 2, buckets == buckets.rounded() else { continue }
            if abs(Double(period) - buckets) <= periodSnapTolerance * buckets { return Int(buckets) }
        }
        return period
    }

    /// Buckets between the last closed bucket and the one containing `now + horizon`,
    /// taking "now" as the middle of the open bucket.
    /// Nil beyond `historyBuckets` buckets (forecasting further than the history spans is
    /// not supported).
    public func steps(forHorizon seconds: Double) -> Int? {
        guard seconds.isFinite, seconds >= 0 else { return nil }
        let ahead = ((bucketSeconds / 2 + seconds) / bucketSeconds).rounded(.down)
        guard ahead < Double(historyBuckets) else { return nil }
        return 1 + Int(ahead)
    }
}

/// What the planner gets: the arrival rate expected at the horizon.
public struct ForecastOutput: Sendable, Equatable {
    /// Median forecast (conformally de-biased), ≥ 0.
    public var p50: Double
    /// Upper bound at `upperQuantile` coverage, ≥ `p50`.
    public var upper: Double
    public var upperQuantile: Double
    public var horizonSeconds: Double
    /// Buckets ahead of the last closed bucket that the forecast targets.
    public var steps: Int
    /// The model in use, e.g. `holt-winters(add, season 1440)`.
    public var model: String
    public var drift: DriftState
}
