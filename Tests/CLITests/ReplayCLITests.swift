import Foundation
import Testing

@Suite("forescale replay")
struct ReplayCLITests {
    static let recorded = "Examples/traces/replay-observations.jsonl"

    @Test func recordedObservationsGiveByteIdenticalAnswersTwice() async throws {
        let first = try await CLI.run(["replay"], stdinFile: Self.recorded)
        let second = try await CLI.run(["replay"], stdinFile: Self.recorded)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.isEmpty)
        let input = try String(contentsOf: CLI.repositoryRoot.appendingPathComponent(Self.recorded), encoding: .utf8)
        let observations = input.split(separator: "\n").count - 1
        #expect(first.stdout.split(separator: "\n").count == observations)
        #expect(first.stdout == second.stdout)
    }

    /// What the live loop does when the lag cannot be read for 10 minutes, `forescale replay` does
    /// too: hold for the first failed ticks, then the fallback, never a scale-down, then back.
    @Test("a 10-minute outage of the lag metric: hold, then fallback, no scale-down, then normal again")
    func lagOutageHoldsThenFallsBack() async throws {
        var lines = [
            #"{"type":"init","tickSeconds":15,"targets":[{"name":"a","maxReplicas":50,"capacityPerReplica":50,"startupSeconds":60,"fallbackAfter":3}]}"#
        ]
        let outage = 40..<80
        for tick in 0..<120 {
            let t = 1_800_000_000 + 15 * tick
            let lag = outage.contains(tick) ? #"{"error":"timeout","message":"no answer in 5 s"}"# : #"{"value":\#(tick < 40 ? 3000 : 50),"ageSeconds":20}"#
            // The rate falls during the outage: a plan on it alone would scale down.
            let rate = tick < 40 ? 600 : 100
            lines.append(#"{"type":"observation","target":"a","t":\#(t),"lag":\#(lag),"arrivalRate":\#(rate),"readyReplicas":12,"desiredReplicas":12}"#)
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("replay-outage-\(getpid()).jsonl")
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let output = try await CLI.run(["replay"], stdinFile: file.path)
        #expect(output.status == 0, "\(output.stderr)")
        let answers = try output.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(answers.count == 120)
        let safety = answers.map { $0["safety"] as? String ?? "?" }
        #expect(Array(safety[40..<43]) == ["holding", "holding", "fallback"])
        #expect(safety[43..<80].allSatisfy { $0 == "fallback" })
        for tick in outage { #expect((answers[tick]["desiredReplicas"] as? Int ?? 0) >= 12, "tick \(tick) scaled down in the outage") }
        #expect((answers[41]["reason"] as? String)?.contains("a metric could not be read: holding 12") == true)
        #expect((answers[50]["reason"] as? String)?.contains("fallback after") == true)
        #expect(safety[80] != "fallback", "the fallback ends once the lag is read again")
    }

    @Test func malformedLine17IsNamedOnStderrAndExitsNonZero() async throws {
        let input = try String(contentsOf: CLI.repositoryRoot.appendingPathComponent(Self.recorded), encoding: .utf8)
        var lines = input.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[16] = lines[16].replacingOccurrences(of: #""desiredReplicas":"#, with: #""desiredReplicas":-"#)
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("replay-broken-\(getpid()).jsonl")
        try lines.joined(separator: "\n").write(to: broken, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: broken) }
        let output = try await CLI.run(["replay"], stdinFile: broken.path)
        #expect(output.status != 0)
        #expect(output.stderr.hasPrefix("line 17: desiredReplicas: must be ≥ 0, got -"), "\(output.stderr)")
        // Every line before the bad one was answered, and nothing after it.
        #expect(output.stdout.split(separator: "\n").count == 15)
    }
}
