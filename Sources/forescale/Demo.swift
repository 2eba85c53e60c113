import ArgumentParser
import Controller
import Demo
import Foundation
import Logging

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Watch Forescale run: the real controller on an accelerated clock against a simulated cluster.",
        discussion: """
            Replays World Cup 98 traffic (Examples/traces) through a simulated consumer group served over HTTP on \
            127.0.0.1; the production reconcile loop, decision log and status API drive it. Starts in shadow mode beside \
            a KEDA-equivalent autoscaler, goes live part-way, and ends with the scorecard. Ctrl-C stops it at any time.
            """)

    @Option(help: "The arrival trace (timestamp,value CSV), or 'business-hours' for the built-in scale-to-zero workload (the default with --min-replicas 0).")
    var trace: String?
    @Option(
        name: .customLong("min-replicas"),
        help: "The target's minimum replicas (0 or 1). 0: it sleeps at zero and wakes ahead of the traffic; the incumbent is KEDA's scale to zero.")
    var minReplicas = 1
    @Option(help: "Simulated seconds per real second (60–3600).") var speed = 720.0
    @Option(help: "Simulated days to run.") var days = 2.0
    @Option(help: "The share of the run after which Forescale goes live (0 = live from the start, 1 = shadow only).") var liveAfter = 0.5
    @Option(help: "The status API and dashboard address (host:port; port 0 picks a free one).") var listen = "127.0.0.1:8080"
    @Option(help: "A folder for the decision log and config (a new temporary one by default).") var directory: String?
    @Flag(help: "Log the controller's lines too (JSON with --log-format json of `run`; here text on stderr).") var verbose = false

    func validate() throws {
        guard (60...3600).contains(speed) else { throw ValidationError("--speed must be 60–3600, got \(speed)") }
        guard days > 0, days <= 6 else { throw ValidationError("--days must be > 0 and ≤ 6 (the shipped trace holds 9 days, 2 of them history)") }
        guard (0...1).contains(liveAfter) else { throw ValidationError("--live-after must be 0–1, got \(liveAfter)") }
        guard (0...1).contains(minReplicas) else { throw ValidationError("--min-replicas must be 0 or 1, got \(minReplicas)") }
    }

    func run() async throws {
        let chosenTrace = trace ?? (minReplicas == 0 ? DemoWorkload.name : "Examples/traces/worldcup98_1min_jun08-16.csv")
        var options = DemoOptions(tracePath: chosenTrace == DemoWorkload.name ? chosenTrace : Self.findTrace(chosenTrace))
        options.minReplicas = minReplicas
        // The built-in workload starts on a Monday: a backfilled week (the forecaster learns the
        // daily pattern and the quiet weekend), so the run starts on the next Monday.
        if chosenTrace == DemoWorkload.name { options.historyDays = 7 }
        options.speed = speed
        options.days = days
        options.liveAfter = liveAfter
        options.directory = directory
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("--listen: expected host:port, got '\(listen)'")
        }
        options.host = String(listen[..<colon])
        options.port = port
        LoggingSetup.bootstrap(.text, level: verbose ? .info : .warning)
        let terminal = isatty(STDOUT_FILENO) != 0
        let printer = ProgressPrinter(terminal: terminal)
        do {
            let summary = try await DemoRunner.run(options, logger: Logger(label: "forescale.demo")) { printer.show($0) }
            printer.finish()
            print(DemoRunner.report(summary))
        } catch let error as StartupError {
            printer.finish()
            printError("forescale demo: \(error)")
            throw ExitCode(2)
        }
    }

    /// The trace relative to the working folder, else to the repository the binary was built in.
    static func findTrace(_ path: String) -> String {
        if path.hasPrefix("/") || FileManager.default.fileExists(atPath: path) { return path }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = folder.appendingPathComponent(path).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return path
    }
}

/// One progress line, redrawn in place on a terminal; every tenth line otherwise.
final class ProgressPrinter: Sendable {
    let terminal: Bool
    private let count = Mutex(0)

    init(terminal: Bool) { self.terminal = terminal }

    func show(_ line: String) {
        if line.contains("\n") || line.hasPrefix("—") {
            if terminal { FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8)) }
            print(line)
            return
        }
        if terminal {
            FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + line).utf8))
        } else {
            let n = count.withLock { value in
                defer { value += 1 }
                return value
            }
            if n % 10 == 0 { print(line) }
        }
    }

    func finish() {
        if terminal { FileHandle.standardOutput.write(Data("\n".utf8)) }
    }
}

import Synchronization
