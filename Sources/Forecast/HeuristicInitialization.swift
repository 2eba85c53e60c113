/// statsmodels' heuristic initialisation (`tsa/exponential_smoothing/initialization.py`,
/// `_initialization_heuristic`, after Hyndman et al., *Forecasting with Exponential
/// Smoothing*, §2.6):
///
/// * Seasonal: use `k = max(min(5, n / m), ceil((10 + 2(m/2)) / m))` full cycles (statsmodels
///   caps this at 5 cycles, not 10); take the centred moving average of length `m`
///   (a 2×m MA when `m` is even), detrend (difference or ratio), average each phase over
///   the cycles ignoring the MA's missing edges, and normalise (mean 0, or mean 1).
///   The level/trend regression below then runs on the moving-average values.
/// * Level/trend: ordinary least squares of the first 10 values on `1, 2, …, 10`; the
///   intercept is the level, the slope the trend.
///
/// Requires ≥ 10 observations, and with a season ≥ 2 full periods and
/// ≥ `10 + 2 (m / 2)` observations.
public enum HeuristicInitialization {
    public static func initialState(_ y: [Double], spec: HoltWintersSpec) throws(ForecastError) -> HoltWintersInitialState {
        try requireFinite(y, "series")
        let n = y.count
        guard n >= 10 else { throw .insufficientData(needed: 10, got: n) }
        var levelSource = y
        var seasonal: [Double] = []
        if spec.hasSeason {
            let m = spec.period
            guard m >= 2 else { throw .invalidConfiguration("season period must be at least 2, got \(m)") }
            let minObs = 10 + 2 * (m / 2)
            let needed = max(2 * m, minObs)
            guard n >= needed else { throw .insufficientData(needed: needed, got: n) }
            if spec.seasonal == .multiplicative, y.contains(where: { $0 <= 0 }) {
                throw .nonPositiveForMultiplicative
            }
            var cycles = min(5, n / m)
            cycles = max(cycles, (minObs + m - 1) / m)
            let series = Array(y[0 ..< min(n, m * cycles)])
            let ma = centredMovingAverage(series, window: m)
            var sums = [Double](repeating: 0, count: m)
            var counts = [Int](repeating: 0, count: m)
            for (i, t) in ma.enumerated() {
                guard let t else { continue }
                let d = spec.seasonal == .additive ? series[i] - t : series[i] / t
                sums[i % m] += d
                counts[i % m] += 1
            }
            seasonal = (0 ..< m).map { counts[$0] > 0 ? sums[$0] / Double(counts[$0]) : .nan }
            guard seasonal.allSatisfy(\.isFinite) else { throw .insufficientData(needed: needed, got: n) }
            let mean = seasonal.reduce(0, +) / Double(m)
            if spec.seasonal == .additive {
                seasonal = seasonal.map { $0 - mean }
            } else {
                seasonal = seasonal.map { $0 / mean }
            }
            levelSource = ma.compactMap { $0 }
            guard levelSource.count >= 10 else { throw .insufficientData(needed: needed, got: n) }
        }
        // OLS of the first 10 values on [1, t], t = 1...10 (pinv of a full-rank design).
        let ys = levelSource[0 ..< 10]
        let tMean = 5.5
        let yMean = ys.reduce(0, +) / 10
        var sxy = 0.0, sxx = 0.0
        for (k, v) in ys.enumerated() {
            let dt = Double(k + 1) - tMean
            sxy += dt * (v - yMean)
            sxx += dt * dt
        }
        let slope = sxy / sxx
        let intercept = yMean - slope * tMean
        return HoltWintersInitialState(level: intercept, trend: spec.trend ? slope : 0, seasonal: seasonal)
    }

    /// pandas `rolling(window, center=True).mean()`, followed for even windows by
    /// `.shift(-1).rolling(2).mean()`; nil where pandas yields NaN.
    static func centredMovingAverage(_ x: [Double], window w: Int) -> [Double?] {
        let n = x.count
        var prefix = [Double](repeating: 0, count: n + 1)
        for i in 0 ..< n { prefix[i + 1] = prefix[i] + x[i] }
        func centred(_ i: Int) -> Double? {
            let start = i - w / 2
            guard start >= 0, start + w <= n else { return nil }
            return (prefix[start + w] - prefix[start]) / Double(w)
        }
        return (0 ..< n).map { i in
            if w % 2 == 1 { return centred(i) }
            guard i + 1 < n, let a = centred(i), let b = centred(i + 1) else { return nil }
            return (a + b) / 2
        }
    }
}
