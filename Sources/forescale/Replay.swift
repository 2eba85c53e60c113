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
            switch ConfigLoader.loadResult(path: config) {
            case .success(let loaded):
                for target in loaded.targets { policies[target.name] = target.policy }
            case .failure(let errors):
                FileHandle.standardError.write(Data((errors.description + "\n").utf8))
                throw ExitCode(2)
            }
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
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
                throw ExitCode(1)
            }
        }
    }
}
