/// Per-target arrival-rate forecaster: buckets the ticks, keeps a bounded history, picks
/// and refits a model in the background of the ticks, and reports a median and an upper
/// quantile at a horizon.
///
/// **Warm-up.** `forecast` returns nil until `warmupBuckets` (1 h) have been seen and the
/// first selection has finished (level/trend models only at that point). A period is
/// searched for at every (re)selection; seasonal candidates join once the training part
/// of the window holds two periods (for a daily season at 1-minute buckets: ≈ 2.5 days,
/// two days plus the hold-out).
///
/// **Refits never stall a tick.** A re-selection (every `reselectEveryBuckets`, or at
/// once when warming up) works on a snapshot of the last `fitWindowBuckets` and
/// advances by at most `refitBudgetPerBucket` recursion steps per closed bucket (plus one
/// period detection, O(N log N)); buckets arriving meanwhile are replayed into the new
/// model when it is installed. The current model keeps serving until then.
///
/// **Drift.** Horizon residuals feed a two-sided CUSUM (`CusumDriftDetector`, re-armed
/// after each selection with the winner's validation residuals). On an alarm the model's
/// level is shifted by the mean of the last 8 residuals and the detector re-armed; the
/// next scheduled re-selection refits on the new regime.
///
/// **Gaps and bad input.** Samples with NaN/∞ values, negative rates or times earlier
/// than the open bucket throw (`ForecastError`) and change nothing. Empty buckets (gaps)
/// are filled with the current model's one-step forecast (the last bucket's value while
/// warming up) and are not scored. A constant series yields zero-width intervals. Outputs
/// are never NaN: p50 ≥ 0 and upper ≥ p50.
///
/// **Memory per target** (defaults: 1-minute buckets, 14 days, season 1440):
/// history 20,160 × 8 B = 161 KB; model ≤ 1440 × 8 B = 11.5 KB; conformal scores
/// 1440 × 16 B = 23 KB; the rest < 1 KB — ≈ 200 KB steady. A re-selection adds, until it
/// is installed, the 7-day snapshot (81 KB), the fitter's training copy (≤ 81 KB), the
/// best and current candidate models (23 KB), the best candidate's validation forecasts
/// (23 KB) and the replay buffer (≈ 50 × 8 B): ≈ 210 KB more. Period detection at the
/// start of a re-selection needs 655 KB more for a few milliseconds (FFT buffers).
public struct ArrivalForecaster: Sendable {
    public let configuration: ArrivalForecasterConfiguration
    private var bucketer: Bucketer
    private var history: RingBuffer
    /// Closed buckets seen since creation (including imputed ones).
    public private(set) var bucketCount = 0
    private var model: AnyForecastModel?
    private var conformal: AdaptiveConformal
    private var drift: CusumDriftDetector
    private var pending: [(point: Double, bounds: [Double]?)] = []
    /// The last few horizon residuals, for the level-shift correction on a drift alarm.
    private var recentResiduals = RingBuffer(capacity: 8)
    /// Drift alarms handled so far.
    public private(set) var driftAlarms = 0
    private let decisionSteps: Int
    private var job: ModelSelectionJob?
    private var catchUp: [Double] = []
    private var lastSelectionStart = 0
    /// The period found at the last selection, if any.
    public private(set) var detectedPeriod: DetectedPeriod?
    /// Candidate scores of the last finished selection.
    public private(set) var lastScores: [CandidateScore] = []
    /// Selections finished so far.
    public private(set) var selections = 0

    public init(configuration: ArrivalForecasterConfiguration = .init()) throws(ForecastError) {
        try configuration.validate()
        self.configuration = configuration
        bucketer = try Bucketer(width: configuration.bucketSeconds, maxEmittedGap: configuration.historyBuckets)
        history = RingBuffer(capacity: configuration.historyBuckets)
        conformal = try AdaptiveConformal(targets: [0.5, configuration.upperQuantile],
                                          learningRate: configuration.conformalLearningRate,
                                          initialLearningRate: max(configuration.conformalInitialLearningRate, configuration.conformalLearningRate),
                                          window: configuration.conformalWindow, minimumScores: 20)
        drift = try CusumDriftDetector()
        guard let steps = configuration.steps(forHorizon: configuration.decisionHorizonSeconds) else {
            throw .invalidConfiguration("decisionHorizonSeconds must be shorter than the history")
        }
        decisionSteps = steps
    }

    /// The model in use, or nil while warming up.
    public var modelName: String? { model?.name }
    public var driftState: DriftState { drift.state }
    public var isReselecting: Bool { job != nil }
    /// Buckets currently retained.
    public var historyCount: Int { history.count }

    /// Feeds one sample (a rate at a time, seconds). O(1) amortised plus bounded refit work.
    public mutating func observe(time: Double, rate: Double) throws(ForecastError) {
        for b in try bucketer.add(time: time, rate: rate) {
            process(b, selecting: true)
        }
    }

