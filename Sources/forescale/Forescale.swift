import ArgumentParser
import ForescaleConfig

@main
struct Forescale: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forescale",
        abstract: "A predictive autoscaler for queue consumers.",
        version: ForescaleVersion.current,
        subcommands: [Simulate.self, Version.self]
    )
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")
    func run() {
        print("forescale \(ForescaleVersion.current)")
    }
}
