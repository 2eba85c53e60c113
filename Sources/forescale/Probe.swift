import ArgumentParser
import Controller
import ForescaleConfig
import Foundation
import MetricSources
import Orchestrators

struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Fetch every configured value of every target once, and read each target's current scale (read-only).",
        discussion:
            "Prints value, age, outcome and fetch latency per value, then each target's desired and ready replicas. Exits 1 when any value or scale read failed, 2 when the config is invalid."
    )

    @Argument(help: "The YAML config file.") var config: String
    @Option(help: "Probe only this target.") var target: String?
    @Flag(help: "Print JSON.") var json = false
    @Option(help: "Seconds to wait for a target's values.") var timeout = 10.0

    func run() async throws {
        let loaded = try loadConfigOrExit(config)
        let rows: [ProbeRow]
        do {
            rows = await Probe.run(try ConfigWiring.probeTargets(loaded, only: target, context: SourceContext()), timeoutSeconds: timeout)
        } catch {
            printError("\(config): \(error)")
            throw ExitCode(2)
        }
        // Each target's scale through its orchestrator, read-only; an adapter that cannot be
        // built (no cluster, a bad kubeconfig) is that target's error, not the whole probe's.
        let factory = OrchestratorFactory()
        var scales: [ScaleRow] = []
        for entry in loaded.targets where target == nil || entry.name == target {
            do {
                let orchestrator = try await ConfigWiring.orchestrator(for: entry, in: loaded, factory: factory)
                scales.append(ScaleRow(entry.name, await ScaleProbe.probe(orchestrator)))
            } catch {
                scales.append(ScaleRow(target: entry.name, errorKind: "config", message: error.description))
            }
        }
        await factory.shutdown()
        if json {
            print(ProbeReport(values: rows, scales: scales).json)
        } else {
            print(Probe.text(rows), terminator: "")
            print(scales.map(\.line).joined(separator: "\n"))
        }
        if Probe.anyFailed(rows) || scales.contains(where: { $0.errorKind != nil }) { throw ExitCode(1) }
    }
}

/// One target's scale as the probe read it.
struct ScaleRow: Codable {
    var target: String
    var workload: String?
    var desiredReplicas: Int?
    var readyReplicas: Int?
    var errorKind: String?
    var message: String?

    init(target: String, workload: String? = nil, desiredReplicas: Int? = nil, readyReplicas: Int? = nil, errorKind: String? = nil, message: String? = nil) {
        self.target = target
        self.workload = workload
        self.desiredReplicas = desiredReplicas
        self.readyReplicas = readyReplicas
        self.errorKind = errorKind
        self.message = message
    }

    init(_ target: String, _ result: ScaleProbeResult) {
        self.init(
            target: target, workload: result.target, desiredReplicas: result.scale?.desiredReplicas,
            readyReplicas: result.scale?.readyReplicas, errorKind: result.error?.kind.rawValue, message: result.error?.message)
    }

    var line: String {
        if let errorKind { return "scale \(target): failed(\(errorKind)): \(message ?? "")" }
        let ready = readyReplicas.map(String.init) ?? "unknown"
        return "scale \(target): \(workload ?? ""): desired \(desiredReplicas.map(String.init) ?? "unknown"), ready \(ready)"
    }
}

struct ProbeReport: Codable {
    var values: [ProbeRow]
    var scales: [ScaleRow]

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
