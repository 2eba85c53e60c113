/// A resumable Nelder–Mead minimiser over ℝᵏ (standard coefficients 1, 2, ½, ½).
/// Bounds are handled by the caller through a smooth transform (see `HoltWintersFitter`).
///
/// Drive it with `step(_:)`, which performs one iteration (usually 1–2 evaluations of the
/// objective, k + 1 on a shrink), so the caller can spread work over time.
public struct NelderMead: Sendable {
    public private(set) var simplex: [[Double]]
    public private(set) var values: [Double]
    public private(set) var iterations = 0
    public private(set) var evaluations = 0
    public let tolerance: Double
    public let maxIterations: Int

    /// Starts with `start` and, for each axis, a vertex `start + step·eᵢ`.
    public init(start: [Double], step: Double, tolerance: Double = 1e-8, maxIterations: Int = 400,
                objective f: ([Double]) -> Double) {
        var s = [start]
        for i in start.indices {
            var v = start
            v[i] += step
            s.append(v)
        }
        simplex = s
        values = s.map { Self.safe(f($0)) }
        evaluations = s.count
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        sort()
    }

    public var best: [Double] { simplex[0] }
    public var bestValue: Double { values[0] }

    /// Converged when the spread of values (relative) is below tolerance or out of iterations.
    public var isDone: Bool {
        if iterations >= maxIterations { return true }
        let spread = abs(values[values.count - 1] - values[0])
        return spread <= tolerance * (abs(values[0]) + 1e-12)
    }

    private static func safe(_ v: Double) -> Double { v.isFinite ? v : .greatestFiniteMagnitude }

    private mutating func sort() {
        let order = values.indices.sorted { values[$0] < values[$1] }
        simplex = order.map { simplex[$0] }
        values = order.map { values[$0] }
    }

    public mutating func step(_ f: ([Double]) -> Double) {
        iterations += 1
        let k = simplex.count - 1
        var centroid = [Double](repeating: 0, count: k)
        for v in simplex[0 ..< k] { for i in 0 ..< k { centroid[i] += v[i] / Double(k) } }
        func along(_ c: Double) -> [Double] { (0 ..< k).map { centroid[$0] + c * (simplex[k][$0] - centroid[$0]) } }
        func eval(_ x: [Double]) -> Double { evaluations += 1; return Self.safe(f(x)) }
        let xr = along(-1), fr = eval(xr)
        if fr < values[0] {
            let xe = along(-2), fe = eval(xe)
            if fe < fr { simplex[k] = xe; values[k] = fe } else { simplex[k] = xr; values[k] = fr }
        } else if fr < values[k - 1] {
            simplex[k] = xr; values[k] = fr
        } else {
            let outside = fr < values[k]
            let xc = along(outside ? -0.5 : 0.5), fc = eval(xc)
            if fc < (outside ? fr : values[k]) {
                simplex[k] = xc; values[k] = fc
            } else {
                for j in 1 ... k {
                    simplex[j] = (0 ..< k).map { simplex[0][$0] + 0.5 * (simplex[j][$0] - simplex[0][$0]) }
                    values[j] = eval(simplex[j])
                }
            }
        }
        sort()
    }
}
