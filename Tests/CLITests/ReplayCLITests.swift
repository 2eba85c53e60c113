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
