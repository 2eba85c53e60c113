import Foundation
import Testing

/// `decide` imports no networking, reads no clock and does no logging: the whole Planner module
/// imports nothing at all beyond the Swift standard library. This test keeps it so.
@Suite("The decision core is pure")
struct PurityTests {
    static let plannerSources: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Planner")

    @Test func plannerImportsNothingAndTouchesNoClockNetworkOrLog() throws {
        let files = try FileManager.default.contentsOfDirectory(at: Self.plannerSources, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "swift" }
        #expect(files.count >= 5)
        let forbidden = [
            "import ", "Date(", "Date.now", "ContinuousClock", "SuspendingClock", "DispatchTime", "clock_gettime",
            "gettimeofday", "print(", "Logger", "URLSession", "FileManager", "async", "await", "Task {", "Task.",
            "random", "getenv",
        ]
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                for word in forbidden where code.contains(word) {
                    Issue.record("\(file.lastPathComponent):\(number + 1) uses '\(word)': \(line)")
                }
            }
        }
    }
}

/// The per-target step every path calls (`Pipeline.TargetStep`) is pure too: it imports only the
/// decision core and the forecaster, and reads no clock, does no I/O and no logging.
@Suite("The decision pipeline is pure")
struct PipelinePurityTests {
    static let pipelineSources: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Pipeline")

    @Test func pipelineImportsOnlyPlannerAndForecastAndTouchesNoClockNetworkOrLog() throws {
        let files = try FileManager.default.contentsOfDirectory(at: Self.pipelineSources, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "swift" }
        #expect(files.count >= 4)
        let forbidden = [
            "Date(", "Date.now", "ContinuousClock", "SuspendingClock", "DispatchTime", "clock_gettime", "gettimeofday", "print(",
            "Logger", "URLSession", "FileManager", "async", "await", "Task {", "Task.", "random", "getenv", "Foundation",
        ]
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                if code.hasPrefix("import "), !["import Planner", "import Forecast"].contains(code.trimmingCharacters(in: .whitespaces)) {
                    Issue.record("\(file.lastPathComponent):\(number + 1) imports more than Planner and Forecast: \(line)")
                }
                for word in forbidden where code.contains(word) {
                    Issue.record("\(file.lastPathComponent):\(number + 1) uses '\(word)': \(line)")
                }
            }
        }
    }
}
