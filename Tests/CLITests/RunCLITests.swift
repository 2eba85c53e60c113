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

    /// `forescale demo | tee demo.log`, `docker logs`, `kubectl logs`: standard output is a pipe, and
    /// the dashboard's address must arrive while the demo runs, not when it exits. The test reads
    /// the pipe until the address line and then connects to that address: the demo still serves it
    /// (with the C library's default 4 KiB buffer, the line only arrives at exit, when nothing
    /// listens any more). No timer: it waits on the pipe.
    @Test("piped, the demo's address arrives while it runs")
    func pipedOutputIsLineBuffered() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("forescale-demo-pipe-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let process = Process()
        process.executableURL = try CLI.binary()
        process.arguments = ["demo", "--days", "0.5", "--speed", "1800", "--listen", "127.0.0.1:0", "--directory", dir.path]
        process.currentDirectoryURL = CLI.repositoryRoot
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            if process.isRunning { process.interrupt() }
            process.waitUntilExit()
        }
        let marker = "Dashboard and status API: http://127.0.0.1:"
        let (text, listening) = await withCheckedContinuation { (continuation: CheckedContinuation<(String, Bool), Never>) in
            Thread {
                var text = ""
                while !text.contains(marker) {
                    let chunk = out.fileHandleForReading.availableData
                    if chunk.isEmpty { break }  // end of file: the process exited
                    text += String(decoding: chunk, as: UTF8.self)
                }
                let port = text.components(separatedBy: marker).dropFirst().first.flatMap { Int($0.prefix { $0.isNumber }) }
                continuation.resume(returning: (text, port.map(Self.accepts) ?? false))
            }.start()
        }
        #expect(text.contains(marker), "\(text)")
        #expect(listening, "the address arrived after the demo stopped serving it: standard output is block-buffered in a pipe")
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port` now.
    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0
    }

    @Test("a bad speed is refused before anything starts")
    func badSpeed() async throws {
        let output = try await CLI.run("demo", "--speed", "5")
        #expect(output.status != 0)
        #expect(output.stderr.contains("--speed must be 60–3600"), "\(output.stderr)")
    }
}
