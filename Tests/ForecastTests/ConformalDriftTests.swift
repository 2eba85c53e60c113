import ForescaleTestKit
import Foundation
import Testing
@testable import Forecast

@Suite("adaptive conformal")
struct ConformalTests {
    /// i.i.d. noise around a known level; forecasts issued `horizon` steps ahead, so the
    /// coverage feedback is delayed as in production.
    @Test(arguments: [(UInt64(1), 1), (2, 3), (3, 9)])
    func coverageOnIIDNoiseIsNearTarget(seed: UInt64, horizon: Int) throws {
        var rng = SplitMix64(seed: seed)
        var aci = try AdaptiveConformal(targets: [0.5, 0.9], learningRate: 0.005, window: 500)
        var pending: [(point: Double, bounds: [Double]?)] = []
        var covered = [0, 0], scored = 0
        for _ in 0 ..< 6000 {
            let point = 20.0
            pending.append((point, aci.bounds(pointForecast: point)))
            if pending.count > horizon {
                let issued = pending.removeFirst()
                let actual = 20 + 3 * rng.normal()
                if let b = issued.bounds {
                    scored += 1
                    for i in 0 ..< 2 where actual <= b[i] { covered[i] += 1 }
                }
                aci.record(actual: actual, pointForecast: issued.point, issuedBounds: issued.bounds)
            }
        }
        let median = Double(covered[0]) / Double(scored)
        let upper = Double(covered[1]) / Double(scored)
        #expect(abs(median - 0.5) < 0.02, "p50 coverage \(median)")
        #expect(abs(upper - 0.9) < 0.02, "p90 coverage \(upper)")
    }

    /// After a variance jump, ACI pulls coverage back towards the target, where a fixed
    /// quantile of stale scores would not.
    @Test func adaptsToAVarianceShift() throws {
        var rng = SplitMix64(seed: 11)
        var aci = try AdaptiveConformal(targets: [0.9], learningRate: 0.02, window: 2000)
        for _ in 0 ..< 2000 {
            let b = aci.bounds(pointForecast: 0)
            aci.record(actual: rng.normal(), pointForecast: 0, issuedBounds: b)
        }
        var covered = 0
        for _ in 0 ..< 1000 {
            let b = try #require(aci.bounds(pointForecast: 0))
            let y = 3 * rng.normal()
            if y <= b[0] { covered += 1 }
            aci.record(actual: y, pointForecast: 0, issuedBounds: b)
        }
        #expect(abs(Double(covered) / 1000 - 0.9) < 0.04)
    }

    /// Step t is max(γ, γ₀/√(t+1)): the first moves α by γ₀·(α₀ − err), later ones by less.
    @Test func stepsDecayToTheLongRunRate() throws {
        var aci = try AdaptiveConformal(targets: [0.9], learningRate: 0.005, initialLearningRate: 0.1, minimumScores: 1)
        aci.record(actual: 1, pointForecast: 0, issuedBounds: nil)  // a score, no feedback: no step
        #expect(abs(aci.alphas[0] - 0.1) < 1e-12)
        aci.record(actual: 5, pointForecast: 0, issuedBounds: [2])  // exceeded: α += 0.1 × (0.1 − 1)
        #expect(abs(aci.alphas[0] - 0.01) < 1e-12)
        aci.record(actual: 0, pointForecast: 0, issuedBounds: [2])  // covered: α += 0.1/√2 × 0.1
        #expect(abs(aci.alphas[0] - (0.01 + 0.1 / 2.0.squareRoot() * 0.1)) < 1e-12)
        for _ in 0 ..< 1000 { aci.record(actual: 0, pointForecast: 0, issuedBounds: [2]) }
        let before = aci.alphas[0]
        aci.record(actual: 0, pointForecast: 0, issuedBounds: [2])  // step 1003: 0.1/√1003 < 0.005
        #expect(abs(aci.alphas[0] - min(before + 0.005 * 0.1, 2)) < 1e-12)
        #expect(throws: ForecastError.self) { try AdaptiveConformal(targets: [0.9], learningRate: 0.01, initialLearningRate: 0.005) }
    }

