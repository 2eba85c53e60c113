import ForescaleTestKit
import Foundation
@testable import Orchestrators
import Planner

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

/// Polls `condition` every 20 ms for at most `seconds` (real time).
func eventually(within seconds: Double = 10, _ condition: () async -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if await condition() { return true }
        try? await Task.sleep(nanoseconds: 20_000_000)
    }
    return await condition()
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
