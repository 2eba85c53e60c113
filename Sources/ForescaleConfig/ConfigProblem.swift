/// One thing wrong with a config file, with where it is.
public struct ConfigProblem: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The key path, e.g. `targets[0].replicas.max`; empty for a problem with the whole file.
    public var path: String
    public var message: String
    /// 1-based line and column of the offending node, when known.
    public var line: Int?
    public var column: Int?

    public init(path: String, message: String, line: Int? = nil, column: Int? = nil) {
        self.path = path
        self.message = message
        self.line = line
        self.column = column
    }

    /// `LINE:COL: KEYPATH: MESSAGE`, without the file name.
    public var description: String { rendered(file: nil) }

    /// One compiler-style line: `FILE:LINE:COL: KEYPATH: MESSAGE`. Parts that are unknown are left out.
    public func rendered(file: String?) -> String {
        var location: [String] = []
        if let file { location.append(file) }
        if let line {
            location.append(String(line))
            if let column { location.append(String(column)) }
        }
        var parts: [String] = []
        if !location.isEmpty { parts.append(location.joined(separator: ":")) }
        if !path.isEmpty { parts.append(path) }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}

/// Every problem found in one config file; thrown by `ConfigLoader.load(path:)`.
public struct ConfigErrors: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file name used when rendering (as given on the command line).
    public var file: String
    /// In document order (line, then column); never empty.
    public var problems: [ConfigProblem]

    public init(file: String, problems: [ConfigProblem]) {
        self.file = file
        self.problems = problems
    }

    /// One line per problem, then the count line (`3 problems in bad.yaml`).
    public var description: String {
        (problems.map { $0.rendered(file: file) } + [countLine]).joined(separator: "\n")
    }

    /// `1 problem in FILE` / `3 problems in FILE`.
    public var countLine: String {
        "\(problems.count) \(problems.count == 1 ? "problem" : "problems") in \(file)"
    }

    /// The problem lines alone, one per problem.
    public var renderedLines: [String] { problems.map { $0.rendered(file: file) } }
}