    /// On a short series the decaying steps bring coverage to the target where the small fixed
    /// step cannot move far from where the first few scores put it.
    @Test(arguments: [UInt64(3), 5, 8])
    func shortSeriesCalibrateWithDecayingSteps(seed: UInt64) throws {
        func coverage(initial: Double) throws -> Double {
            var rng = SplitMix64(seed: seed)
            var aci = try AdaptiveConformal(targets: [0.9], learningRate: 0.005, initialLearningRate: initial, window: 500, minimumScores: 20)
            var covered = 0, scored = 0
            for t in 0 ..< 400 {
                // The first scores are calmer than what follows: a fixed small step stays too narrow.
                let y = (t < 40 ? 1.0 : 2.5) * rng.normal()
                let b = aci.bounds(pointForecast: 0)
                if let b, t >= 40 { scored += 1; if y <= b[0] { covered += 1 } }
                aci.record(actual: y, pointForecast: 0, issuedBounds: b)
            }
            return Double(covered) / Double(scored)
        }
        let fixed = try coverage(initial: 0.005)
        let decaying = try coverage(initial: 0.1)
        #expect(abs(decaying - 0.9) < abs(fixed - 0.9), "decaying \(decaying), fixed \(fixed)")
        #expect(abs(decaying - 0.9) < 0.04, "decaying \(decaying)")
    }

    @Test func badConfigurationAndWarmUp() throws {
        #expect(throws: ForecastError.self) { try AdaptiveConformal(targets: [1.2]) }
        #expect(throws: ForecastError.self) { try AdaptiveConformal(targets: []) }
        var aci = try AdaptiveConformal(targets: [0.9], minimumScores: 3)
        #expect(aci.bounds(pointForecast: 1) == nil)
        aci.record(actual: .nan, pointForecast: 1, issuedBounds: nil)
        for y in [1.0, 2, 3] { aci.record(actual: y, pointForecast: 1, issuedBounds: nil) }
        #expect(aci.bounds(pointForecast: 1) == [3])  // level 0.9 of 3 scores → largest
    }
}

@Suite("drift detection")
struct DriftTests {
    /// A level shift of `shift` σ at sample 2000 is detected within `maxDelay` samples.
    @Test(arguments: [(UInt64(21), 3.0, 10), (22, 3.0, 10), (23, 2.0, 25), (24, -2.0, 25), (25, 5.0, 5)])
    func levelShiftIsDetectedWithinStatedDelay(seed: UInt64, shift: Double, maxDelay: Int) throws {
        var rng = SplitMix64(seed: seed)
        var d = try CusumDriftDetector()
        var detectedAt: Int?
        for i in 0 ..< 2400 {
            let e = 5 + 2 * rng.normal() + (i >= 2000 ? shift * 2 : 0)
            if case .drift(let upward, _) = d.update(residual: e), detectedAt == nil {
                detectedAt = i
                #expect(upward == (shift > 0))
            }
        }
        let at = try #require(detectedAt)
        #expect(at >= 2000, "false alarm at \(at)")
        #expect(at - 2000 < maxDelay, "delay \(at - 2000)")
    }

    @Test(arguments: [UInt64(31), 32, 33, 34, 35, 36, 37, 38])
    func noAlarmOnStationaryNoise(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        var d = try CusumDriftDetector()
        for _ in 0 ..< 20_000 { d.update(residual: 5 + 2 * rng.normal()) }
        #expect(d.state == .stable)
    }

    @Test func warmUpResetAndNonFinite() throws {
        var d = try CusumDriftDetector(warmup: 3)
        #expect(d.update(residual: 1) == .warmingUp)
        #expect(d.update(residual: .nan) == .warmingUp)
        d.update(residual: 2)
        #expect(d.update(residual: 3) == .stable)
        d.reset()
        #expect(d.state == .warmingUp && d.samples == 0)
        #expect(throws: ForecastError.self) { try CusumDriftDetector(threshold: 0) }
    }
}
