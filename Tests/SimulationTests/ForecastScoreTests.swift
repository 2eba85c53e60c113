import Planner
@testable import Simulation
import Testing

/// Forecasts scored at the horizon the planner used them for.
@Suite("Forecast score at the control horizon")
struct ForecastScoreTests {
    static func tick(_ time: Double, rate: Double, p50: Double? = nil, upper: Double? = nil, horizon: Double = 30) -> TickRecord {
        TickRecord(
            time: time, arrivalRate: rate, desired: 1, ready: 1, lag: 0, capacity: 1, arrivedTotal: 0, processedTotal: 0,
            forecast: p50.map { ForecastInput(horizonSeconds: horizon, p50: $0, upper: upper ?? $0, upperQuantile: 0.9, model: "m") })
    }

    @Test("each forecast meets the rate of the tick at its horizon; MASE against the rate when it was made")
    func scoresAtTheHorizon() throws {
        // Rates 10, 20, 30, 40, 50 every 15 s; forecasts for 30 s ahead.
        let ticks = [
            Self.tick(0, rate: 10, p50: 30, upper: 35),   // outcome at 30: 30 — exact; naive error 20
            Self.tick(15, rate: 20, p50: 30, upper: 35),  // outcome at 45: 40 — error 10, above the band; naive error 20
            Self.tick(30, rate: 30, p50: 60, upper: 70),  // outcome at 60: 50 — error 10; naive error 20
            Self.tick(45, rate: 40, p50: 50),             // outcome at 75: none — not scored
            Self.tick(60, rate: 50),
        ]
        let score = try #require(ForecastScore.score(ticks))
        #expect(score.scored == 3)
        #expect(score.mase == 20.0 / 60.0)
        #expect(score.p50Coverage == 2.0 / 3.0)
        #expect(score.upperCoverage == 2.0 / 3.0)
        #expect(score.upperQuantile == 0.9)
        #expect(score.relativeBandWidth == 20.0 / 120.0)
        #expect(score.meanHorizonSeconds == 30)
    }

    @Test("the naive forecast scores MASE 1; no forecast, or none due within the run, scores nothing")
    func naiveAndEmpty() throws {
        let rates: [Double] = [5, 9, 2, 7, 7, 3]
        let naive = rates.indices.map { Self.tick(Double($0) * 15, rate: rates[$0], p50: rates[$0], upper: rates[$0], horizon: 15) }
        #expect(try #require(ForecastScore.score(naive)).mase == 1)
        #expect(ForecastScore.score([Self.tick(0, rate: 1), Self.tick(15, rate: 2)]) == nil)
        #expect(ForecastScore.score([Self.tick(0, rate: 1, p50: 1, horizon: 600), Self.tick(15, rate: 2)]) == nil)
        #expect(ForecastScore.score([TickRecord]()) == nil)
    }
}

extension ForecastScoreTests {
    @Test("with a metric delay the horizon counts from the rate's age, and the naive forecast is the rate then")
    func ageShiftsTheHorizon() throws {
        // Rates 10, 20, 30, 40 every 15 s; a forecast made at 30 from a rate 15 s old, for 30 s ahead: due at 45.
        let points = [10.0, 20, 30, 40].enumerated().map { index, rate in
            ForecastScore.Point(
                time: Double(index) * 15, arrivalRate: rate,
                forecast: index == 2 ? ForecastInput(horizonSeconds: 30, p50: 38, upper: 45, upperQuantile: 0.9, model: "m") : nil)
        }
        let score = try #require(ForecastScore.score(points, ageSeconds: 15))
        #expect(score.scored == 1)
        #expect(score.mase == 2.0 / 20.0, "error |38 − 40| over naive |20 − 40|")
        #expect(ForecastScore.score(points)?.mase == nil, "without the age the horizon (60) is past the run")
    }
}
