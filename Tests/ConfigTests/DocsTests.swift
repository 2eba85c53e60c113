import ForescaleConfig
import Foundation
import Pipeline
import Testing

@Suite("docs/configuration.md cannot drift from the validator")
struct DocsTests {
    static func reference() throws -> String {
        try String(contentsOf: repositoryRoot.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
    }

    @Test("every key the validator accepts is documented as `key`")
    func everyKeyIsDocumented() throws {
        let text = try Self.reference()
        let missing = ConfigSchema.allKeys.sorted().filter { key in
            !text.contains("`\(key)`") && !text.contains("`\(key).") && !text.contains(".\(key)`")
        }
        #expect(missing.isEmpty, "undocumented keys: \(missing.joined(separator: ", "))")
    }

    @Test("every enumerated value is documented")
    func everyValueIsDocumented() throws {
        let text = try Self.reference()
        let values: [String] = SourceType.allCases.map(\.rawValue) + OrchestratorType.allCases.map(\.rawValue)
            + KubernetesKind.allCases.map(\.rawValue) + RunMode.allCases.map(\.rawValue)
            + ["Max", "Min", "Disabled", "Pods", "Percent"]
        let missing = values.filter { !text.contains("`\($0)`") }
        #expect(missing.isEmpty, "undocumented values: \(missing.joined(separator: ", "))")
    }

    @Test("the documented example problems are what the validator prints")
    func errorExamples() throws {
        let text = try Self.reference()
        #expect(text.contains("bad.yaml:4:13: controller.interval: not a duration: '15 seconds' (write a number and a unit: 500ms, 15s, 2m, 1h, 1d)"))
        #expect(text.contains("targets[0].replicas.maxx: unknown key (did you mean 'max'?)"))
    }
}
