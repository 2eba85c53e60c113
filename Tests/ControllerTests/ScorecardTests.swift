import Controller
import DecisionStorage
import Planner
import Testing

private func expectClose(_ value: Double?, _ expected: Double?, sourceLocation: SourceLocation = #_sourceLocation) {
    switch (value, expected) {
    case (nil, nil): break
    case let (value?, expected?):
        #expect(abs(value - expected) < 1e-9, "\(value) ≠ \(expected)", sourceLocation: sourceLocation)
    default:
        Issue.record("\(String(describing: value)) ≠ \(String(describing: expected))", sourceLocation: sourceLocation)
    }
}

@Suite("Scorecard.compute, hand-computed")
struct ScorecardTests {
    /// Four records 60 s apart over [0, 240), each holding 60 s.
    @Test func replicaHoursBreachesAndActions() {
        let records = [
            // lag 600 / (5 × 2) = 60 s > 30 s: a breach while the plan had more.
            makeRecord(time: 0, current: 2, final: 3, reactive: 2, lag: 600, capacity: 5),
            // 300 / (5 × 3) = 20 s: no breach.
            makeRecord(time: 60, current: 3, final: 3, reactive: nil, lag: 300, capacity: 5),
            // No capacity: 600 / throughput 10 = 60 s: a breach while the plan had less.
            makeRecord(time: 120, current: 3, final: 2, reactive: 3, lag: 600, throughput: 10, capacity: nil),
            // No lag: cannot be judged.
            makeRecord(time: 180, current: 2, final: 4, reactive: 2, lag: nil),
        ]
        let card = Scorecard.compute(target: "web", records: records, from: 0, to: 240, maxGapSeconds: 120)
        #expect(card.target == "web")
        #expect(card.fromSeconds == 0 && card.toSeconds == 240)
        #expect(card.decisions == 4)
        expectClose(card.actualReplicaHours, (2 + 3 + 3 + 2) * 60 / 3600)
        expectClose(card.plannedReplicaHours, (3 + 3 + 2 + 4) * 60 / 3600)
        expectClose(card.replicaHoursDifference, 120.0 / 3600)
        expectClose(card.reactiveReplicaHours, (2 + 3 + 2) * 60 / 3600)
        expectClose(card.sloBreachMinutes, 2)
        expectClose(card.sloBreachMinutesPlanHadMore, 1)
        expectClose(card.sloBreachMinutesPlanHadLess, 1)
        #expect(card.actualActions == 2)  // 2 → 3 → 3 → 2
        #expect(card.plannedActions == 2)  // 3 → 3 → 2 → 4
        #expect(card.reactiveActions == 2)  // 2 → (nil) → 3 → 2
        #expect(card.forecastMASE == nil && card.forecastCoverage == nil && card.forecastQuantile == nil)
        #expect(card.forecastsScored == 0)
    }

    @Test func gapsLongerThanMaxGapCountAsNoData() {
        let records = [
            // Breaches (10 000 / 10 = 1000 s) for 120 s, not for the whole 1000 s gap.
            makeRecord(time: 0, current: 2, final: 2, lag: 10_000, capacity: 5),
            makeRecord(time: 1000, current: 4, final: 4, lag: 100, capacity: 5),
        ]
        let card = Scorecard.compute(target: "web", records: records, from: 0, to: 1200, maxGapSeconds: 120)
        // 2 × 120 s + 4 × 120 s (the last one capped too, not until 1200).
        expectClose(card.actualReplicaHours, (2.0 * 120 + 4 * 120) / 3600)
        expectClose(card.sloBreachMinutes, 2)
        expectClose(card.sloBreachMinutesPlanHadMore, 0)
        expectClose(card.sloBreachMinutesPlanHadLess, 0)
        #expect(card.actualActions == 1)
    }

