/// Seasonal naive: the forecast for `h` steps ahead is the value one season before the
/// target, `y[n + h − m·⌈h/m⌉]`. Keeps the last `period` values (memory `8·period` bytes).
public struct SeasonalNaive: ForecastModel, Sendable, Equatable {
    public let period: Int
    private var recent: RingBuffer

    /// - Precondition: `period ≥ 1` (a programming error otherwise; data never reach it).
    public init(period: Int) {
        precondition(period >= 1, "period must be at least 1")
        self.period = period
        recent = RingBuffer(capacity: period)
    }

    public var name: String { period == 1 ? "naive" : "seasonal-naive(season \(period))" }
    public var isReady: Bool { recent.isFull }

    public mutating func update(_ y: Double) { recent.append(y) }

    public func forecast(steps: Int) -> Double {
        guard !recent.isEmpty else { return 0 }
        let h = max(1, steps)
        let m = recent.count
        // recent[0] is one full season before the next observation.
        return recent[(h - 1) % m]
    }
}

/// The naive (random-walk) forecaster: the last value. The MASE baseline.
public typealias NaiveModel = SeasonalNaive
extension SeasonalNaive {
    public static var naive: SeasonalNaive { SeasonalNaive(period: 1) }
}

/// An exponentially weighted level with a fixed smoothing weight — simple exponential
/// smoothing without fitting, started at the first observation.
public struct ExponentialLevel: ForecastModel, Sendable, Equatable {
    public let alpha: Double
    public private(set) var level: Double?

    /// - Precondition: `0 < alpha ≤ 1`.
    public init(alpha: Double) {
        precondition(alpha > 0 && alpha <= 1, "alpha must be in (0, 1]")
        self.alpha = alpha
    }

    public var name: String { "ewma-level(alpha \(alpha))" }
    public var isReady: Bool { level != nil }

    public mutating func update(_ y: Double) {
        level = level.map { alpha * y + (1 - alpha) * $0 } ?? y
    }

    public func forecast(steps: Int) -> Double { level ?? 0 }

    public mutating func shiftLevel(by offset: Double) {
        if offset.isFinite, let l = level { level = l + offset }
    }
}

/// Any of the module's models, as one value type (no existential boxing in hot paths).
public enum AnyForecastModel: ForecastModel, Sendable, Equatable {
    case holtWinters(HoltWinters)
    case seasonalNaive(SeasonalNaive)
    case level(ExponentialLevel)

    public var name: String {
        switch self {
        case .holtWinters(let m): return m.name
        case .seasonalNaive(let m): return m.name
        case .level(let m): return m.name
        }
    }

    public var isReady: Bool {
        switch self {
        case .holtWinters(let m): return m.isReady
        case .seasonalNaive(let m): return m.isReady
        case .level(let m): return m.isReady
        }
    }

    public mutating func update(_ y: Double) {
        // Release the enum's reference before mutating the payload, so its arrays stay
        // uniquely referenced and are updated in place (O(1), no copy-on-write).
        let placeholder = AnyForecastModel.level(ExponentialLevel(alpha: 1))
        switch self {
        case .holtWinters(var m): self = placeholder; m.update(y); self = .holtWinters(m)
        case .seasonalNaive(var m): self = placeholder; m.update(y); self = .seasonalNaive(m)
        case .level(var m): m.update(y); self = .level(m)
        }
    }

    /// Level-shift correction (see `HoltWinters.shiftLevel`); a no-op for seasonal naive,
    /// which re-learns a shifted level within one season by construction.
    public mutating func shiftLevel(by offset: Double) {
        switch self {
        case .holtWinters(var m): self = .level(ExponentialLevel(alpha: 1)); m.shiftLevel(by: offset); self = .holtWinters(m)
        case .level(var m): m.shiftLevel(by: offset); self = .level(m)
        case .seasonalNaive: break
        }
    }

    public func forecast(steps: Int) -> Double {
        switch self {
        case .holtWinters(let m): return m.forecast(steps: steps)
        case .seasonalNaive(let m): return m.forecast(steps: steps)
        case .level(let m): return m.forecast(steps: steps)
        }
    }
}