    /// Backfills past samples (oldest first) so that a restart is not a cold start, then
    /// runs a full selection at once (this call may take a while: tens of ms to a few
    /// hundred for 14 days of minutes in a release build). The whole history is
    /// validated first; on error nothing is changed.
    public mutating func seed(history samples: [(time: Double, rate: Double)]) throws(ForecastError) {
        var probe = bucketer
        for s in samples { _ = try probe.add(time: s.time, rate: s.rate) }
        job = nil
        catchUp = []
        for s in samples {
            for b in try bucketer.add(time: s.time, rate: s.rate) { process(b, selecting: false) }
        }
        if bucketCount >= configuration.warmupBuckets, startSelection() {
            _ = job?.run()
            install()
        }
    }

    /// The forecast for the bucket containing `now + horizonSeconds` ("now" taken as the
    /// middle of the open bucket); nil while warming up, for a negative/non-finite horizon
    /// or one beyond the history length. The quantile offsets are calibrated at the
    /// configured decision horizon and reused for other horizons.
    public func forecast(horizonSeconds: Double) -> ForecastOutput? {
        guard let m = model, let steps = configuration.steps(forHorizon: horizonSeconds) else { return nil }
        var point = m.forecast(steps: steps)
        if !point.isFinite { point = history.last ?? 0 }
        guard let b = conformal.bounds(pointForecast: point), b.allSatisfy(\.isFinite) else { return nil }
        let p50 = max(0, b[0])
        return ForecastOutput(p50: p50, upper: max(p50, b[1]), upperQuantile: configuration.upperQuantile,
                              horizonSeconds: horizonSeconds, steps: steps, model: m.name, drift: drift.state)
    }

    // MARK: - Per bucket

    private mutating func process(_ bucket: Bucket, selecting: Bool) {
        var y = bucket.value
        if bucket.imputed, let m = model {
            let f = m.forecast(steps: 1)
            y = f.isFinite ? max(0, f) : bucket.value
        }
        if pending.count >= decisionSteps {
            let issued = pending.removeFirst()
            if !bucket.imputed {
                conformal.record(actual: y, pointForecast: issued.point, issuedBounds: issued.bounds)
                recentResiduals.append(y - issued.point)
                if case .drift = drift.update(residual: y - issued.point) { handleDrift() }
            }
        }
        history.append(y)
        bucketCount += 1
        model?.update(y)
        if let m = model {
            let point = m.forecast(steps: decisionSteps)
            pending.append((point, conformal.bounds(pointForecast: point)))
        }
        guard selecting else { return }
        if job != nil {
            catchUp.append(y)
            if job!.advance(budget: configuration.refitBudgetPerBucket) { install() }
        } else if selectionDue, startSelection() {
            if job!.advance(budget: configuration.refitBudgetPerBucket) { install() }
        }
    }

    /// A drift alarm: shift the model's level by the mean of the last few horizon residuals
    /// (mostly after the change, given the detection delay), drop the forecasts issued
    /// before the correction, and re-arm the detector. The scheduled
    /// re-selection then refits on the new regime; an immediate one would fit mostly
    /// pre-change data.
    private mutating func handleDrift() {
        driftAlarms += 1
        let r = recentResiduals.values
        if !r.isEmpty { model?.shiftLevel(by: r.reduce(0, +) / Double(r.count)) }
        recentResiduals.removeAll()
        pending = []
        drift.reset()
    }

    private var selectionDue: Bool {
        guard bucketCount >= configuration.warmupBuckets else { return false }
        if model == nil { return true }
        return bucketCount - lastSelectionStart >= configuration.reselectEveryBuckets
    }

    /// Snapshots the window, detects a period and creates the job. False when the window
    /// cannot support a selection.
    private mutating func startSelection() -> Bool {
        let window = history.suffix(configuration.fitWindowBuckets)
        let n = window.count
        let validation = max(configuration.warmupBuckets / 2 + decisionSteps, min(configuration.maxValidationBuckets, n / 5))
        lastSelectionStart = bucketCount
        let detector = PeriodDetector(minPeriod: configuration.minPeriod, maxPeriod: configuration.maxPeriod)
        detectedPeriod = (try? detector.detect(window)) ?? nil
        if let d = detectedPeriod { detectedPeriod?.period = configuration.snapped(d.period) }
        let positive = window.allSatisfy { $0 > 0 }
        var candidates = CandidateSpec.defaults(period: detectedPeriod?.period ?? configuration.seasonPeriod, positive: positive)
        if let p = configuration.seasonPeriod, let d = detectedPeriod, d.period != p {
            candidates += CandidateSpec.defaults(period: p, positive: positive).filter { !candidates.contains($0) }
        }
        do {
            job = try ModelSelectionJob(series: window, horizon: decisionSteps, candidates: candidates, validation: validation)
            catchUp = []
            return true
        } catch {
            job = nil
            return false
        }
    }

    private mutating func install() {
        guard let outcome = job?.outcome else { return }
        job = nil
        var m = outcome.model
        for v in catchUp { m.update(v) }
        catchUp = []
        model = m
        lastScores = outcome.scores
        selections += 1
        conformal.removeScores()
        for (f, a) in zip(outcome.validationForecasts, outcome.validationActuals) {
            conformal.record(actual: a, pointForecast: f, issuedBounds: nil)
        }
        pending = []
        drift.reset()
        for (f, a) in zip(outcome.validationForecasts, outcome.validationActuals) {
            drift.update(residual: a - f)
        }
        if case .drift = drift.state { drift.reset() }
    }
}
