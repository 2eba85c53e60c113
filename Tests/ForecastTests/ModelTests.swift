import Foundation
import Testing
@testable import Forecast

@Suite("models")
struct ModelTests {
    @Test(arguments: [false, true])
    func linearRampIsForecastExactlyByTheTrendModel(fitted: Bool) throws {
        let y = (0 ..< 120).map { 3.0 + 0.25 * Double($0) }
        let model: HoltWinters
        if fitted {
            var f = try HoltWintersFitter(series: y, spec: .localLinearTrend)
            model = f.run().model
        } else {
            let initial = try HeuristicInitialization.initialState(y, spec: .localLinearTrend)
            var m = HoltWinters(spec: .localLinearTrend, parameters: .init(alpha: 0.4, beta: 0.1), initial: initial)
            _ = m.filter(y)
            model = m
        }
        for h in [1, 3, 60, 500] {
            let expected = 3.0 + 0.25 * Double(119 + h)
            #expect(abs(model.forecast(steps: h) - expected) < 1e-9 * expected, "h=\(h)")
        }
    }

    @Test func pureSineIsForecastByAdditiveHoltWinters() throws {
        let m = 24
        let y = (0 ..< m * 6).map { 10 + 4 * sin(2 * .pi * Double($0) / Double(m)) }
        var f = try HoltWintersFitter(series: y, spec: HoltWintersSpec(seasonal: .additive, period: m))
        let model = f.run().model
        for h in 1 ... m {
            let expected = 10 + 4 * sin(2 * .pi * Double(y.count - 1 + h) / Double(m))
            #expect(abs(model.forecast(steps: h) - expected) < 1e-3, "h=\(h)")
        }
    }

    @Test func seasonalNaiveRepeatsLastSeason() {
        var m = SeasonalNaive(period: 4)
        #expect(!m.isReady)
        for v in [1.0, 2, 3, 4, 5, 6, 7, 8] { m.update(v) }
        #expect(m.isReady)
        #expect((1 ... 9).map { m.forecast(steps: $0) } == [5, 6, 7, 8, 5, 6, 7, 8, 5])
        var n = SeasonalNaive.naive
        n.update(3); n.update(9)
        #expect(n.forecast(steps: 7) == 9)
    }

    @Test func exponentialLevelTracksTheMean() {
        var m = ExponentialLevel(alpha: 0.5)
        #expect(!m.isReady)
        m.update(4); m.update(8)
        #expect(m.forecast(steps: 3) == 6)
    }

    @Test func anyModelUpdatesLikeTheWrappedModel() throws {
        let y = (0 ..< 96).map { 5 + Double($0 % 12) }
        let spec = HoltWintersSpec(trend: true, seasonal: .multiplicative, period: 12)
        let initial = try HeuristicInitialization.initialState(y, spec: spec)
        var plain = HoltWinters(spec: spec, parameters: .init(alpha: 0.2, beta: 0.02, gamma: 0.1), initial: initial)
        var wrapped = AnyForecastModel.holtWinters(plain)
        for v in y { plain.update(v); wrapped.update(v) }
        #expect(wrapped == .holtWinters(plain))
        #expect(wrapped.name == "holt-winters(mul, trend, season 12)")
    }

    @Test func ringBufferKeepsTheNewestValues() {
        var r = RingBuffer(capacity: 3)
        for v in 1 ... 5 { r.append(Double(v)) }
        #expect(r.values == [3, 4, 5])
        #expect(r.count == 3 && r.isFull)
        #expect(r.fromEnd(0) == 5 && r.fromEnd(2) == 3 && r.fromEnd(3) == nil)
        #expect(r.suffix(2) == [4, 5])
        var out: [Double] = [0]
        r.appendUnordered(to: &out)
        #expect(out.count == 4 && out[0] == 0 && out.dropFirst().sorted() == [3, 4, 5])
    }
}

@Suite("bad input to models")
struct ModelInputTests {
    @Test func tooShortForHeuristic() {
        #expect(throws: ForecastError.insufficientData(needed: 10, got: 5)) {
            try HeuristicInitialization.initialState([1, 2, 3, 4, 5], spec: .level)
        }
    }

    @Test func fewerThanTwoSeasons() {
        let y = (0 ..< 30).map(Double.init)
        #expect(throws: ForecastError.insufficientData(needed: 48, got: 30)) {
            try HeuristicInitialization.initialState(y, spec: HoltWintersSpec(seasonal: .additive, period: 24))
        }
    }

    @Test func nonFiniteSeries() {
        var y = (0 ..< 30).map(Double.init)
        y[7] = .nan
        #expect(throws: ForecastError.nonFinite("series")) {
            try HoltWintersFitter(series: y, spec: .level)
        }
    }

    @Test func multiplicativeNeedsPositiveData() {
        let y = (0 ..< 48).map { Double($0 % 4) }
        #expect(throws: ForecastError.nonPositiveForMultiplicative) {
            try HeuristicInitialization.initialState(y, spec: HoltWintersSpec(seasonal: .multiplicative, period: 4))
        }
    }

    @Test func constantSeriesFitsWithoutNaN() throws {
        let y = [Double](repeating: 7, count: 200)
        for spec in [HoltWintersSpec.level, .localLinearTrend, HoltWintersSpec(trend: true, damped: true),
                     HoltWintersSpec(seasonal: .additive, period: 10), HoltWintersSpec(seasonal: .multiplicative, period: 10)] {
            var f = try HoltWintersFitter(series: y, spec: spec)
            let fit = f.run()
            #expect(fit.sse.isFinite)
            #expect(abs(fit.model.forecast(steps: 5) - 7) < 1e-9, "\(spec)")
        }
    }
}
