/// A point forecaster over an evenly spaced series (one value per bucket).
///
/// Conforming models are value types whose `update` is O(1) in time (no refit per point);
/// parameters are fitted separately (see `HoltWintersFitter`).
public protocol ForecastModel: Sendable {
    /// A short description, e.g. `holt-winters(add, season 1440)`.
    var name: String { get }
    /// Whether `forecast(steps:)` is meaningful yet.
    var isReady: Bool { get }
    /// Feed the next observation. O(1).
    mutating func update(_ y: Double)
    /// The point forecast `steps` (≥ 1) buckets after the last observation.
    func forecast(steps: Int) -> Double
}

/// Errors raised by the forecasting module. Each case says what was wrong with the input.
public enum ForecastError: Error, Equatable, Sendable {
    /// A value is NaN or infinite.
    case nonFinite(String)
    /// A rate or count is negative.
    case negative(String)
    /// Not enough data for the requested operation (`needed`, `got`).
    case insufficientData(needed: Int, got: Int)
    /// A configuration value is out of range.
    case invalidConfiguration(String)
    /// A sample's time is earlier than an already closed bucket.
    case outOfOrder(time: Double, lastBucketStart: Double)
    /// Multiplicative seasonality needs strictly positive data.
    case nonPositiveForMultiplicative
    /// A finite value too large to be used (e.g. a time beyond ±2⁵³ buckets).
    case outOfRange(String)
}

/// Checks that every value is finite.
func requireFinite(_ y: [Double], _ what: String) throws(ForecastError) {
    for v in y where !v.isFinite { throw .nonFinite(what) }
}
