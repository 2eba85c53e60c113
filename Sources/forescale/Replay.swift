import ArgumentParser
import ForescaleConfig
import Foundation
import Planner
import Simulation

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Drive the decision core from outside: JSON Lines of observations on stdin, one decision per line on stdout.",
        discussion: "The protocol is described in docs/replay.md. A bad line prints 'line N: FIELD: PROBLEM' on stderr and exits 1.")

    @Option(help: "A config file whose targets' policy settings apply to replayed targets of the same name.")
    var config: String?

    func run() throws {
        var policies: [String: ScalingPolicy] = [:]
        if let config {
            for target in try loadConfigOrExit(config).targets { policies[target.name] = target.policy }
        }
        var session = ReplaySession(configured: policies, makeForecaster: ForecasterFactory.make)
        var number = 0
        while let line = readLine(strippingNewline: true) {
            number += 1
            do throws(ReplayError) {
                // One write per answer: the line reaches a driver waiting on the pipe at once.
                if let answer = try session.handle(line: line, number: number) {
                    FileHandle.standardOutput.write(Data((answer + "\n").utf8))
                }
            } catch {
                printError(error.description)
                throw ExitCode(1)
            }
        }
    }
}