    @Test func recordsAreClippedToTheWindow() {
        let records = [
            makeRecord(time: -30, current: 10, final: 10),
            makeRecord(target: "other", time: 10, current: 50, final: 50),
            makeRecord(time: 30, current: 2, final: 2),
            makeRecord(time: 60, current: 100, final: 100),
        ]
        let card = Scorecard.compute(target: "web", records: records, from: 0, to: 60, maxGapSeconds: 120)
        #expect(card.decisions == 1)
        // The record before the window holds from 0 to 30, the one inside from 30 to 60.
        expectClose(card.actualReplicaHours, (10.0 * 30 + 2 * 30) / 3600)
        #expect(card.actualActions == 1)
        #expect(card.plannedActions == 1)
        // Records without a reactive count at all: nil, not 0.
        let noReactive = records.map { record -> DecisionRecord in
            var record = record
            record.decision.reactiveReplicas = nil
            return record
        }
        let card2 = Scorecard.compute(target: "web", records: noReactive, from: 0, to: 60, maxGapSeconds: 120)
        #expect(card2.reactiveReplicaHours == nil)
        #expect(card2.reactiveActions == 0)
    }

    @Test func forecastMASEAndCoverage() {
        func forecast(_ p50: Double, _ upper: Double, quantile: Double = 0.9) -> ForecastInput {
            ForecastInput(horizonSeconds: 60, p50: p50, upper: upper, upperQuantile: quantile, model: "test")
        }
        let records = [
            makeRecord(time: 0, rate: 10, forecast: forecast(18, 25)),  // actual 20: error 2, naive 10, covered
            makeRecord(time: 60, rate: 20, forecast: forecast(33, 28)),  // actual 30: error 3, naive 10, not covered
            makeRecord(time: 120, rate: 30, forecast: forecast(40, 45, quantile: 0.95)),  // actual 40: error 0, naive 10, covered
            makeRecord(time: 180, rate: 40, forecast: forecast(50, 60)),  // due at 240 = the window's end: unscored
        ]
        let card = Scorecard.compute(target: "web", records: records, from: 0, to: 240, maxGapSeconds: 120)
        #expect(card.forecastsScored == 3)
        expectClose(card.forecastMASE, 5.0 / 30)
        expectClose(card.forecastCoverage, 2.0 / 3)
        expectClose(card.forecastQuantile, 0.95)
    }

    @Test func forecastActualsSkipMissingRatesWithinOneMaxGap() {
        let forecast = ForecastInput(horizonSeconds: 60, p50: 12, upper: 15, model: "test")
        let records = [
            makeRecord(time: 0, rate: 10, forecast: forecast),
            makeRecord(time: 60, rate: nil),
            makeRecord(time: 120, rate: 10),
        ]
        // Due at 60; 60 has no rate, 120 is within 60 + 60: paired with 10. The naive error is 0: no MASE.
        let card = Scorecard.compute(target: "web", records: records, from: 0, to: 300, maxGapSeconds: 60)
        #expect(card.forecastsScored == 1)
        #expect(card.forecastMASE == nil)
        expectClose(card.forecastCoverage, 1)
        expectClose(card.forecastQuantile, 0.9)
        // With a 30 s max gap, 120 is too late: nothing scored.
        let strict = Scorecard.compute(target: "web", records: records, from: 0, to: 300, maxGapSeconds: 30)
        #expect(strict.forecastsScored == 0)
        #expect(strict.forecastCoverage == nil && strict.forecastMASE == nil && strict.forecastQuantile == nil)
    }

    @Test func noRecordsIsAnEmptyScorecard() {
        let card = Scorecard.compute(target: "web", records: [], from: 0, to: 3600, maxGapSeconds: 60)
        #expect(card.decisions == 0)
        #expect(card.actualReplicaHours == 0 && card.plannedReplicaHours == 0)
        #expect(card.reactiveReplicaHours == nil)
        #expect(card.actualActions == 0 && card.forecastsScored == 0)
    }
}
