/// Summary of a rolling-origin backtest of `ArrivalForecaster`.
public struct BacktestReport: Sendable, Equatable {
    /// Forecasts scored (issued after warm-up, with a realised, non-imputed target).
    public var points: Int
    /// Σ|actual − p50| / Σ|actual − naive| where naive is the last closed bucket at issue
    /// time (the naive forecast at the same horizon); `.infinity` when the naive error is 0
    /// and the model's is not, 0 when both are 0.
    public var mase: Double
    /// Mean of 2|a − f| / (|a| + |f|) (terms with a = f = 0 count as 0), in [0, 2].
    public var smape: Double
    /// Fraction of actuals ≤ upper.
    public var upperCoverage: Double
    public var upperQuantile: Double
    /// Mean of upper − p50.
    public var meanIntervalWidth: Double
    /// How many scored forecasts each model issued.
    public var modelsChosen: [String: Int]
    /// Selections finished and drift alarms raised during the run.
    public var selections: Int
    public var driftAlarms: Int
    /// The season (in buckets) of the naive forecast that scales MASE: 1 for the naive
    /// forecast at the same horizon (the default), m for the seasonal naive `y[t+h−m⌈h/m⌉]`.
    public var maseNaiveSeason: Int = 1
}

/// Rolling-origin backtest: feeds `series` (oldest first; `value` is the rate or count per
/// sample, used as given) to a fresh `ArrivalForecaster` one sample at a time; after each
/// sample that closes a bucket it asks for the forecast at `horizonSeconds` (default: the
/// configured decision horizon; one forecast per origin bucket) and, at the end, scores every forecast whose target bucket was observed.
/// The forecaster only ever sees the past, so this is an honest out-of-sample evaluation,
/// including its warm-up and amortised re-selections. Pure: no clock, no I/O.
///
/// `maseNaiveSeason` chooses the MASE scale: 1 (default) is the naive forecast at the same
/// horizon (the last closed bucket at issue time); m > 1 is the seasonal naive, the
/// bucket m⌈h/m⌉ before the target (e.g. one day back: 24 hourly buckets), for series
/// whose buckets are as coarse as the horizon. A forecast is scored only when its scaling
/// naive value was observed. `scoreFrom` (seconds) leaves unscored the forecasts whose
/// target bucket starts earlier (to compare with a method that needs a longer warm-up
/// on the same targets); the forecaster still sees every sample.
///
/// Throws what `ArrivalForecaster.observe` throws for bad samples (NaN, negative,
/// out of order) and `.insufficientData` when nothing could be scored.
public func backtest(series: [(time: Double, value: Double)],
                     configuration: ArrivalForecasterConfiguration = .init(),
                     horizonSeconds: Double? = nil,
                     maseNaiveSeason: Int = 1,
                     scoreFrom: Double? = nil) throws(ForecastError) -> BacktestReport {
    guard maseNaiveSeason >= 1 else { throw .invalidConfiguration("maseNaiveSeason must be ≥ 1, got \(maseNaiveSeason)") }
    if let s = scoreFrom, !s.isFinite { throw .nonFinite("scoreFrom") }
    var forecaster = try ArrivalForecaster(configuration: configuration)
    let horizon = horizonSeconds ?? configuration.decisionHorizonSeconds
    var bucketer = try Bucketer(width: configuration.bucketSeconds, maxEmittedGap: 0)
    var actual: [Int64: Double] = [:]
    struct Issued { var target: Int64; var origin: Int64; var p50: Double; var upper: Double; var model: String }
    var issued: [Issued] = []
    let width = configuration.bucketSeconds
    for s in series {
        try forecaster.observe(time: s.time, rate: s.value)
        for b in try bucketer.add(time: s.time, rate: s.value) where !b.imputed {
            actual[Int64((b.start / width).rounded())] = b.value
        }
        guard let open = bucketer.openBucketStart else { continue }
        let origin = Int64((open / width).rounded()) - 1
        // The forecast changes only when a bucket closes: one per origin, so a series finer
        // than the buckets (1-second rows, say) is not counted many times over.
        if let last = issued.last, last.origin == origin { continue }
        guard let out = forecaster.forecast(horizonSeconds: horizon) else { continue }
        issued.append(Issued(target: origin + Int64(out.steps), origin: origin, p50: out.p50, upper: out.upper, model: out.model))
    }
    var absErr = 0.0, naiveErr = 0.0, smape = 0.0, widthSum = 0.0
    var covered = 0, points = 0
    var models: [String: Int] = [:]
    for f in issued {
        if let s = scoreFrom, Double(f.target) * width < s { continue }
        let steps = f.target - f.origin
        let m = Int64(maseNaiveSeason)
        let baseIndex = m == 1 ? f.origin : f.target - m * ((steps + m - 1) / m)
        guard let a = actual[f.target], let base = actual[baseIndex] else { continue }
        points += 1
        absErr += abs(a - f.p50)
        naiveErr += abs(a - base)
        let denom = abs(a) + abs(f.p50)
        smape += denom > 0 ? 2 * abs(a - f.p50) / denom : 0
        if a <= f.upper { covered += 1 }
        widthSum += f.upper - f.p50
        models[f.model, default: 0] += 1
    }
    guard points > 0 else { throw .insufficientData(needed: 1, got: 0) }
    let n = Double(points)
    let mase = naiveErr > 0 ? absErr / naiveErr : (absErr > 0 ? .infinity : 0)
    return BacktestReport(points: points, mase: mase, smape: smape / n, upperCoverage: Double(covered) / n,
                          upperQuantile: configuration.upperQuantile, meanIntervalWidth: widthSum / n,
                          modelsChosen: models, selections: forecaster.selections, driftAlarms: forecaster.driftAlarms,
                          maseNaiveSeason: maseNaiveSeason)
}
