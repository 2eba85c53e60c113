import Foundation
import Testing

/// `forescale run` start-up failures: each names the key and exits 2, and touches nothing.
@Suite("forescale run start-up")
struct RunCLITests {
    static func config(log: String, token: String? = nil) -> String {
        """
        controller:
          decisionLog: { path: '\(log)' }
        \(token.map { "  status: { tokenFile: '\($0)' }" } ?? "")
        sources:
          prom: { type: prometheus, url: 'http://127.0.0.1:9' }
        orchestrators:
          sh: { type: command }
        targets:
          - name: orders
            scale: { orchestrator: sh, get: [echo, '2'], set: ['true', '{replicas}'] }
            replicas: { min: 1, max: 5 }
            metrics:
              lag: { source: prom, query: 'vector(0)' }
              arrivalRate: { source: prom, query: 'vector(10)' }
              throughput: { source: prom, query: 'vector(10)' }
        """
    }

    static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("forescale-runcli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("a decision log that is not a database fails start-up naming the key, and is left as it was")
    func notADatabase() async throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("decisions.sqlite")
        let bytes = Data("this is not sqlite, it is somebody's notes\n".utf8)
        try bytes.write(to: log)
        let config = dir.appendingPathComponent("f.yaml")
        try Self.config(log: log.path).write(to: config, atomically: true, encoding: .utf8)
        let output = try await CLI.run("run", "--config", config.path, "--once")
        #expect(output.status == 2)
        #expect(output.stderr.contains("controller.decisionLog.path:"), "\(output.stderr)")
        #expect(output.stderr.contains(log.path), "\(output.stderr)")
        #expect(try Data(contentsOf: log) == bytes)
    }

    @Test("an unwritable decision log location fails start-up naming the key")
    func unwritable() async throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        let config = dir.appendingPathComponent("f.yaml")
        try Self.config(log: file.path + "/decisions.sqlite").write(to: config, atomically: true, encoding: .utf8)
        let output = try await CLI.run("run", "--config", config.path, "--once")
        #expect(output.status == 2)
        #expect(output.stderr.contains("controller.decisionLog.path:"), "\(output.stderr)")
    }

    @Test("a missing token file fails start-up naming the key")
    func missingToken() async throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("f.yaml")
        try Self.config(log: dir.appendingPathComponent("d.sqlite").path, token: dir.appendingPathComponent("nope").path)
            .write(to: config, atomically: true, encoding: .utf8)
        let output = try await CLI.run("run", "--config", config.path, "--once")
        #expect(output.status == 2)
        #expect(output.stderr.contains("controller.status.tokenFile: token file"), "\(output.stderr)")
        #expect(output.stderr.contains("does not exist"), "\(output.stderr)")
    }

    @Test("--once with a metric source that is down: the target holds (exit 0), the failure is in the decision")
    func onceWithSourceDown() async throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("f.yaml")
        try Self.config(log: dir.appendingPathComponent("d.sqlite").path).write(to: config, atomically: true, encoding: .utf8)
        let output = try await CLI.run("run", "--config", config.path, "--once", "--no-backfill")
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.hasPrefix("orders [shadow] 2→2: shadow: no change — hold 2"), "\(output.stdout)")
        #expect(output.stdout.contains("a metric could not be read: holding 2"), "\(output.stdout)")
    }
}

@Suite("forescale demo")
struct DemoCLITests {
    @Test("a short demo runs the controller in shadow then live and ends with the scorecard")
    func shortDemo() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("forescale-demo-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = try await CLI.run(
            ["demo", "--days", "0.2", "--speed", "3600", "--listen", "127.0.0.1:0", "--directory", dir.path], stdinFile: nil)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("Dashboard and status API: http://127.0.0.1:"), "\(output.stdout)")
        #expect(output.stdout.contains("Forescale is live; the reactive autoscaler is retired"), "\(output.stdout)")
        #expect(output.stdout.contains("Scorecard — worldcup-consumer"), "\(output.stdout)")
        let planned = output.stdout.split(separator: "\n").first { $0.hasPrefix("replica-hours Forescale asked") }
        #expect(planned != nil)
        // The decision log was written where asked.
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("decisions.sqlite").path))
    }

    @Test("a bad speed is refused before anything starts")
    func badSpeed() async throws {
        let output = try await CLI.run("demo", "--speed", "5")
        #expect(output.status != 0)
        #expect(output.stderr.contains("--speed must be 60–3600"), "\(output.stderr)")
    }
}
