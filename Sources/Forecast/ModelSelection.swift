/// A model the selector can try.
public enum CandidateSpec: Sendable, Hashable, CustomStringConvertible {
    case holtWinters(HoltWintersSpec)
    /// Seasonal naive with the given period (1 = naive).
    case seasonalNaive(Int)

    public var description: String {
        switch self {
        case .holtWinters(let s): return s.description
        case .seasonalNaive(let p): return SeasonalNaive(period: p).name
        }
    }

    /// The default candidate set: EWMA level and damped Holt always; with a period, the
    /// seasonal naive and additive Holt-Winters (with and without damped trend), plus
    /// multiplicative Holt-Winters when the data are strictly positive.
    public static func defaults(period: Int?, positive: Bool) -> [CandidateSpec] {
        var c: [CandidateSpec] = [.holtWinters(.level), .holtWinters(HoltWintersSpec(trend: true, damped: true))]
        if let p = period, p >= 2 {
            c.append(.seasonalNaive(p))
            c.append(.holtWinters(HoltWintersSpec(seasonal: .additive, period: p)))
            c.append(.holtWinters(HoltWintersSpec(trend: true, damped: true, seasonal: .additive, period: p)))
            if positive { c.append(.holtWinters(HoltWintersSpec(seasonal: .multiplicative, period: p))) }
        }
        return c
    }
}

/// One candidate's rolling-origin score.
public struct CandidateScore: Sendable, Equatable {
    public var candidate: CandidateSpec
    /// Mean absolute error at the horizon divided by that of the naive forecast at the
    /// same horizon (`y[t+h]` forecast by `y[t]`) over the same origins.
    public var mase: Double
    public var mae: Double
}

/// The result of a selection: the winning model positioned after the last value.
public struct SelectionOutcome: Sendable {
    public var model: AnyForecastModel
    public var scores: [CandidateScore]
    /// The winner's validation forecasts at the horizon and their actuals (to seed
    /// conformal scores so quantiles are not cold after a restart or reselection).
    public var validationForecasts: [Double]
    public var validationActuals: [Double]
}

/// Rolling-origin selection at a fixed horizon, resumable so it can be spread over ticks.
///
/// The last `validation` values are held out. Each candidate is fitted on the values
/// before them (Holt-Winters parameters by `HoltWintersFitter`), then rolled through the
/// hold-out one value at a time (O(1) updates, no refit), forecasting `horizon` steps
/// ahead from every origin; the candidate with the lowest MASE wins. The winner is left
/// positioned after the last value, its parameters being those fitted on the training
/// part. Candidates that cannot be initialised (too short, non-positive for a
/// multiplicative season) are skipped; if none is usable the naive model wins.
public struct ModelSelectionJob: Sendable {
    public let horizon: Int
    public let validation: Int
    private let series: [Double]
    private let candidates: [CandidateSpec]
    private var index = 0
    private var fitter: HoltWintersFitter?
    private var scores: [CandidateScore] = []
    /// The best candidate so far (lowest finite MASE, finite forecasts) with its validation
    /// forecasts; only the best is kept, to bound memory.
    private var best: (mase: Double, model: AnyForecastModel, forecasts: [Double], actuals: [Double])?
    public private(set) var work = 0

    public init(series: [Double], horizon: Int, candidates: [CandidateSpec], validation: Int) throws(ForecastError) {
        try requireFinite(series, "series")
        guard horizon >= 1 else { throw .invalidConfiguration("horizon must be ≥ 1") }
        guard validation > horizon, validation < series.count else {
            throw .insufficientData(needed: horizon + 2, got: series.count)
        }
        for c in candidates {
            if case .seasonalNaive(let p) = c, p < 1 { throw .invalidConfiguration("seasonal naive period must be ≥ 1, got \(p)") }
        }
        self.series = series
        self.horizon = horizon
        self.validation = validation
        self.candidates = candidates
    }

    public var isDone: Bool { index >= candidates.count }

    /// Does about `budget` recursion steps of work; returns `isDone`.
    @discardableResult
    public mutating func advance(budget: Int) -> Bool {
        let start = work
        while !isDone && work - start < max(1, budget) {
            let trainEnd = series.count - validation
            switch candidates[index] {
            case .seasonalNaive(let p):
                var m = SeasonalNaive(period: p)
                for v in series[0 ..< trainEnd] { m.update(v) }
                work += trainEnd
                if m.isReady { evaluate(.seasonalNaive(m)) } else { index += 1 }
            case .holtWinters(let spec):
                if fitter == nil {
                    do {
                        fitter = try HoltWintersFitter(series: Array(series[0 ..< trainEnd]), spec: spec)
                    } catch {
                        index += 1
                        continue
                    }
                }
                let before = fitter!.evaluations
                let done = fitter!.advance(budget: budget - (work - start))
                work += (fitter!.evaluations - before) * trainEnd
                if done, let fit = fitter!.result {
                    fitter = nil
                    evaluate(.holtWinters(fit.model))
                }
            }
        }
        return isDone
    }

    private mutating func evaluate(_ start: AnyForecastModel) {
        var model = start
        let n = series.count
        var err = 0.0, naiveErr = 0.0
        var forecasts: [Double] = [], actuals: [Double] = []
        for j in (n - validation) ..< n {
            let target = j - 1 + horizon
            if target < n {
                let f = model.forecast(steps: horizon)
                err += abs(series[target] - f)
                naiveErr += abs(series[target] - series[j - 1])
                forecasts.append(f)
                actuals.append(series[target])
            }
            model.update(series[j])
        }
        work += validation
        let count = Double(max(1, forecasts.count))
        let mase = !err.isFinite ? .infinity : (naiveErr > 0 ? err / naiveErr : (err > 0 ? .infinity : 0))
        scores.append(CandidateScore(candidate: candidates[index], mase: mase, mae: err / count))
        if mase.isFinite, forecasts.allSatisfy(\.isFinite), mase < best?.mase ?? .infinity {
            best = (mase, model, forecasts, actuals)
        }
        index += 1
    }

    /// The winner, once done.
    public var outcome: SelectionOutcome? {
        guard isDone else { return nil }
        if let best {
            return SelectionOutcome(model: best.model, scores: scores,
                                    validationForecasts: best.forecasts, validationActuals: best.actuals)
        }
        var naive = SeasonalNaive.naive
        for v in series.suffix(1) { naive.update(v) }
        return SelectionOutcome(model: .seasonalNaive(naive), scores: scores,
                                validationForecasts: [], validationActuals: [])
    }

    /// Runs to completion.
    public mutating func run() -> SelectionOutcome {
        while !advance(budget: Int.max / 4) {}
        return outcome!
    }
}
