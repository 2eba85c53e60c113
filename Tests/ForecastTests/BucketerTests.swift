import Testing
@testable import Forecast

@Suite("bucketer")
struct BucketerTests {
    @Test func averagesTicksIntoMinuteBuckets() throws {
        var b = try Bucketer(width: 60)
        var out: [Bucket] = []
        for (t, r) in [(0.0, 1.0), (15, 2), (30, 3), (45, 4), (60, 10), (75, 20)] {
            out += try b.add(time: t, rate: r)
        }
        #expect(out == [Bucket(start: 0, value: 2.5, imputed: false)])
        #expect(b.openBucketStart == 60)
    }

    @Test func gapsAreCarriedForwardAndFlagged() throws {
        var b = try Bucketer(width: 60)
        _ = try b.add(time: 10, rate: 4)
        let out = try b.add(time: 200, rate: 8)
        #expect(out.map(\.start) == [0, 60, 120])
        #expect(out.map(\.value) == [4, 4, 4])
        #expect(out.map(\.imputed) == [false, true, true])
    }

    @Test func overlongGapIsCapped() throws {
        var b = try Bucketer(width: 60, maxEmittedGap: 2)
        _ = try b.add(time: 0, rate: 1)
        let out = try b.add(time: 600, rate: 1)
        #expect(out.map(\.start) == [0, 480, 540])
        #expect(b.skippedBuckets == 7)
    }

    @Test(arguments: [
        (Double.nan, 1.0, ForecastError.nonFinite("time")),
        (100, .infinity, .nonFinite("rate")),
        (100, .nan, .nonFinite("rate")),
        (100, -1, .negative("rate -1.0 at 100.0")),
        (30, 1, .outOfOrder(time: 30, lastBucketStart: 60)),
    ])
    func badInputThrowsAndKeepsState(time: Double, rate: Double, error: ForecastError) throws {
        var b = try Bucketer(width: 60)
        _ = try b.add(time: 70, rate: 5)
        let before = b
        #expect(throws: error) { try b.add(time: time, rate: rate) }
        #expect(b == before)
    }

    @Test func invalidWidth() {
        #expect(throws: ForecastError.self) { try Bucketer(width: 0) }
    }
}
