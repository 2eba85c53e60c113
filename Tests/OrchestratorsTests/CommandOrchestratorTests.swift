import Foundation
@testable import Orchestrators
import Testing

@Suite("Command adapter")
struct CommandOrchestratorTests {
    /// `get` prints the count kept in a state file; `set` writes its single argument there and logs argv.
    static func scripts(in folder: URL, initial: String = "2") throws -> (get: String, set: String) {
        let state = folder.appendingPathComponent("replicas").path
        try write(initial, to: URL(fileURLWithPath: state))
        let get = folder.appendingPathComponent("get.sh")
        try write("#!/bin/sh\ncat \"\(state)\"\n", to: get, executable: true)
        let set = folder.appendingPathComponent("set.sh")
        try write("#!/bin/sh\nprintf '%s\\n' \"$@\" > \"\(folder.path)/argv\"\nprintf '%s' \"$2\" > \"\(state)\"\n", to: set, executable: true)
        return (get.path, set.path)
    }

    @Test func readsAndSetsThroughPrograms() async throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (get, set) = try Self.scripts(in: folder)
        let orchestrator = try CommandOrchestrator(settings: CommandSettings(get: [get], set: [set, "--replicas", "{replicas}", "literal {replicas} kept"]))
        #expect(try await orchestrator.currentScale().desiredReplicas == 2)
        #expect(try await orchestrator.apply(replicas: 5, decision: nil) == .scaled(from: 2, to: 5))
        #expect(try await orchestrator.currentScale().desiredReplicas == 5)
        let argv = try String(contentsOf: folder.appendingPathComponent("argv"), encoding: .utf8)
        #expect(argv == "--replicas\n5\nliteral {replicas} kept\n")  // only an exact element is replaced, no shell
        #expect(try await orchestrator.apply(replicas: 5, decision: nil) == .unchanged(replicas: 5))
    }

    @Test func desiredAndReady() async throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (get, set) = try Self.scripts(in: folder, initial: "4 3\n")
        let scale = try await CommandOrchestrator(settings: CommandSettings(get: [get], set: [set, "x", "{replicas}"])).currentScale()
        #expect(scale.desiredReplicas == 4 && scale.readyReplicas == 3)
    }

    struct Failure: Sendable, CustomTestStringConvertible {
        var name: String
        var getScript: String
        var kind: OrchestratorError.Kind
        var mentions: String
        var testDescription: String { name }
    }

    static let failures: [Failure] = [
        Failure(
            name: "non-zero exit", getScript: "echo 'no such deployment' >&2; exit 3", kind: .commandFailed,
            mentions: "exited with status 3; stderr: \"no such deployment\""),
        Failure(name: "not an integer", getScript: "echo three", kind: .decode, mentions: "printed \"three\""),
        Failure(name: "negative", getScript: "echo -1", kind: .decode, mentions: "non-negative integer"),
        Failure(name: "too many fields", getScript: "echo 1 2 3", kind: .decode, mentions: "expected"),
        Failure(name: "killed", getScript: "kill -9 $$", kind: .commandFailed, mentions: "killed by signal 9"),
        Failure(name: "timeout", getScript: "trap '' TERM; sleep 30", kind: .timeout, mentions: "did not finish within 0.3 s"),
    ]

    @Test(arguments: failures)
    func clearErrors(_ failure: Failure) async throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let get = folder.appendingPathComponent("get.sh")
        try write("#!/bin/sh\n\(failure.getScript)\n", to: get, executable: true)
        let orchestrator = try CommandOrchestrator(
            settings: CommandSettings(get: [get.path], set: ["/bin/true", "{replicas}"], timeoutSeconds: 0.3, killGraceSeconds: 0.2))
        let started = Date()
        let error = try await #require(throws: OrchestratorError.self) { try await orchestrator.currentScale() }
        #expect(error.kind == failure.kind)
        #expect(error.message.contains(failure.mentions), "\(error.message)")
        // Bounded by the 0.3 s timeout, not by the 30 s the stubborn script sleeps (generous for busy machines).
        #expect(Date().timeIntervalSince(started) < 15)
    }

    @Test func setFailureIsReported() async throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (get, _) = try Self.scripts(in: folder)
        let orchestrator = try CommandOrchestrator(settings: CommandSettings(get: [get], set: ["/bin/false", "{replicas}"]))
        let error = try await #require(throws: OrchestratorError.self) { try await orchestrator.apply(replicas: 9, decision: nil) }
        #expect(error.kind == .commandFailed)
        #expect(error.message.contains("/bin/false 9"))
    }

    @Test func configurationIsChecked() async throws {
        #expect(throws: OrchestratorError.self) { try CommandOrchestrator(settings: CommandSettings(get: [], set: ["x", "{replicas}"])) }
        #expect(throws: OrchestratorError.self) { try CommandOrchestrator(settings: CommandSettings(get: ["x"], set: ["scale", "--to={replicas}"])) }
        let missing = try CommandOrchestrator(settings: CommandSettings(get: ["no-such-program-forescale"], set: ["x", "{replicas}"]))
        let error = try await #require(throws: OrchestratorError.self) { try await missing.currentScale() }
        #expect(error.kind == .config)
        #expect(error.message.contains("not found on PATH"))
    }
}
