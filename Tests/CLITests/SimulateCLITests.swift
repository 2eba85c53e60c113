import Foundation
import Testing

@Suite("forescale simulate")
struct SimulateCLITests {
    static let trace = "Examples/traces/worldcup98_1min_jun08-16.csv"

    @Test func printsTheTableWritesThePlotAndJSON() async throws {
        let plot = FileManager.default.temporaryDirectory.appendingPathComponent("simulate-\(getpid()).svg")
        defer { try? FileManager.default.removeItem(at: plot) }
        let table = try await CLI.run("simulate", "--trace", Self.trace, "--days", "0.25", "--plot", plot.path)
        #expect(table.status == 0, "\(table.stderr)")
        for row in ["forescale", "best-tuned reactive", "hpa@0.70", "clairvoyant (sees the future)", "keda@0.50", "keda@0.95"] {
            #expect(table.stdout.contains(row), "missing \(row)")
        }
        let svg = try String(contentsOf: plot, encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("time (UTC)"))

        let json = try await CLI.run("simulate", "--trace", Self.trace, "--days", "0.25", "--json")
        #expect(json.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((object?["keda"] as? [Any])?.count == 10)
        #expect((object?["forescale"] as? [String: Any])?["replicaHours"] is Double)
    }

    @Test("--outage makes every metric read fail for a while: Forescale holds, then falls back, and the table and plot say so")
    func anOutageShowsTheFallback() async throws {
        let plot = FileManager.default.temporaryDirectory.appendingPathComponent("simulate-outage-\(getpid()).svg")
        defer { try? FileManager.default.removeItem(at: plot) }
        let table = try await CLI.run("simulate", "--trace", Self.trace, "--days", "0.25", "--outage", "3h:10m", "--plot", plot.path)
        #expect(table.status == 0, "\(table.stderr)")
        let line = table.stdout.split(separator: "\n").first { $0.contains("metric outage at 3.00 h for 600 s") }
        #expect(line != nil, "\(table.stdout)")
        // 40 ticks of 15 s: the first two hold, the third failed tick in a row (fallback.after: 3) starts the fallback.
        #expect(line?.contains("Forescale in fallback for 38 scored ticks") == true, "\(line ?? "")")
        #expect(try String(contentsOf: plot, encoding: .utf8).contains("fallback: metrics unreadable, count held"))

        let json = try await CLI.run("simulate", "--trace", Self.trace, "--days", "0.25", "--outage", "3h:10m", "--json")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((object?["forescale"] as? [String: Any])?["fallbackTicks"] as? Int == 38)
        #expect(((object?["outages"] as? [[String: Any]])?.first)?["durationSeconds"] as? Int == 600)

        let bad = try await CLI.run("simulate", "--trace", Self.trace, "--outage", "soon")
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--outage: expected START:DURATION such as 3d:10m, got 'soon'"), "\(bad.stderr)")
    }

    @Test func aBadTraceIsNamedWithItsLine() async throws {
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("bad-trace-\(getpid()).csv")
        try "timestamp,value\n0,1\n60,oops\n".write(to: bad, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: bad) }
        let output = try await CLI.run("simulate", "--trace", bad.path)
        #expect(output.status != 0)
        #expect(output.stderr.contains("\(bad.path):3: expected 'timestamp,value'"), "\(output.stderr)")
    }
}
