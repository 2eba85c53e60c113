import Foundation

/// Adaptive conformal inference (Gibbs & Candès, "Adaptive Conformal Inference Under
/// Distribution Shift", NeurIPS 2021) for one-sided upper bounds at several levels.
///
/// Scores are signed residuals `actual − point forecast` at the decision horizon, kept in
/// a ring buffer of the most recent `window`. For a target coverage `q` the working level
/// `αₜ` starts at `1 − q`; a bound is `point + Q̂(1 − αₜ)` (empirical quantile of the
/// scores); when the realisation of a bound arrives, `αₜ₊₁ = αₜ + γ (1 − q − errₜ)` with
/// `errₜ = 1` if the actual exceeded the bound that was issued. With `q = 0.5` this is an
/// adaptively de-biased median. The step decays from `initialLearningRate` as `γ₀/√(t+1)` to
/// `learningRate` (decaying step sizes: Angelopoulos, Barber and Bates, "Online Conformal
/// Prediction with Decaying Step Sizes", ICML 2024): fast calibration on a short series, the
/// small long-run step on a long one.
///
/// A learning rate of 0 (and no larger initial step) keeps the levels fixed: plain split-conformal
/// quantiles of the window (`HorizonCalibration`).
///
/// Fallbacks, never ±∞ or NaN: a level ≥ 1 uses the largest retained score, ≤ 0 the
/// smallest; fewer than `minimumScores` scores give nil. Memory: `16·window` bytes (ring +
/// sorted copy); `record` is O(window) memmove at worst, `bounds` O(1) per target.
public struct AdaptiveConformal: Sendable, Equatable {
    public let targets: [Double]
    /// The step γ in the long run.
    public let learningRate: Double
    /// The step of the first update; step `t` (from 0) is `max(learningRate, initialLearningRate / √(t + 1))`.
    public let initialLearningRate: Double
    public let minimumScores: Int
    /// Working miscoverage levels αₜ, one per target.
    public private(set) var alphas: [Double]
    private var scores: RingBuffer
    /// The same scores kept sorted, so a bound is an O(1) look-up.
    private var sorted: [Double] = []
    /// Realised bounds and how many were exceeded, per target (for diagnostics).
    public private(set) var realised = 0
    public private(set) var exceeded: [Int]

    public init(
        targets: [Double], learningRate: Double = 0.005, initialLearningRate: Double? = nil, window: Int = 1440, minimumScores: Int = 30
    ) throws(ForecastError) {
        guard !targets.isEmpty, targets.allSatisfy({ $0 > 0 && $0 < 1 }) else {
            throw .invalidConfiguration("conformal targets must be in (0, 1), got \(targets)")
        }
        guard learningRate >= 0, learningRate < 1 else { throw .invalidConfiguration("learning rate must be in [0, 1)") }
        let initial = initialLearningRate ?? learningRate
        guard initial >= learningRate, initial < 1 else {
            throw .invalidConfiguration("initial learning rate must be in [learningRate, 1), got \(initial)")
        }
        self.initialLearningRate = initial
        guard window >= 2, minimumScores >= 1 else { throw .invalidConfiguration("window must be ≥ 2, minimumScores ≥ 1") }
        self.targets = targets
        self.learningRate = learningRate
        self.minimumScores = min(minimumScores, window)
        alphas = targets.map { 1 - $0 }
        scores = RingBuffer(capacity: window)
        exceeded = targets.map { _ in 0 }
    }

    public var scoreCount: Int { scores.count }

    /// Bounds for a point forecast, one per target (nil while fewer than `minimumScores`).
    public func bounds(pointForecast: Double) -> [Double]? {
        guard scores.count >= minimumScores else { return nil }
        return alphas.map { pointForecast + Self.quantile(sorted, level: 1 - $0) }
    }

    /// Records the realisation of a forecast: its score, and (when bounds had been issued
    /// for it) the coverage feedback for each target.
    public mutating func record(actual: Double, pointForecast: Double, issuedBounds: [Double]?) {
        let score = actual - pointForecast
        guard score.isFinite else { return }
        if let issued = issuedBounds, issued.count == targets.count {
            let rate = max(learningRate, initialLearningRate / Double(realised + 1).squareRoot())
            realised += 1
            for i in targets.indices {
                let err: Double = actual > issued[i] ? 1 : 0
                exceeded[i] += Int(err)
                // Keep αₜ in a bounded range so it recovers quickly after long runs.
                alphas[i] = min(max(alphas[i] + rate * ((1 - targets[i]) - err), -1), 2)
            }
        }
        if scores.isFull, let oldest = scores.fromEnd(scores.count - 1) {
            sorted.remove(at: Self.lowerBound(sorted, oldest))
        }
        scores.append(score)
        if sorted.isEmpty { sorted.reserveCapacity(scores.capacity) }
        sorted.insert(score, at: Self.lowerBound(sorted, score))
    }

    /// First index whose value is ≥ `x`.
    static func lowerBound(_ a: [Double], _ x: Double) -> Int {
        var lo = 0, hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Drops all scores but keeps the adapted levels αₜ (after a model change, say).
    public mutating func removeScores() {
        scores.removeAll()
        sorted.removeAll(keepingCapacity: true)
    }

    /// Empirical quantile with the conformal rank ⌈(n+1)·level⌉, clamped to the sample.
    static func quantile(_ sorted: [Double], level: Double) -> Double {
        sorted[rank(level: level, count: sorted.count) - 1]
    }

    /// The conformal rank of a quantile of `n` values, from 1: ⌈(n+1)·level⌉ clamped to 1…n (n
    /// for a level ≥ 1, 1 for a level ≤ 0).
    static func rank(level: Double, count n: Int) -> Int {
        level >= 1 ? n : level <= 0 ? 1 : min(max(Int((Double(n + 1) * level).rounded(.up)), 1), n)
    }
}
