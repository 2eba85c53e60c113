import Foundation
import Planner

/// Scales through two programs: `get` prints the current count (`N`, or `N M` for desired and ready),
/// `set` receives the new count where an argument is exactly `{replicas}`. No shell is involved.
public struct CommandOrchestrator: Orchestrator {
    public static let replicasPlaceholder = "{replicas}"
    public let settings: CommandSettings
    public let clock: any ControlClock

    public init(settings: CommandSettings, clock: any ControlClock = SystemControlClock()) throws {
        guard !settings.get.isEmpty, !settings.set.isEmpty else {
            throw OrchestratorError(.config, "command orchestrator needs both `get` and `set` as argv lists")
        }
        guard settings.set.contains(Self.replicasPlaceholder) else {
            throw OrchestratorError(.config, "command `set` must contain an argument exactly \(Self.replicasPlaceholder), replaced by the replica count")
        }
        self.settings = settings
        self.clock = clock
    }

    public var targetDescription: String { "command \(settings.set.joined(separator: " "))" }

    public func currentScale() async throws -> WorkloadScale {
        let output = try await runChecked(settings.get)
        let fields = output.standardOutput.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
        guard let first = fields.first, let desired = Int(first), desired >= 0, fields.count <= 2 else {
            throw OrchestratorError(
                .decode,
                "\(settings.get.joined(separator: " ")) printed \(quoted(output.standardOutput)); expected a non-negative integer (or two: desired and ready)")
        }
        var ready: Int?
        if fields.count == 2 {
            guard let value = Int(fields[1]), value >= 0 else {
                throw OrchestratorError(
                    .decode,
                    "\(settings.get.joined(separator: " ")) printed \(quoted(output.standardOutput)); the second field (ready replicas) is not a non-negative integer"
                )
            }
            ready = value
        }
        return WorkloadScale(desiredReplicas: desired, readyReplicas: ready, observedAt: clock.now())
    }

    public func apply(replicas: Int, decision: Decision?) async throws -> ApplyOutcome {
        guard replicas >= 0 else { throw OrchestratorError(.config, "refusing to scale to \(replicas) replicas") }
        let current = try await currentScale().desiredReplicas
        if current == replicas { return .unchanged(replicas: replicas) }
        let argv = Self.substitute(settings.set, replicas: replicas)
        _ = try await runChecked(argv)
        return .scaled(from: current, to: replicas)
    }

    /// Replaces every argument that is exactly `{replicas}`; nothing else is touched.
    public static func substitute(_ argv: [String], replicas: Int) -> [String] {
        argv.map { $0 == replicasPlaceholder ? String(replicas) : $0 }
    }

    private func runChecked(_ argv: [String]) async throws -> ProcessOutput {
        let output = try await ProcessRunner.run(
            argv: argv, timeoutSeconds: settings.timeoutSeconds, graceSeconds: settings.killGraceSeconds, environment: settings.environment)
        if output.signalled {
            throw OrchestratorError(
                .commandFailed, "\(argv.joined(separator: " ")) was killed by signal \(output.exitStatus); stderr: \(quoted(output.standardError))")
        }
        guard output.exitStatus == 0 else {
            throw OrchestratorError(
                .commandFailed, "\(argv.joined(separator: " ")) exited with status \(output.exitStatus); stderr: \(quoted(output.standardError))")
        }
        return output
    }

    private func quoted(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return "\"\(trimmed.count > 200 ? String(trimmed.prefix(200)) + "…" : trimmed)\""
    }
}
