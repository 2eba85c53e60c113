import ForescaleTestKit
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Planner
import Testing
@testable import Simulation

@Suite("Comparison and plot")
struct ComparisonTests {
    /// Twelve hours of a sine with a 6-hour period and noise, one row a minute.
    static func sineTrace() throws -> Trace {
        var rng = SplitMix64(seed: 11)
        var csv = "timestamp,value\n"
        for minute in 0..<720 {
            let phase = Double(minute % 360) / 360 * 2 * Double.pi
            let count = 600 + 400 * sin(phase) + Double.random(in: -50...50, using: &rng)
            csv += "\(1_000_000 + minute * 60),\(Int(count))\n"
        }
        return try Trace.parse(csv: csv, name: "daily")
    }

    /// One comparison shared by the tests (it runs thirteen simulations), with Forescale's ticks.
    /// Computed on a thread of its own: seconds of CPU on Swift's cooperative pool (one thread per
    /// core) would stall every other test meanwhile.
    static func shared() async -> (comparison: Comparison, ticks: [TickRecord]) {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: computed) }.start()
        }
    }

    private static let computed: (comparison: Comparison, ticks: [TickRecord]) = {
        var scenario = Scenario()
        scenario.spanSeconds = nil
        var ticks: [TickRecord] = []
        let comparison = Comparison.run(trace: try! sineTrace(), scenario: scenario, record: { policy, tick in
            if policy == "forescale" { ticks.append(tick) }
        })
        return (comparison, ticks)
    }()

    @Test func everyPolicyIsScoredOnTheSameWindow() async throws {
        let comparison = await Self.shared().comparison
        #expect(comparison.keda.map(\.policy) == Comparison.sweep.map { "keda@" + KEDAController.format($0) })
        #expect(comparison.keda.count == 10)
        let all = comparison.keda + [comparison.forescale, comparison.hpa, comparison.clairvoyant]
        #expect(Set(all.map(\.floorReplicaHours)).count == 1, "one floor for all")
        #expect(all.allSatisfy { $0.scoredSeconds == comparison.simulatedSeconds - comparison.warmupSeconds })
        #expect(all.allSatisfy { $0.replicaHours >= $0.floorReplicaHours * 0.999 }, "nobody beats the work-conserving floor")
        // A higher target utilisation is cheaper across the sweep on a smooth trace.
        let costs = comparison.keda.map(\.replicaHours)
        #expect(costs.first! > costs.last!)
        // On this smooth trace some KEDA setting is as punctual as Forescale: the best-tuned one exists.
        let best = try #require(comparison.bestTunedReactive)
        #expect(best.latePercent <= comparison.forescale.latePercent + 1e-9)
        #expect(comparison.keda.filter { $0.latePercent <= comparison.forescale.latePercent + 1e-9 }.allSatisfy { $0.replicaHours >= best.replicaHours })
        // The forecasts the planner had after the warm-up are scored at their horizon.
        let forecast = try #require(comparison.forecast)
        #expect(forecast.scored > 100)
        #expect(forecast.upperCoverage > 0.5 && forecast.upperCoverage <= 1)
        #expect(forecast.meanHorizonSeconds >= Double(Scenario().startupSeconds + Scenario().tickSeconds))
    }

    @Test func plotIsWellFormedWithAxesLegendAndData() async throws {
        let (comparison, ticks) = await Self.shared()
        #expect(ticks.contains { $0.forecast != nil }, "the forecaster must have warmed up for the band")
        let svg = Plot.svg(comparison: comparison, ticks: ticks)
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "not well-formed XML: \(String(describing: parser.parserError))")
        for label in ["arrival rate (msg/s)", "forecast p50 to upper quantile (msg/s)", "capacity of ready replicas (msg/s)",
                      "desired replicas (right axis)", "messages / s", "replicas", "time (UTC)", "late % (waited &gt; SLO)",
                      "cost (replica-hours ÷ work-conserving floor)", "KEDA at target utilisation U"] {
            #expect(svg.contains(label), "missing \(label)")
        }
        #expect(svg.components(separatedBy: "<polyline").count - 1 >= 4)
        #expect(svg.contains("<polygon"), "the forecast band")
        #expect(svg.components(separatedBy: "<circle").count - 1 == comparison.keda.count + 2)
    }

    @Test func calendarLabels() {
        #expect(Calendar.label(896_659_200, withTime: false) == "06-01")
        #expect(Calendar.label(896_659_200 + 3600 * 13 + 60 * 5, withTime: true) == "06-01 13:05")
        #expect(Calendar.label(0, withTime: false) == "01-01")
        #expect(Calendar.label(951_782_400, withTime: false) == "02-29")
    }
}
