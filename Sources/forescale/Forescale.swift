import ArgumentParser
import ForescaleConfig
import Foundation
import NIOCore
import NIOPosix

@main
struct Forescale: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forescale",
        abstract: "A predictive autoscaler for queue consumers.",
        version: ForescaleVersion.current,
subcommands: [Validate.self, Run.self, DemoCommand.self, ProbeCommand.self, Simulate.self, Replay.self, Backtest.self, Bench.self, Version.self]
    )

    /// Swift concurrency runs on NIO's event loops instead of a pool of its own, as swift-nio
    /// recommends for servers: every outbound request and the status API then avoid a thread hop
    /// per await. Measured with Benchmarks/controller: about a third less CPU per tick round. Work
    /// that blocks (SQLite reads of the status API) goes to NIO's blocking pool (`offload`).
    static func main() async {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await main(nil)
    }
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
