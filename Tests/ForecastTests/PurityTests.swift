import Foundation
import Testing

/// The module stays pure: Foundation at most, no I/O, no clock reads, no logging.
/// Scans the module's sources next to this test file (the repository checkout).
@Suite("purity")
struct PurityTests {
    static let forbidden = [
        "Date(", "Date.now", "Clock", "DispatchTime", "clock_gettime", "gettimeofday", "mach_absolute_time",
        "ProcessInfo", "FileManager", "FileHandle", "URLSession", "contentsOf", "print(", "NSLog", "Logger", "os_log",
        "random", "Task {", "Thread",
    ]

    @Test func sourcesImportOnlyFoundationAndDoNoIO() throws {
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let sources = tests.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/Forecast")
        let files = try FileManager.default.contentsOfDirectory(at: sources, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "swift" }
        #expect(files.count >= 10)
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for line in text.split(separator: "\n") {
                let code = line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
                if code.hasPrefix("import ") {
                    #expect(code == "import Foundation", "\(file.lastPathComponent): \(code)")
                }
                for token in Self.forbidden where code.contains(token) {
                    Issue.record("\(file.lastPathComponent) uses \(token): \(line)")
                }
            }
        }
    }
}
