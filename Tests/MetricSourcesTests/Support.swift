import ForescaleTestKit
import Foundation
import MetricSources
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import Planner

extension ManualClock {
    /// A clock at `unixSeconds` (the metric sources read time as Unix seconds).
    convenience init(_ unixSeconds: Double) { self.init(now: Date(timeIntervalSince1970: unixSeconds)) }
    /// The time in Unix seconds.
    var seconds: Double { now().timeIntervalSince1970 }
}

/// TestKit's in-process HTTP server with the requests it received, as these tests use it.
struct TestServer: Sendable {
    let url: String
    private let log: NIOLockedValueBox<[RecordedRequest]>
    /// Requests received so far, in order.
    var requests: [RecordedRequest] { log.withLockedValue { $0 } }

    /// Runs `body` with a server answering through `handler` (HTTPS with `tls`), and stops it afterwards.
    static func with<T: Sendable>(
        tls: TLSConfiguration? = nil,
        _ handler: @escaping @Sendable (RecordedRequest) -> CannedResponse,
        _ body: (TestServer) async throws -> T
    ) async throws -> T {
        let log = NIOLockedValueBox<[RecordedRequest]>([])
        return try await InProcessHTTPServer.withRunning(tls: tls, handler: { request in
            log.withLockedValue { $0.append(request) }
            return handler(request)
        }) { url in
            try await body(TestServer(url: url, log: log))
        }
    }
}

extension CannedResponse {
    /// A JSON answer, `status` 200 unless given.
    static func json(_ text: String, status: Int = 200) -> CannedResponse { .json(status, text) }
}

/// A clock whose sleeps are recorded, not slept: retries are checked without waiting.
final class SleepRecorder: ControlClock {
    private let box = NIOLockedValueBox<[Double]>([])
    var sleeps: [Double] { box.withLockedValue { $0 } }
    func now() -> Date { Date(timeIntervalSince1970: 1_700_000_000) }
    func sleep(seconds: Double) async throws { box.withLockedValue { $0.append(seconds) } }
    var policy: RetryPolicy {
        RetryPolicy(maxAttempts: 3, baseDelaySeconds: 0.1, maxDelaySeconds: 1, minimumAttemptSeconds: 0.05, random: { 0.5 })
    }
    /// A transport that retries by `policy` and waits on this clock.
    var transport: HTTPTransport { HTTPTransport(retry: policy, clock: self) }
}

let noRetry = HTTPTransport(retry: .none)

func settings(
    _ type: String, url: String, timeout: Double = 30, auth: HTTPAuth = .none, headers: [String: String] = [:],
    cluster: String? = nil, maxBody: Int = 4 << 20
) -> SourceSettings {
    SourceSettings(
        name: "test-\(type)", type: type,
        endpoint: HTTPEndpoint(url: url, timeoutSeconds: timeout, auth: auth, headers: headers, maxBodyBytes: maxBody),
        cluster: cluster)
}

/// A deadline far enough away that a busy test machine never turns an expected answer into a
/// timeout; tests of the deadline itself pass a short one.
func deadline(ms: Int64 = 60_000) -> NIODeadline { .now() + .milliseconds(ms) }

/// Writes `text` to a fresh temporary file and returns its path.
func tempFile(_ text: String) throws -> String {
    let path = NSTemporaryDirectory() + "forescale-test-\(UUID().uuidString)"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}
