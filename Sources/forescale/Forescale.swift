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
        lineBufferStandardOutput()
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await main(nil)
    }
}

/// Makes standard output line-buffered even when it is a pipe or a file (`| tee`, `docker logs`,
/// `kubectl logs`; the C library buffers 4 KiB there by default): the demo's address and progress
/// lines, and `run --once`'s decisions, show as they are printed, not when the process exits.
/// `stdout` is C global state that Swift 6 refuses to name, so it is looked up once, before any
/// other thread runs.
func lineBufferStandardOutput() {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "stdout") else { return }
    setvbuf(symbol.load(as: UnsafeMutablePointer<FILE>.self), nil, _IOLBF, 0)
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
