import Foundation

/// A one-line progress bar on stderr, shown only on a terminal and only once a run has taken
/// more than a second.
final class ProgressBar {
    private let start = Date()
    private let enabled = isatty(STDERR_FILENO) == 1
    private var shown = false

    func update(done: Int, total: Int, running: String) {
        guard enabled, total > 0, shown || Date().timeIntervalSince(start) > 1 else { return }
        shown = true
        let width = 30
        let filled = width * done / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        FileHandle.standardError.write(Data("\r\(bar) \(done)/\(total) \(running)".padding(toLength: 80, withPad: " ", startingAt: 0).utf8))
    }

    func finish() {
        guard shown else { return }
        FileHandle.standardError.write(Data("\r\(String(repeating: " ", count: 80))\r".utf8))
    }
}
