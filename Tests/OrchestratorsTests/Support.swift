import ForescaleTestKit
import Foundation
@testable import Orchestrators
import Planner
#if canImport(Glibc)
import Glibc
#endif

/// Runs `body` with a fake API server and a client to it, shutting the client down afterwards.
func withKubernetes(
    acceptedTokens: Set<String> = ["good-token"],
    token: String? = "good-token",
    settings: KubernetesSettings = KubernetesSettings(requestTimeoutSeconds: 5),
    clock: any ControlClock = ManualClock(autoAdvance: true),
    _ body: (FakeKubernetesAPIServer, KubernetesClient) async throws -> Void
) async throws {
    try await FakeKubernetesAPIServer.withRunning(acceptedTokens: acceptedTokens) { server in
        let client = try KubernetesClient(connection: server.connection(token: token, namespace: "shop"), settings: settings, clock: clock)
        do {
            try await body(server, client)
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}

/// A temporary folder removed by the caller.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("forescale-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func write(_ text: String, to url: URL, executable: Bool = false) throws {
    try text.write(to: url, atomically: true, encoding: .utf8)
    if executable {
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
    }
}

/// A named pipe a test's script writes to, read on a thread of its own: `lines()` gives each line
/// as it is written and ends when every writer has closed it (they exited). A test waits for what a
/// process says, or for it to be gone, without polling.
final class NamedPipe: Sendable {
    let path: String

    init(_ url: URL) throws {
        path = url.path
        guard mkfifo(path, 0o600) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// Ends a reader still waiting for a writer (a test that failed before its script ran): opens
    /// and closes the write end, which the reader sees as a writer come and gone.
    func release() {
        let fd = open(path, O_WRONLY | O_NONBLOCK)
        if fd >= 0 { close(fd) }
    }

    func lines() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        let path = path
        Thread.detachNewThread {
            // Blocks until a writer opens the pipe, then reads until every writer has closed it.
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else { return continuation.finish() }
            defer { close(fd) }
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 512)
            while true {
                let count = read(fd, &buffer, buffer.count)
                if count <= 0 { break }
                pending += buffer[0..<count]
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    continuation.yield(String(decoding: pending[..<newline], as: UTF8.self))
                    pending.removeSubrange(...newline)
                }
            }
            if !pending.isEmpty { continuation.yield(String(decoding: pending, as: UTF8.self)) }
            continuation.finish()
        }
        return stream
    }
}

func sampleDecision(desired: Int, current: Int) -> Decision {
    Decision(
        desiredReplicas: desired,
        currentReplicas: current,
        reactiveReplicas: nil,
        plannedReplicas: desired,
        forecast: nil,
        reasons: [],
        explanation: "scale \(current) → \(desired): forecast arrival rate needs it",
        inputs: DecisionInputs(observation: Observation(desiredReplicas: Sample(current)), nowSeconds: 0)
    )
}
