@testable import Controller
import Testing

@Suite("Bounded concurrency")
struct BoundedConcurrencyTests {
    actor Gauge {
        var running = 0
        var peak = 0
        func enter() { running += 1; peak = max(peak, running) }
        func leave() { running -= 1 }
    }

    @Test(arguments: [1, 3, 50])
    func resultsKeepTheOrderAndTheBoundHolds(limit: Int) async {
        let gauge = Gauge()
        let results = await boundedConcurrentMap(Array(0 ..< 20), limit: limit) { item in
            await gauge.enter()
            for _ in 0 ..< 5 { await Task.yield() }
            await gauge.leave()
            return item * item
        }
        #expect(results == (0 ..< 20).map { $0 * $0 })
        let peak = await gauge.peak
        #expect(peak <= limit && peak >= 1, "peak \(peak)")
    }

    @Test func aLimitBelowOneRunsOneAtATime() async {
        let gauge = Gauge()
        _ = await boundedConcurrentMap(Array(0 ..< 5), limit: 0) { _ in
            await gauge.enter()
            await Task.yield()
            await gauge.leave()
        }
        #expect(await gauge.peak == 1)
    }
}
