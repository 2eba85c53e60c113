import Foundation

/// Fits (α, β, γ, φ) by minimising the one-step sum of squared errors with the heuristic
/// initial state held fixed — statsmodels' `fit()` objective under
/// `initialization_method="heuristic"`.
///
/// Bounds and statsmodels' cross-constraints (β ≤ α, γ ≤ 1 − α, φ ∈ [0.8, 0.995]) are
/// enforced by the transform α = σ(x₀), β = α σ(x₁), γ = (1−α) σ(x₂), φ = 0.8 + 0.195 σ(x₃)
/// (σ the logistic function), so the unconstrained Nelder–Mead search can never leave
/// the box. Starting values come from a small grid (like statsmodels' `use_brute`).
///
/// The fitter is resumable: `advance(budget:)` does roughly `budget` recursion steps of
/// work (one objective evaluation costs `series.count`), so a refit can be spread over
/// many ticks. `run()` finishes it in one go.
public struct HoltWintersFitter: Sendable {
    public let spec: HoltWintersSpec
    public let initial: HoltWintersInitialState
    private let series: [Double]
    private var gridIndex = 0
    private var grid: [[Double]]
    private var bestGrid: [Double] = []
    private var bestGridValue = Double.infinity
    private var optimiser: NelderMead?
    public private(set) var evaluations = 0

    /// Throws when the series cannot be initialised (too short, non-finite, non-positive
    /// with a multiplicative season).
    public init(series: [Double], spec: HoltWintersSpec) throws(ForecastError) {
        self.spec = spec
        self.series = series
        initial = try HeuristicInitialization.initialState(series, spec: spec)
        var g: [[Double]] = []
        for a in [0.05, 0.2, 0.5, 0.8] {
            for b in spec.trend ? [0.05, 0.3] : [0.5] {
                for c in spec.hasSeason ? [0.05, 0.3] : [0.5] {
                    g.append([logit(a), logit(b), logit(c), logit(0.75)])
                }
            }
        }
        grid = g
    }

    var dimension: Int { 1 + (spec.trend ? 1 : 0) + (spec.hasSeason ? 1 : 0) + (spec.damped ? 1 : 0) }

    /// Maps the unconstrained vector (full length 4) to bounded parameters.
    static func parameters(_ x: [Double], spec: HoltWintersSpec) -> HoltWintersParameters {
        let a = sigmoid(x[0])
        return HoltWintersParameters(
            alpha: a,
            beta: spec.trend ? a * sigmoid(x[1]) : 0,
            gamma: spec.hasSeason ? (1 - a) * sigmoid(x[2]) : 0,
            phi: spec.damped ? 0.8 + 0.195 * sigmoid(x[3]) : 1)
    }

    /// Packs the active coordinates of a full vector, and back.
    private func pack(_ full: [Double]) -> [Double] {
        var v = [full[0]]
        if spec.trend { v.append(full[1]) }
        if spec.hasSeason { v.append(full[2]) }
        if spec.damped { v.append(full[3]) }
        return v
    }

    private func unpack(_ v: [Double]) -> [Double] {
        var full = [0.0, 0.0, 0.0, 0.0], i = 1
        full[0] = v[0]
        if spec.trend { full[1] = v[i]; i += 1 }
        if spec.hasSeason { full[2] = v[i]; i += 1 }
        if spec.damped { full[3] = v[i] }
        return full
    }

    /// One-step SSE for the given unconstrained (packed) vector.
    func objective(_ packed: [Double]) -> Double {
        var model = HoltWinters(spec: spec, parameters: Self.parameters(unpack(packed), spec: spec), initial: initial)
        return model.sse(series)
    }

    public var isDone: Bool { optimiser?.isDone ?? false }

    /// Does about `budget` recursion steps of work; returns `isDone`.
    @discardableResult
    public mutating func advance(budget: Int) -> Bool {
        var spent = 0
        let cost = max(1, series.count)
        while spent < max(budget, 1) && !isDone {
            if gridIndex < grid.count {
                let p = pack(grid[gridIndex])
                let v = objective(p)
                evaluations += 1
                spent += cost
                if v < bestGridValue || bestGrid.isEmpty { bestGridValue = v; bestGrid = p }
                gridIndex += 1
                continue
            }
            if optimiser == nil {
                let f = self.objective
                optimiser = NelderMead(start: bestGrid, step: 1.0, tolerance: 1e-10, maxIterations: 300, objective: f)
                evaluations += dimension + 1
                spent += cost * (dimension + 1)
                continue
            }
            let f = self.objective
            let before = optimiser!.evaluations
            optimiser!.step(f)
            let used = optimiser!.evaluations - before
            evaluations += used
            spent += cost * used
        }
        return isDone
    }

    /// Runs to completion.
    public mutating func run() -> HoltWintersFit {
        while !advance(budget: Int.max / 4) {}
        return result!
    }

    /// The fitted model, positioned after the last observation of the series; nil until done.
    public var result: HoltWintersFit? {
        guard let o = optimiser, o.isDone else { return nil }
        let params = Self.parameters(unpack(o.best), spec: spec)
        var model = HoltWinters(spec: spec, parameters: params, initial: initial)
        let sse = model.sse(series)
        return HoltWintersFit(model: model, sse: sse, evaluations: evaluations)
    }
}

/// The outcome of a fit: the model (after the training data) and its in-sample SSE.
public struct HoltWintersFit: Sendable {
    public var model: HoltWinters
    public var sse: Double
    public var evaluations: Int
}

@inline(__always) func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
@inline(__always) func logit(_ p: Double) -> Double {
    let q = min(max(p, 1e-12), 1 - 1e-12)
    return Foundation.log(q / (1 - q))
}
