import Foundation

/// A bearer token read from a file and re-read at most every `refreshSeconds`
/// (service-account tokens are rotated by the kubelet), or immediately when forced after a 401.
actor TokenSource {
    let path: String
    let refreshSeconds: Double
    let clock: any ControlClock
    private var cached: String?
    private var readAt: Date?

    init(path: String, refreshSeconds: Double, clock: any ControlClock) {
        self.path = path
        self.refreshSeconds = refreshSeconds
        self.clock = clock
    }

    func token(forceReload: Bool = false) throws -> String {
        let now = clock.now()
        if !forceReload, let cached, let readAt, now.timeIntervalSince(readAt) < refreshSeconds {
            return cached
        }
        guard let data = FileManager.default.contents(atPath: path),
              let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
              !text.isEmpty
        else {
            if let cached { return cached }  // keep the last good token through a transient read failure
            throw OrchestratorError(.unauthorized, "cannot read the bearer token file \(path); check the service-account token mount")
        }
        cached = text
        readAt = now
        return text
    }
}
