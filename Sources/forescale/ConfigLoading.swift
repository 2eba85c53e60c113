import ArgumentParser
import ForescaleConfig
import Foundation

/// Writes a line to stderr.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Loads a config for a command, or prints every problem to stderr and exits 2, as `validate` does.
func loadConfigOrExit(_ path: String) throws -> Config {
    switch ConfigLoader.loadResult(path: path) {
    case .success(let config):
        return config
    case .failure(let errors):
        printError(errors.description)
        throw ExitCode(2)
    }
}
