import Foundation

/// The drift state of a residual stream.
public enum DriftState: Sendable, Equatable {
    /// Still estimating the residuals' mean and spread.
    case warmingUp
    case stable
    /// A sustained shift was detected; `upward` when actuals exceed forecasts.
    /// `sample` is the index (since the last reset) at which it was detected.
    case drift(upward: Bool, sample: Int)
}

/// Two-sided CUSUM on standardised residuals.
///
/// The first `warmup` residuals estimate mean and standard deviation (Welford); after that
/// `z = (e − μ)/σ`, `S⁺ = max(0, S⁺ + z − k)`, `S⁻ = max(0, S⁻ − z − k)`, and a drift is
/// signalled when either exceeds `h`. μ and σ² keep adapting slowly (exponential weight
/// `adaptation`) while stable. Defaults `k = 1, h = 8` are tuned for shifts ≥ 2σ:
/// Siegmund's approximation gives an in-control run length of ≈ 4·10⁷ samples per side
/// for Gaussian residuals and a detection delay of ≈ (h + 1.166)/(δ − k) samples for a
/// shift of δσ (≈ 4.6 for 3σ, ≈ 9 for 2σ). Once signalled, the state stays `.drift`
/// until `reset()`. Each update is O(1).
public struct CusumDriftDetector: Sendable, Equatable {
    public let slack: Double
    public let threshold: Double
    public let warmup: Int
    public let adaptation: Double
    public private(set) var state: DriftState = .warmingUp
    public private(set) var samples = 0
    private var mean = 0.0
    private var m2 = 0.0
    private var variance = 0.0
    public private(set) var upper = 0.0
    public private(set) var lower = 0.0

    public init(slack: Double = 1, threshold: Double = 8, warmup: Int = 60, adaptation: Double = 0.005) throws(ForecastError) {
        guard slack >= 0, threshold > 0, warmup >= 2, adaptation >= 0, adaptation < 1 else {
            throw .invalidConfiguration("CUSUM needs slack ≥ 0, threshold > 0, warmup ≥ 2, adaptation in [0, 1)")
        }
        self.slack = slack
        self.threshold = threshold
        self.warmup = warmup
        self.adaptation = adaptation
    }

    @discardableResult
    public mutating func update(residual e: Double) -> DriftState {
        guard e.isFinite else { return state }
        samples += 1
        if samples <= warmup {
            let d = e - mean
            mean += d / Double(samples)
            m2 += d * (e - mean)
            if samples == warmup {
                variance = m2 / Double(warmup - 1)
                state = .stable
            }
            return state
        }
        guard case .stable = state else { return state }
        // Floor σ so that a perfectly fitted (constant) stream does not divide by zero.
        let sigma = max(variance.squareRoot(), 1e-9 * max(1, abs(mean)))
        let z = (e - mean) / sigma
        upper = max(0, upper + z - slack)
        lower = max(0, lower - z - slack)
        if upper > threshold || lower > threshold {
            state = .drift(upward: upper > threshold, sample: samples)
            return state
        }
        let d = e - mean
        mean += adaptation * d
        variance = (1 - adaptation) * (variance + adaptation * d * d)
        return state
    }

    /// Forget everything (after a refit, say).
    public mutating func reset() {
        state = .warmingUp
        samples = 0
        mean = 0
        m2 = 0
        variance = 0
        upper = 0
        lower = 0
    }
}
