import ForescaleTestKit
import Foundation
import Testing
@testable import Forecast

@Suite("period detection")
struct PeriodDetectorTests {
    @Test(arguments: [12, 24, 60, 144])
    func pureSineRecoversPeriodAndAmplitude(period: Int) throws {
        let y = (0 ..< period * 10).map { 100 + 7.5 * sin(2 * .pi * Double($0) / Double(period) + 0.3) }
        let result = try PeriodDetector().detect(y)
        let found = try #require(result)
        #expect(found.period == period)
        #expect(abs(found.amplitude - 7.5) < 1e-6)
        #expect(found.strength > 0.8)
    }

    @Test func noisySineWithTrend() throws {
        var rng = SplitMix64(seed: 42)
        var y: [Double] = []
        for i in 0 ..< 1440 * 3 {
            let t = Double(i)
            let season: Double = 10 * sin(2 * Double.pi * t / 1440)
            y.append(50 + 0.01 * t + season + 5 * rng.normal())
        }
        let result = try PeriodDetector().detect(y)
        let found = try #require(result)
        #expect(abs(found.period - 1440) <= 15)
        #expect(abs(found.amplitude - 10) < 1)
    }

    @Test(arguments: [1 as UInt64, 2, 3, 4, 5, 6, 7, 8])
    func whiteNoiseHasNoPeriod(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let y = (0 ..< 2000).map { _ in 10 + rng.normal() }
        let result = try PeriodDetector().detect(y)
        #expect(result == nil)
    }

    @Test func realNASASliceHasADailyCycle() throws {
        let rows = try Fixtures.csv("nasa_http_10min")
        let result = try PeriodDetector().detect(rows.map(\.value))
        let found = try #require(result)
        #expect(abs(found.period - 144) <= 3)  // 144 ten-minute buckets = 1 day
    }

    @Test func degenerateInputs() throws {
        let constant = try PeriodDetector().detect([Double](repeating: 3, count: 500))
        #expect(constant == nil)
        let short = try PeriodDetector().detect([1, 2, 3])
        #expect(short == nil)
        #expect(throws: ForecastError.nonFinite("series")) { try PeriodDetector().detect([1, .nan] + [Double](repeating: 1, count: 30)) }
    }
}
