import ArgumentParser
import ForescaleConfig
import Foundation

@main
struct Forescale: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forescale",
        abstract: "A predictive autoscaler for queue consumers.",
        version: ForescaleVersion.current,
subcommands: [Validate.self, Run.self, DemoCommand.self, ProbeCommand.self, Simulate.self, Replay.self, Backtest.self, Bench.self, Version.self]
    )
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a config file and summarise what it would scale.",
        discussion: "Prints every problem (FILE:LINE:COL: KEYPATH: MESSAGE) to stderr and exits 2, or a summary per target and exits 0."
    )

    @Argument(help: "The YAML config file.")
    var config: String

    func run() throws {
        print(ConfigSummary.render(try loadConfigOrExit(config), file: config))
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")
    func run() {
        print("forescale \(ForescaleVersion.current)")
    }
}
