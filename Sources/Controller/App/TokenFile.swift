import Foundation

/// The bearer token file of `controller.status.tokenFile`.
public enum TokenFile {
    /// Reads a bearer token from `file` and trims surrounding whitespace and newlines.
    ///
    /// - Throws: `TokenFileError`, naming the file, when it is missing, unreadable, not UTF-8 or empty.
    public static func load(_ file: String) throws(TokenFileError) -> String {
        guard FileManager.default.fileExists(atPath: file) else {
            throw TokenFileError(file: file, problem: "does not exist")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw TokenFileError(file: file, problem: "cannot be read (\(error.localizedDescription))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TokenFileError(file: file, problem: "is not UTF-8 text")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw TokenFileError(file: file, problem: "is empty") }
        return token
    }
}

/// A token file that cannot be used.
public struct TokenFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path as configured.
    public var file: String
    /// What is wrong with it.
    public var problem: String

    public init(file: String, problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "token file \(file) \(problem)" }
}
