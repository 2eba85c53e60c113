import ArgumentParser
import App
import Controller
import ForescaleConfig
import Foundation
import Logging

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the controller: tick every target, act where live, serve the status API.",
        discussion: """
            Runs until SIGTERM or SIGINT (the tick in flight finishes and the decision log is flushed). \
            SIGHUP or a change of the file reloads the config; an invalid new config is rejected and the old one keeps running. \
            With --once, ticks every target once, prints the decisions and exits: 0 when every target decided, 1 otherwise, \
            2 when the config is invalid or the controller cannot start.
            """)

    @Option(name: .long, help: "The YAML config file.") var config: String
    @Flag(help: "Tick every target once, print the decisions and exit.") var once = false
    @Flag(help: "With --once, print the decisions as JSON lines.") var json = false
    @Option(help: "Log format: text or json.") var logFormat: LogFormatOption = .text
    @Option(help: "Override controller.status.listen (host:port; port 0 picks a free one).") var listen: String?
    @Flag(help: "Skip seeding the forecasters from the metric sources' history at start-up.") var noBackfill = false

    enum LogFormatOption: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    func run() async throws {
        let loaded = try loadConfigOrExit(config)
        LoggingSetup.bootstrap(logFormat == .json ? .json : .text)
        let logger = Logger(label: "forescale")
        var address: (host: String, port: Int)?
        if let listen {
            guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
                printError("--listen: expected host:port (e.g. 127.0.0.1:0), got '\(listen)'")
                throw ExitCode(2)
            }
            var host = String(listen[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            address = (host, port)
        }
        let app: ControllerApp
        do {
            app = try await ControllerApp.start(config: loaded, configPath: config, logger: logger, listen: address)
        } catch {
            printError("\(config): \(error)")
            throw ExitCode(2)
        }
        if once {
            let reports = await app.runOnce(backfill: !noBackfill)
            try? app.log.close()
            for report in reports { print(json ? Self.jsonLine(report) : Self.textLine(report)) }
            if reports.contains(where: { $0.record == nil }) { throw ExitCode(1) }
            return
        }
        try await app.serve(backfill: !noBackfill) { url in
            // Unbuffered, so that a script or a test reading the pipe sees it at once.
            FileHandle.standardOutput.write(Data("status API listening on \(url)\n".utf8))
        }
    }

    static func textLine(_ report: TickReport) -> String {
        guard let record = report.record else {
            let failure = report.failure.map { "\($0.stage) \($0.kind): \($0.message)" } ?? "unknown"
            return "\(report.target): no decision: \(failure)"
        }
        let decision = record.decision
        var line =
            "\(report.target) [\(record.mode.rawValue)] \(decision.currentReplicas)→\(record.finalReplicas): \(record.orchestratorAnswer) — \(decision.explanation)"
        if !record.safetyNote.isEmpty { line += " — \(record.safetyNote)" }
        return line
    }

    static func jsonLine(_ report: TickReport) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if let record = report.record, let data = try? encoder.encode(record) { return String(decoding: data, as: UTF8.self) }
        let failure = report.failure.map { ["stage": $0.stage, "kind": $0.kind, "message": $0.message] } ?? [:]
        let object: [String: [String: String]] = ["noDecision": ["target": report.target].merging(failure) { $1 }]
        return (try? encoder.encode(object)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
