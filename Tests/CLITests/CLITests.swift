import Foundation
import Testing

/// Runs the built `forescale` binary, which SwiftPM puts beside the test bundle.
enum CLI {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Where the binary may be: beside the test bundle or the test runner.
    static var candidates: [URL] {
        var folders = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        if let first = CommandLine.arguments.first {
            folders.append(URL(fileURLWithPath: first).deletingLastPathComponent())
        }
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            folders.append(bundle.bundleURL.deletingLastPathComponent())
        }
        return folders.map { $0.appendingPathComponent("forescale") }
    }

    static func binary() throws -> URL {
        let found = candidates.first { url in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
                && FileManager.default.isExecutableFile(atPath: url.path)
        }
        guard let found else {
            throw CLIError(
                "the forescale binary was not found beside the tests; looked at: \(candidates.map(\.path).joined(separator: ", ")). Run `swift build` first.")
        }
        return found
    }

    static func run(_ arguments: String...) async throws -> Output {
        try await run(arguments, stdinFile: nil)
    }

    /// Runs the binary on a thread of its own and waits without holding a thread of Swift's
    /// cooperative pool (it has one per core: a test blocking it would stall every other test).
    static func run(_ arguments: [String], stdinFile: String?) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try runBlocking(arguments, stdinFile: stdinFile) })
            }.start()
        }
    }

    /// Runs with `stdinFile` (a path relative to the repository, or absolute) as standard input.
    private static func runBlocking(_ arguments: [String], stdinFile: String?) throws -> Output {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        if let stdinFile {
            let url = stdinFile.hasPrefix("/") ? URL(fileURLWithPath: stdinFile) : repositoryRoot.appendingPathComponent(stdinFile)
            process.standardInput = try FileHandle(forReadingFrom: url)
        }
        process.currentDirectoryURL = repositoryRoot
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes to the end before waiting, so a full pipe cannot block the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

@Suite("The forescale binary")
struct CLITests {
    @Test("validate on the Kafka example exits 0 with the summary on stdout")
    func validateExample() async throws {
        let output = try await CLI.run("validate", "Examples/kafka-burrow.yaml")
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stderr.isEmpty)
        #expect(output.stdout.hasPrefix("Examples/kafka-burrow.yaml: valid — 1 target, controller mode shadow, interval 15s"))
        #expect(output.stdout.contains("target orders-consumer"))
        #expect(output.stdout.contains("Deployment shop/orders-consumer via k8s (kubernetes)"))
    }

    @Test("validate on three mistakes exits 2 with three problem lines and a count on stderr")
    func validateThreeMistakes() async throws {
        let fixture = "Tests/ConfigTests/Fixtures/three-mistakes.yaml"
        let output = try await CLI.run("validate", fixture)
        #expect(output.status == 2)
        #expect(output.stdout.isEmpty)
        let lines = output.stderr.split(separator: "\n").map(String.init)
        #expect(lines == [
            "\(fixture):4:13: controller.interval: not a duration: '15 seconds' (write a number and a unit: 500ms, 15s, 2m, 1h, 1d)",
            "\(fixture):28:12: targets[0].replicas.max: must be ≥ min (2), got 1",
            "\(fixture):31:17: targets[0].metrics.lag.source: unknown source 'burow' (did you mean 'burrow'?; defined: burrow, prom)",
            "3 problems in \(fixture)",
        ])
    }

    @Test("validate on a YAML syntax error exits 2 naming line and column")
    func validateSyntaxError() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("forescale-syntax-\(UUID().uuidString).yaml")
        try "controller:\n  interval: 15s\n   mode: live\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let output = try await CLI.run("validate", file.path)
        #expect(output.status == 2)
        #expect(output.stderr.hasPrefix("\(file.path):3:8: YAML syntax error: "), "\(output.stderr)")
        #expect(output.stderr.contains("1 problem in \(file.path)"))
    }

    @Test("validate on a missing file exits 2 with a clear message")
    func validateMissingFile() async throws {
        let output = try await CLI.run("validate", "/nonexistent/forescale.yaml")
        #expect(output.status == 2)
        #expect(output.stderr.contains("/nonexistent/forescale.yaml: no such file"))
    }

    @Test("version prints the version")
    func version() async throws {
        let output = try await CLI.run("version")
        #expect(output.status == 0)
        let lines = output.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && lines[1].isEmpty, "one line expected: \(output.stdout)")
        #expect(lines[0].hasPrefix("forescale ") && lines[0].count > "forescale ".count, "\(output.stdout)")
    }

    @Test("bench memory warms the forecasters and prints the resident set per target; a bad count names the option")
    func benchMemory() async throws {
        let output = try await CLI.run("bench", "memory", "--targets", "2", "--days", "0.1")
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("targets 2, 576 ticks each (0.1 days at 15 s)"), "\(output.stdout)")
        #expect(output.stdout.contains("resident before ") && output.stdout.contains("per warm target "), "\(output.stdout)")
        let bad = try await CLI.run("bench", "memory", "--targets", "0")
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--targets: must be 1–10000, got 0"), "\(bad.stderr)")
    }
}
