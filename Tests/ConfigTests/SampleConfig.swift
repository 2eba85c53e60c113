import ForescaleConfig
import Foundation

/// A small valid config, edited key by key by the rule tables.
struct SampleConfig {
    typealias Entries = [(key: String, value: String)]

    var controller: Entries = []
    var sources: Entries = [
        ("burrow", "{ type: burrow, url: 'http://burrow:8000', cluster: main }"),
        ("prom", "{ type: prometheus, url: 'http://prometheus:9090' }"),
        ("rabbit", "{ type: rabbitmq, url: 'http://rabbitmq:15672' }"),
        ("nats", "{ type: nats, url: 'http://nats:8222' }"),
        ("stats", "{ type: json, url: 'https://stats.internal' }"),
    ]
    var orchestrators: Entries = [
        ("k8s", "{ type: kubernetes }"),
        ("cmd", "{ type: command }"),
        ("hook", "{ type: webhook, url: 'http://scaler:8080/scale' }"),
        ("pool", "{ type: process-pool }"),
    ]
    var target: Entries = [
        ("name", "orders"),
        ("scale", "{ orchestrator: k8s, namespace: shop, name: orders }"),
        ("replicas", "{ min: 1, max: 10 }"),
        (
            "metrics",
            "{ lag: { source: burrow, group: orders }, arrivalRate: { source: prom, query: 'sum(rate(in[1m]))' }, throughput: { source: prom, query: 'sum(rate(out[1m]))' } }"
        ),
        ("capacity", "{ perReplica: 250 }"),
    ]

    /// Sets (or with `nil` removes) one entry of a section.
    static func set(_ entries: inout Entries, _ key: String, _ value: String?) {
        if let index = entries.firstIndex(where: { $0.key == key }) {
            if let value { entries[index].value = value } else { entries.remove(at: index) }
        } else if let value {
            entries.append((key, value))
        }
    }

    var yaml: String {
        var lines: [String] = []
        if !controller.isEmpty {
            lines.append("controller:")
            lines += controller.map { "  \($0.key): \($0.value)" }
        }
        lines.append("sources:")
        lines += sources.map { "  \($0.key): \($0.value)" }
        lines.append("orchestrators:")
        lines += orchestrators.map { "  \($0.key): \($0.value)" }
        lines.append("targets:")
        for (index, entry) in target.enumerated() {
            lines.append("\(index == 0 ? "  - " : "    ")\(entry.key): \(entry.value)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// One edit of the sample config.
enum Edit: Sendable {
    case controller(String, String?)
    case source(String, String?)
    case orchestrator(String, String?)
    case target(String, String?)
    /// The metrics mapping of the target, as flow YAML.
    case metrics(String)
}

extension SampleConfig {
    init(_ edits: [Edit]) {
        self.init()
        for edit in edits {
            switch edit {
            case let .controller(key, value): Self.set(&controller, key, value)
            case let .source(key, value): Self.set(&sources, key, value)
            case let .orchestrator(key, value): Self.set(&orchestrators, key, value)
            case let .target(key, value): Self.set(&target, key, value)
            case let .metrics(value): Self.set(&target, "metrics", value)
            }
        }
    }

    func parse() -> Result<Config, ConfigErrors> {
        ConfigLoader.parse(yaml: yaml, file: "test.yaml")
    }
}

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
