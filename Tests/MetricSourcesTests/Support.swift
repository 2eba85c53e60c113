import Foundation
import MetricSources
import NIOConcurrencyHelpers
import NIOCore
import Planner

/// A clock the test sets.
final class ManualClock: Sendable {
    private let box: NIOLockedValueBox<Double>
    init(_ start: Double = 1_700_000_000) { box = NIOLockedValueBox(start) }
    var now: Double { box.withLockedValue { $0 } }
    func advance(_ seconds: Double) { box.withLockedValue { $0 += seconds } }
    var wall: WallClock { WallClock { [box] in box.withLockedValue { $0 } } }
}

/// Sleeps recorded, not slept: retries are checked without waiting.
final class SleepRecorder: Sendable {
    private let box = NIOLockedValueBox<[Double]>([])
    var sleeps: [Double] { box.withLockedValue { $0 } }
    var policy: RetryPolicy {
        RetryPolicy(
            maxAttempts: 3, baseDelaySeconds: 0.1, maxDelaySeconds: 1, minimumAttemptSeconds: 0.05,
            random: { 0.5 }, sleep: { [box] seconds in box.withLockedValue { $0.append(seconds) } })
    }
}

let noRetry = HTTPTransport(retry: .none)

func settings(
    _ type: String, url: String, timeout: Double = 30, auth: HTTPAuth = .none, headers: [String: String] = [:],
    cluster: String? = nil, staleAfter: Double? = nil, maxBody: Int = 4 << 20
) -> SourceSettings {
    SourceSettings(
        name: "test-\(type)", type: type,
        endpoint: HTTPEndpoint(url: url, timeoutSeconds: timeout, auth: auth, headers: headers, maxBodyBytes: maxBody),
        cluster: cluster, staleAfterSeconds: staleAfter)
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
