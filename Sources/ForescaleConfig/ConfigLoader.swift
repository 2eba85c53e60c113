import Foundation
import Yams

/// Reads and validates config files.
public enum ConfigLoader {
    /// Reads the file at `path` and validates it. Throws `ConfigErrors` with every problem found
    /// (an unreadable file is one problem without a line).
    public static func load(path: String) throws(ConfigErrors) -> Config {
        try loadResult(path: path).get()
    }

    /// As `load(path:)`, as a `Result`.
    public static func loadResult(path: String) -> Result<Config, ConfigErrors> {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
            let message = FileManager.default.fileExists(atPath: path) ? "cannot read the file: \(reason)" : "no such file"
            return .failure(ConfigErrors(file: path, problems: [ConfigProblem(path: "", message: message)]))
        }
        return parse(yaml: text, file: path)
    }

    /// Validates the YAML text of a config file. `file` names it in rendered problems.
    public static func parse(yaml: String, file: String) -> Result<Config, ConfigErrors> {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            return .failure(ConfigErrors(file: file, problems: [syntaxProblem(error)]))
        }
        guard let root else {
            return .failure(ConfigErrors(file: file, problems: [ConfigProblem(path: "", message: "the file is empty")]))
        }
        var builder = ConfigBuilder()
        let config = builder.build(root)
        let problems = builder.reader.problems.enumerated().sorted { a, b in
            let left = (a.element.line ?? .max, a.element.column ?? .max, a.offset)
            let right = (b.element.line ?? .max, b.element.column ?? .max, b.offset)
            return left < right
        }.map(\.element)
        if let config, problems.isEmpty { return .success(config) }
        return .failure(ConfigErrors(file: file, problems: problems))
    }

    /// A YAML error as one problem naming its line and column.
    static func syntaxProblem(_ error: any Error) -> ConfigProblem {
        guard let yamlError = error as? YamlError else {
            return ConfigProblem(path: "", message: "YAML syntax error: \(error)")
        }
        func problem(_ kind: String, _ context: YamlError.Context?, _ problem: String, _ mark: Mark) -> ConfigProblem {
            let while_ = context.map { " (\($0.text) at \($0.mark.line):\($0.mark.column))" } ?? ""
            return ConfigProblem(path: "", message: "YAML \(kind) error: \(problem)\(while_)", line: mark.line, column: mark.column)
        }
        switch yamlError {
        case let .scanner(context, message, mark, _): return problem("syntax", context, message, mark)
        case let .parser(context, message, mark, _): return problem("syntax", context, message, mark)
        case let .composer(context, message, mark, _): return problem("structure", context, message, mark)
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return ConfigProblem(
                path: "", message: "duplicate key \(keys): a key appears more than once in this mapping", line: context.mark.line, column: context.mark.column)
        case let .reader(message, _, _, _):
            return ConfigProblem(path: "", message: "cannot read the YAML text: \(message)")
        default:
            return ConfigProblem(path: "", message: "YAML error: \(yamlError)")
        }
    }
}
