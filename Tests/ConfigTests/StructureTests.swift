import ForescaleConfig
import Testing

/// Whole-file shapes: sections of the wrong kind, empty sections, YAML syntax errors.
@Suite struct StructureTests {
    static let sources = "sources: { prom: { type: prometheus, url: 'http://p:9090' }, burrow: { type: burrow, url: 'http://b:8000', cluster: main } }"
    static let orchestrators = "orchestrators: { k8s: { type: kubernetes } }"
    static func target(_ name: String) -> String {
        "  - { name: \(name), scale: { orchestrator: k8s, name: \(name) }, replicas: { max: 3 }, capacity: { perReplica: 10 }, metrics: { lag: { source: burrow, group: g }, arrivalRate: { source: prom, query: q } } }"
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let yaml: String
        let path: String
        let message: String
        var testDescription: String { "\(path): \(message)" }
    }

    static let cases: [Case] = [
        Case(yaml: "[1, 2]\n", path: "", message: "expected a mapping, got a list"),
        Case(
            yaml: "\(sources)\norchestrators: [k8s]\ntargets:\n\(target("a"))\n", path: "orchestrators",
            message: "expected a mapping from orchestrator names to orchestrators, got a list"),
        Case(yaml: "sources: {}\n\(orchestrators)\ntargets: []\n", path: "sources", message: "at least one source is required"),
        Case(yaml: "\(sources)\n\(orchestrators)\n", path: "targets", message: "required key is missing"),
        Case(yaml: "\(sources)\n\(orchestrators)\ntargets: []\n", path: "targets", message: "at least one target is required"),
        Case(yaml: "\(sources)\n\(orchestrators)\ntargets: { a: 1 }\n", path: "targets", message: "expected a list of targets, got a mapping"),
        Case(
            yaml: "\(sources)\n\(orchestrators)\ntargets:\n\(target("a"))\n\(target("a"))\n", path: "targets[1].name",
            message: "duplicate target name 'a' (also targets[0])"),
        Case(yaml: "", path: "", message: "the file is empty"),
    ]

    @Test(arguments: cases)
    func reportsTheShapeProblem(_ test: Case) throws {
        let result = ConfigLoader.parse(yaml: test.yaml, file: "f.yaml")
        guard case .failure(let errors) = result else {
            Issue.record("expected a problem at \(test.path)")
            return
        }
        let problems = errors.problems.filter { $0.path == test.path && $0.message.contains(test.message) }
        #expect(problems.count == 1, "\(errors.description)")
    }

    @Test("two valid targets with different names are fine")
    func twoTargets() throws {
        let yaml = "\(Self.sources)\n\(Self.orchestrators)\ntargets:\n\(Self.target("a"))\n\(Self.target("b"))\n"
        let config = try ConfigLoader.parse(yaml: yaml, file: "f.yaml").get()
        #expect(config.targets.map(\.name) == ["a", "b"])
    }

    @Test("a YAML syntax error is one problem naming its line and column")
    func syntaxError() throws {
        let yaml = "controller:\n  interval: 15s\n   mode: live\n"
        guard case .failure(let errors) = ConfigLoader.parse(yaml: yaml, file: "bad.yaml") else {
            Issue.record("expected a syntax error")
            return
        }
        #expect(errors.problems.count == 1)
        let problem = try #require(errors.problems.first)
        #expect(problem.line == 3)
        #expect(problem.column != nil)
        #expect(problem.message.hasPrefix("YAML syntax error: "))
        #expect(errors.renderedLines.first?.hasPrefix("bad.yaml:3:\(problem.column!): YAML syntax error: ") == true, "\(errors)")
    }

    @Test("an unclosed flow mapping names where it went wrong")
    func unclosedFlow() throws {
        let yaml = "sources:\n  prom: { type: prometheus, url: http://p\n"
        guard case .failure(let errors) = ConfigLoader.parse(yaml: yaml, file: "bad.yaml") else {
            Issue.record("expected a syntax error")
            return
        }
        #expect(errors.problems.count == 1)
        #expect(errors.problems.first?.line != nil, "\(errors)")
    }

    @Test("a duplicated key is one problem naming the key and its line")
    func duplicatedKey() throws {
        let yaml = "controller:\n  interval: 15s\n  interval: 30s\n"
        guard case .failure(let errors) = ConfigLoader.parse(yaml: yaml, file: "dup.yaml") else {
            Issue.record("expected a duplicate key problem")
            return
        }
        #expect(errors.problems.count == 1)
        let problem = try #require(errors.problems.first)
        #expect(problem.message.contains("duplicate key 'interval'"), "\(errors)")
        #expect(problem.line != nil)
    }

    @Test("an unreadable file is one problem without a line")
    func unreadableFile() {
        guard case .failure(let errors) = ConfigLoader.loadResult(path: "/nonexistent/forescale.yaml") else {
            Issue.record("expected a problem")
            return
        }
        #expect(errors.problems == [ConfigProblem(path: "", message: "no such file")])
        #expect(errors.description == "/nonexistent/forescale.yaml: no such file\n1 problem in /nonexistent/forescale.yaml")
    }

    @Test("problems render compiler style, leaving out what is unknown")
    func rendering() {
        let full = ConfigProblem(path: "targets[0].replicas.max", message: "must be ≥ min (2), got 1", line: 12, column: 10)
        #expect(full.rendered(file: "bad.yaml") == "bad.yaml:12:10: targets[0].replicas.max: must be ≥ min (2), got 1")
        let noPath = ConfigProblem(path: "", message: "YAML syntax error: x", line: 3, column: 4)
        #expect(noPath.rendered(file: "bad.yaml") == "bad.yaml:3:4: YAML syntax error: x")
        let noLine = ConfigProblem(path: "", message: "no such file")
        #expect(noLine.rendered(file: "x.yaml") == "x.yaml: no such file")
        let errors = ConfigErrors(file: "bad.yaml", problems: [full, noPath, noLine])
        #expect(errors.countLine == "3 problems in bad.yaml")
        #expect(ConfigErrors(file: "a.yaml", problems: [noLine]).countLine == "1 problem in a.yaml")
    }
}
