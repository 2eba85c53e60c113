import Foundation

/// One fixed-width bucket of the regular series the models work on.
public struct Bucket: Sendable, Equatable {
    /// Bucket start, seconds (a multiple of the width).
    public var start: Double
    /// Mean of the rate samples that fell in the bucket (per second, as observed).
    public var value: Double
    /// True when no sample fell in the bucket and `value` is a fill-in (see `Bucketer`).
    public var imputed: Bool

    public init(start: Double, value: Double, imputed: Bool) {
        self.start = start
        self.value = value
        self.imputed = imputed
    }
}

/// Turns irregular `(time, rate)` samples (one per 15 s tick, say) into fixed-width bucket
/// means (60 s by default).
///
/// * A bucket closes when the first sample of a later bucket arrives; `add` returns the
///   closed buckets, oldest first.
/// * **Gaps**: buckets with no sample are emitted with `imputed = true` and the value of the
///   last real bucket carried forward, so the series stays evenly spaced (season phases
///   stay aligned) and never contains a NaN. Consumers that have a model should replace
///   an imputed value by their one-step forecast and skip it when scoring (the
///   `ArrivalForecaster` does). At most `maxEmittedGap` imputed buckets are returned for
///   one gap; the rest of a longer gap is reported in `skippedBuckets` only (a consumer's
///   history would overflow anyway) and the phase is kept by `start`.
/// * **Bad input** throws and leaves the state unchanged: NaN/∞ time or rate
///   (`.nonFinite`), a negative rate (`.negative`), a time before the open bucket
///   (`.outOfOrder`), a time so large its bucket index exceeds ±9·10¹⁵ (`.outOfRange`).
///   Several samples in one bucket are averaged with equal weight.
public struct Bucketer: Sendable, Equatable {
    public let width: Double
    public let maxEmittedGap: Int
    private var openIndex: Int64?
    private var sum = 0.0
    private var samples = 0
    /// Buckets of over-long gaps that were not emitted (see type docs).
    public private(set) var skippedBuckets = 0

    public init(width: Double = 60, maxEmittedGap: Int = 20_160) throws(ForecastError) {
        guard width.isFinite, width > 0 else { throw .invalidConfiguration("bucket width must be positive, got \(width)") }
        guard maxEmittedGap >= 0 else { throw .invalidConfiguration("maxEmittedGap must be ≥ 0") }
        self.width = width
        self.maxEmittedGap = maxEmittedGap
    }

    /// Start time of the bucket currently being filled.
    public var openBucketStart: Double? { openIndex.map { Double($0) * width } }

    public mutating func add(time: Double, rate: Double) throws(ForecastError) -> [Bucket] {
        guard time.isFinite else { throw .nonFinite("time") }
        guard rate.isFinite else { throw .nonFinite("rate") }
        guard rate >= 0 else { throw .negative("rate \(rate) at \(time)") }
        let position = (time / width).rounded(.down)
        guard abs(position) < 9.0e15 else { throw .outOfRange("time \(time)") }
        let index = Int64(position)
        guard let open = openIndex else {
            openIndex = index
            sum = rate
            samples = 1
            return []
        }
        if index == open {
            sum += rate
            samples += 1
            return []
        }
        guard index > open else { throw .outOfOrder(time: time, lastBucketStart: Double(open) * width) }
        let mean = sum / Double(samples)
        var out = [Bucket(start: Double(open) * width, value: mean, imputed: false)]
        let missing = index - open - 1
        if missing > 0 {
            let emitted = Int64(min(Int64(maxEmittedGap), missing))
            skippedBuckets += Int(missing - emitted)
            for k in (index - emitted) ..< index {
                out.append(Bucket(start: Double(k) * width, value: mean, imputed: true))
            }
        }
        openIndex = index
        sum = rate
        samples = 1
        return out
    }
}
