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

    @Test func aBadTraceIsNamedWithItsLine() async throws {
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("bad-trace-\(getpid()).csv")
        try "timestamp,value\n0,1\n60,oops\n".write(to: bad, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: bad) }
        let output = try await CLI.run("simulate", "--trace", bad.path)
        #expect(output.status != 0)
        #expect(output.stderr.contains("\(bad.path):3: expected 'timestamp,value'"), "\(output.stderr)")
    }
}
