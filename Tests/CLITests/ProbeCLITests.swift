import Foundation
import Testing

@Suite("forescale probe")
struct ProbeCLITests {
    /// A config whose source listens nowhere and whose scale is read by a real command.
    static func config(in folder: URL) throws -> URL {
        let script = folder.appendingPathComponent("current.sh")
        try "#!/bin/sh\necho 3\n".write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let yaml = """
            sources:
              prom: { type: prometheus, url: "http://127.0.0.1:9", timeout: 2s }
            orchestrators:
              cmd: { type: command, timeout: 5s }
            targets:
              - name: worker
                scale: { orchestrator: cmd, get: ["\(script.path)"], set: ["/bin/true", "{replicas}"] }
                replicas: { max: 10 }
                metrics:
                  lag: { source: prom, query: 'sum(lag)' }
                  arrivalRate: { source: prom, query: 'sum(rate(in[1m]))' }
                capacity: { perReplica: 100 }
            """
        let file = folder.appendingPathComponent("probe.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test func failedValuesAreReportedAndTheScaleIsRead() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = try Self.config(in: folder)

        let text = try await CLI.run("probe", config.path, "--timeout", "3")
        #expect(text.status == 1, "a failed value must fail the probe: \(text.stdout) \(text.stderr)")
        #expect(text.stdout.contains("worker  lag          prom    failed(connection)"), "\(text.stdout)")
        #expect(text.stdout.contains("scale worker:"), "\(text.stdout)")
        #expect(text.stdout.contains("desired 3"), "\(text.stdout)")

        let json = try await CLI.run("probe", config.path, "--timeout", "3", "--json")
        #expect(json.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let values = object?["values"] as? [[String: Any]]
        #expect(values?.count == 2)
        #expect(values?.allSatisfy { $0["outcome"] as? String == "failed" && $0["value"] == nil } == true, "a failure is never a number")
        let scales = object?["scales"] as? [[String: Any]]
        #expect(scales?.first?["desiredReplicas"] as? Int == 3)
    }

    @Test func unknownTargetAndBadConfigExitTwo() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("probe2-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = try Self.config(in: folder)
        let unknown = try await CLI.run("probe", config.path, "--target", "nope")
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no target named 'nope'"))
        let invalid = try await CLI.run("probe", "Tests/ConfigTests/Fixtures/three-mistakes.yaml")
        #expect(invalid.status == 2)
        #expect(invalid.stderr.contains("3 problems"))
    }
}
