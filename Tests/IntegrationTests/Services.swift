import AsyncHTTPClient
import Foundation
import MetricSources
import NIOCore
import Testing

/// The real servers of `scripts/services/start.sh`, their URLs (overridable through the environment)
/// and the rule for a missing one: skipped with a note on a developer machine, a failure when CI=true.
enum Service: String, Sendable {
    case prometheus, nats, rabbitmq, redis

    var url: String {
        switch self {
        case .prometheus: env("FORESCALE_PROMETHEUS_URL", "http://127.0.0.1:9090")
        case .nats: env("FORESCALE_NATS_MONITOR_URL", "http://127.0.0.1:8222")
        case .rabbitmq: env("FORESCALE_RABBITMQ_URL", "http://127.0.0.1:15672")
        case .redis: env("FORESCALE_REDIS_EXPORTER_URL", "http://127.0.0.1:9121")
        }
    }

    /// Where reachability is checked.
    var probePath: String {
        switch self {
        case .prometheus: "/-/ready"
        case .nats: "/healthz"
        case .rabbitmq: "/api/overview"
        case .redis: "/metrics"
        }
    }

    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    func reachable() async -> Bool {
        var request = HTTPClientRequest(url: url + probePath)
        if self == .rabbitmq {
            request.headers.add(name: "Authorization", value: "Basic " + Data("guest:guest".utf8).base64EncodedString())
        }
        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)) else { return false }
        _ = try? await response.body.collect(upTo: 1 << 20)
        return (200..<300).contains(response.status.code)
    }

    /// The trait condition: run when reachable, and always under CI (where `require` then fails).
    @Sendable func shouldRun() async -> Bool {
        if Self.isCI { return true }
        return await reachable()
    }

    /// Fails the test (under CI) with the server's name when it cannot be reached.
    func require() async throws {
        let ok = await reachable()
        try #require(
            ok, "\(rawValue) is not reachable at \(url): start it with scripts/services/start.sh (CI=\(Self.isCI))")
    }

    var skipNote: Comment {
        "\(rawValue) not reachable at \(url): skipped (run scripts/services/start.sh; under CI=true this fails)"
    }
}

private func env(_ name: String, _ fallback: String) -> String {
    ProcessInfo.processInfo.environment[name] ?? fallback
}

/// The repository root, from this file's path.
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// Runs a helper to completion and returns its standard output.
func run(_ executable: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw HelperError(message: "\(executable) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
    }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

func python(_ script: String, _ arguments: [String]) throws -> String {
    try run("/usr/bin/env", ["python3", repoRoot.appendingPathComponent("scripts/services/producers/\(script)").path] + arguments)
}

struct HelperError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Reads until `accept` holds or `seconds` pass, returning the last reading: real servers publish
/// their numbers on their own schedule (Prometheus scrapes each second, RabbitMQ every 5 s).
func poll(
    seconds: Double, every interval: Duration = .milliseconds(250), _ read: () async -> MetricReading,
    until accept: (MetricReading) -> Bool
) async throws -> MetricReading {
    let end = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
    var reading = await read()
    while !accept(reading) && ContinuousClock.now < end {
        try await Task.sleep(for: interval)
        reading = await read()
    }
    return reading
}

func deadline(seconds: Int64 = 5) -> NIODeadline { .now() + .seconds(seconds) }

func uniqueName(_ prefix: String) -> String {
    "\(prefix)\(UInt32.random(in: 0...UInt32.max))"
}

/// All real-server suites, one after another: the servers and the helper processes are shared,
/// and the helpers block a thread while they run.
@Suite("Real servers", .serialized)
struct RealServers {}
