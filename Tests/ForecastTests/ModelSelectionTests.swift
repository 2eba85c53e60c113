import ForescaleTestKit
import Foundation
import Testing
@testable import Forecast

@Suite("model selection")
struct ModelSelectionTests {
    private func seasonal(_ n: Int, seed: UInt64) -> [Double] {
        var rng = SplitMix64(seed: seed)
        var y: [Double] = []
        for i in 0 ..< n {
            let s: Double = 15 * sin(2 * Double.pi * Double(i) / 48)
            y.append(60 + s + rng.normal())
        }
        return y
    }

    @Test func seasonalSeriesSelectsASeasonalModelThatBeatsNaive() throws {
        let y = seasonal(48 * 12, seed: 1)
        var job = try ModelSelectionJob(series: y, horizon: 3, candidates: CandidateSpec.defaults(period: 48, positive: true), validation: 96)
        let outcome = job.run()
        #expect(outcome.model.name.contains("season 48"), "\(outcome.model.name)")
        let best = try #require(outcome.scores.map(\.mase).min())
        #expect(best < 0.5)
        #expect(outcome.scores.count == 6)
        #expect(outcome.validationForecasts.count == 96 - 3 + 1)
    }

    @Test func amortisedSelectionEqualsOneShot() throws {
        let y = seasonal(48 * 6, seed: 2)
        let candidates = CandidateSpec.defaults(period: 48, positive: true)
        var a = try ModelSelectionJob(series: y, horizon: 2, candidates: candidates, validation: 48)
        var b = a
        let one = a.run()
        var steps = 0
        while !b.advance(budget: 5_000) { steps += 1 }
        #expect(steps > 20)
        #expect(b.outcome?.model == one.model)
        #expect(b.outcome?.scores == one.scores)
    }

    @Test func unusableCandidatesAreSkipped() throws {
        // Too short for a season of 100 and non-positive for the multiplicative one.
        let y = (0 ..< 120).map { Double($0 % 7) }
        var job = try ModelSelectionJob(series: y, horizon: 1, candidates: CandidateSpec.defaults(period: 100, positive: false), validation: 20)
        let outcome = job.run()
        #expect(!outcome.model.name.contains("holt-winters"))
        #expect(outcome.model.forecast(steps: 1).isFinite)
    }

    @Test func badArguments() {
        #expect(throws: ForecastError.self) { try ModelSelectionJob(series: [1, 2, 3], horizon: 1, candidates: [], validation: 5) }
        #expect(throws: ForecastError.self) { try ModelSelectionJob(series: [1, .nan, 3, 4], horizon: 1, candidates: [], validation: 2) }
        #expect(throws: ForecastError.self) {
            try ModelSelectionJob(series: [1, 2, 3, 4, 5], horizon: 1, candidates: [.seasonalNaive(0)], validation: 2)
        }
    }
}
