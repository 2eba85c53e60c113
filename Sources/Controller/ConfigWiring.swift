import ForescaleConfig
import MetricSources
import Orchestrators
import Planner

/// Turns a validated config into the settings of the metric sources and orchestrators.
///
/// Everything here is mapping: the config module already checked every value, so the few things
/// that can still fail (an adapter refusing a setting) come back as `WiringError`s naming the key.
public enum ConfigWiring {
    /// `sources.<name>` → the metric source's settings.
    public static func sourceSettings(_ source: SourceConfig) -> SourceSettings {
        SourceSettings(name: source.name, type: source.type.rawValue, endpoint: source.endpoint, cluster: source.cluster)
    }

    /// `targets[].metrics.<metric>` → what to fetch for that value of the observation.
    public static func request(_ metric: MetricName, _ config: MetricConfig) -> MetricRequest {
        MetricRequest(metric: metric, query: config.query)
    }

    /// The values each target fetches, bound to one source instance per configured source.
    /// - Parameter only: a target name to keep, or `nil` for every target.
    public static func probeTargets(_ config: Config, only: String? = nil, context: SourceContext) throws(WiringError) -> [ProbeTarget] {
        var sources: [String: any MetricSource] = [:]
        for (name, source) in config.sources {
            do {
                sources[name] = try context.registry.make(sourceSettings(source), context: context)
            } catch {
                throw WiringError("sources.\(name): \(error.message)")
            }
        }
        let chosen = config.targets.filter { only == nil || $0.name == only }
        if let only, chosen.isEmpty {
            throw WiringError("no target named '\(only)' (targets: \(config.targets.map(\.name).joined(separator: ", ")))")
        }
        return chosen.map { target in
            let metrics: [(MetricName, MetricConfig?)] = [
                (.lag, target.metrics.lag), (.arrivalRate, target.metrics.arrivalRate), (.throughput, target.metrics.throughput),
            ]
            let values = metrics.compactMap { metric, reference -> BoundRequest? in
                guard let reference, let source = sources[reference.source] else { return nil }
                return BoundRequest(source: source, request: request(metric, reference))
            }
            return ProbeTarget(name: target.name, values: values)
        }
    }

    /// `orchestrators.<name>` → the adapter's settings.
    public static func orchestratorSettings(_ config: OrchestratorConfig) -> OrchestratorSettings {
        switch config.type {
        case .kubernetes:
            return .kubernetes(KubernetesSettings(kubeconfigPath: config.kubeconfig, context: config.context))
        case .command:
            return .command(timeoutSeconds: config.timeoutSeconds ?? 30)
        case .processPool:
            return .processPool(stopGraceSeconds: config.timeoutSeconds ?? 30)
        case .webhook:
            // The config requires a webhook's url; the empty one only reaches the adapter's own check.
            return .webhook(WebhookSettings(endpoint: config.endpoint ?? HTTPEndpoint(url: "", timeoutSeconds: 10)))
        }
    }

    /// The settings of the kubernetes orchestrator `name`; `nil` when there is none of that name
    /// or it is of another type.
    public static func kubernetesSettings(_ name: String, in config: Config) -> KubernetesSettings? {
        guard let orchestrator = config.orchestrators[name], case .kubernetes(let settings) = orchestratorSettings(orchestrator) else { return nil }
        return settings
    }

    /// `targets[].scale` → what the adapter scales.
    public static func scaleSettings(_ target: TargetConfig) throws(WiringError) -> TargetScaleSettings {
        switch target.scale.workload {
        case .kubernetes(let kind, let namespace, let name, let apiVersion, let resource):
            switch kind {
            case .deployment: return .kubernetes(KubernetesTarget(kind: .deployment, namespace: namespace, name: name))
            case .statefulSet: return .kubernetes(KubernetesTarget(kind: .statefulSet, namespace: namespace, name: name))
            case .replicaSet: return .kubernetes(KubernetesTarget(kind: .replicaSet, namespace: namespace, name: name))
            case .custom:
                do {
                    return .kubernetes(try KubernetesTarget.custom(
                        apiVersion: apiVersion ?? "", resource: resource ?? "", namespace: namespace, name: name))
                } catch {
                    throw WiringError("targets.\(target.name).scale: \(error)")
                }
            }
        case .command(let get, let set): return .command(get: get, set: set)
        case .webhook(let name): return .webhook(name: name)
        case .processPool(let command): return .processPool(command: command)
        }
    }

    /// The orchestrator of one target, through `factory` (which owns clients and process pools).
    public static func orchestrator(for target: TargetConfig, in config: Config, factory: OrchestratorFactory) async throws(WiringError)
        -> any Orchestrator
    {
        guard let orchestrator = config.orchestrators[target.scale.orchestrator] else {
            throw WiringError("targets.\(target.name).scale.orchestrator: unknown orchestrator '\(target.scale.orchestrator)'")
        }
        let scale = try scaleSettings(target)
        do {
            return try await factory.orchestrator(
                named: orchestrator.name, settings: orchestratorSettings(orchestrator), target: scale, for: target.name)
        } catch {
            throw WiringError("orchestrators.\(orchestrator.name): \(error)")
        }
    }
}

/// A config that validated but that an adapter cannot use, with the key it concerns.
public struct WiringError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
