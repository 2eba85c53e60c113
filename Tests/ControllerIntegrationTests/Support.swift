import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// The repository root, from this file's path.
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

var prometheusURL: String { ProcessInfo.processInfo.environment["FORESCALE_PROMETHEUS_URL"] ?? "http://127.0.0.1:9090" }

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The built `forescale` binary, beside the test bundle.
func forescaleBinary() throws -> URL {
    var folders = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
    if let first = CommandLine.arguments.first { folders.append(URL(fileURLWithPath: first).deletingLastPathComponent()) }
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
        folders.append(bundle.bundleURL.deletingLastPathComponent())
    }
    let candidates = folders.map { $0.appendingPathComponent("forescale") }
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw TestFailure("the forescale binary was not found beside the tests (\(candidates.map(\.path))); run swift build first")
    }
    return found
}

/// A child process whose standard output is collected line by line on a thread of its own.
final class LineBuffer: Sendable {
    let lines = Mutex<[String]>([])
}

final class ChildProcess: @unchecked Sendable {
    // Process is not Sendable; it is only started here and then read (isRunning, pid, status).
    let process: Process
    private let buffer = LineBuffer()
    let stderrPath: String

    init(_ executable: URL, _ arguments: [String], stderrPath: String) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        self.process = process
        self.stderrPath = stderrPath
        try process.run()
        let handle = out.fileHandleForReading
        let lines = self.buffer
        Thread {
            var buffer = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: 0x0A) {
                    let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                    buffer.removeSubrange(buffer.startIndex...newline)
                    lines.lines.withLock { $0.append(line) }
                }
            }
        }.start()
    }

    var output: [String] { buffer.lines.withLock { $0 } }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Waits (polling, bounded) for a line of standard output starting with `prefix`.
    func line(startingWith prefix: String, within seconds: Double) async throws -> String {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if let line = output.first(where: { $0.hasPrefix(prefix) }) { return line }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("no line starting with '\(prefix)' within \(seconds) s; stdout: \(output); stderr: \(stderr.suffix(3000))")
    }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits (polling, bounded) for the process to exit; returns its status.
    func waitForExit(within seconds: Double) async throws -> Int32 {
        let end = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < end { try await Task.sleep(for: .milliseconds(50)) }
        guard !process.isRunning else {
            process.terminate()
            throw TestFailure("the process did not exit within \(seconds) s; stderr: \(stderr.suffix(3000))")
        }
        return process.terminationStatus
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

/// HTTP calls to the status API.
enum API {
    struct Reply {
        let status: Int
        let body: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }

    static func call(_ method: HTTPMethod, _ url: String, token: String? = nil, body: String? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), body: String(buffer: bytes))
    }

    static func get(_ url: String) async throws -> Reply { try await call(.GET, url) }
}

/// Polls `check` until it returns a value or `seconds` pass (real servers and a real child
/// process move on their own schedule; nothing here sleeps for a test to pass).
func eventually<T>(within seconds: Double, _ what: String, _ check: () async throws -> T?) async throws -> T {
    let end = Date().addingTimeInterval(seconds)
    var lastError: (any Error)?
    while Date() < end {
        do {
            if let value = try await check() { return value }
        } catch {
            lastError = error
        }
        try await Task.sleep(for: .milliseconds(100))
    }
    throw TestFailure("\(what): not within \(seconds) s\(lastError.map { " (last error: \($0))" } ?? "")")
}

func reachable(_ url: String) async -> Bool {
    guard let reply = try? await API.get(url) else { return false }
    return (200..<300).contains(reply.status)
}

/// A free TCP port on 127.0.0.1 (bound and released; the caller binds it again at once).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestFailure("socket() failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw TestFailure("bind() failed") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else { throw TestFailure("getsockname() failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}
