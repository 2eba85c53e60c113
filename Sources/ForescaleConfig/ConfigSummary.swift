import Endpoints
import Planner

/// The one-screen summary `forescale validate` prints for a valid config.
public enum ConfigSummary {
    /// A header line, then a block per target.
    public static func render(_ config: Config, file: String) -> String {
        let count = config.targets.count
        let cluster = config.controller.scalingTargets.map {
            " (plus the ScalingTarget objects in \($0.namespace.map { "namespace \($0)" } ?? "every namespace") through orchestrator \($0.orchestrator))"
        } ?? ""
        var lines = [
            "\(file): valid — \(count) \(count == 1 ? "target" : "targets")\(cluster), controller mode \(config.controller.mode.rawValue), interval \(ConfigValues.formatDuration(config.controller.intervalSeconds))"
        ]
        for target in config.targets {
            lines.append("")
            lines.append(contentsOf: render(target, in: config))
        }
        return lines.joined(separator: "\n")
    }

    /// The block of one target: its name, then indented `label  value` rows.
    public static func render(_ target: TargetConfig, in config: Config) -> [String] {
        let policy = target.policy
        var rows: [(String, String)] = [("scales", describeScale(target.scale, in: config))]
        rows.append(("lag", describeMetric(target.metrics.lag, in: config)))
        rows.append(("arrivalRate", describeMetric(target.metrics.arrivalRate, in: config)))
        if let throughput = target.metrics.throughput {
            rows.append(("throughput", describeMetric(throughput, in: config)))
        }
        var bounds = "\(policy.minReplicas)–\(policy.maxReplicas)"
        if let partitions = policy.partitions {
            bounds += partitions < policy.maxReplicas
                ? ", capped at \(partitions) by partitions" : " (\(partitions) partitions)"
        }
        rows.append(("replicas", bounds))
        rows.append(("capacity", describeCapacity(policy.capacity)))
        rows.append(
            (
                "plan",
                "utilization \(ConfigValues.formatPercent(policy.targetUtilization)), latency SLO \(ConfigValues.formatDuration(policy.latencySLOSeconds)), start-up \(ConfigValues.formatDuration(policy.startupSeconds)), tolerance \(ConfigValues.formatPercent(policy.tolerance))"
            ))
        let forecast = policy.forecast.enabled
            ? "forecast on (\(policy.forecast.allowScaleDown ? "may also lower the plan" : "only raises the plan")\(policy.releaseSeconds.map { "; held plans released after \(ConfigValues.formatDuration($0))" } ?? ""))"
            : "forecast off"
        rows.append(
            (
                "guards",
                "\(forecast), reactive floor \(policy.reactiveFloor ? "on" : "off"), stale after \(ConfigValues.formatDuration(policy.staleAfterSeconds))"
            ))
        let mode = config.effectiveMode(of: target)
        rows.append(("mode", "\(mode.rawValue) (\(target.mode == nil ? "controller default" : "target override"))"))
        let width = rows.map(\.0.count).max() ?? 0
        return ["target \(target.name)"] + rows.map { label, value in
            "  " + label + String(repeating: " ", count: width - label.count + 2) + value
        }
    }

    static func describeScale(_ scale: ScaleConfig, in config: Config) -> String {
        let via = "via \(scale.orchestrator) (\(config.orchestrators[scale.orchestrator]?.type.rawValue ?? "?"))"
        switch scale.workload {
        case let .kubernetes(kind, namespace, name, apiVersion, resource):
            if kind == .custom {
                return "\(resource ?? "?").\(apiVersion ?? "?") \(namespace)/\(name) \(via)"
            }
            return "\(kind.rawValue) \(namespace)/\(name) \(via)"
        case let .command(get, set):
            return "command: get `\(get.joined(separator: " "))`, set `\(set.joined(separator: " "))` \(via)"
        case let .webhook(name):
            return "workload '\(name)' \(via)"
        case let .processPool(command):
            return "process pool of `\(command.joined(separator: " "))` \(via)"
        }
    }

    static func describeMetric(_ metric: MetricConfig, in config: Config) -> String {
        let what: String
        switch metric.query {
        case let .prometheus(query): what = "query \(query.query)"
        case let .burrow(query):
            let cluster = config.sources[metric.source]?.cluster.map { " in cluster \($0)" } ?? ""
            what = "group \(query.group)\(cluster)"
        case let .rabbitMQ(query): what = "queue \(query.queue) in vhost \(query.vhost)"
        case let .nats(query): what = "stream \(query.stream)" + (query.consumer.isEmpty ? "" : ", consumer \(query.consumer)")
        case let .json(query): what = "pointer '\(query.pointer)'" + (query.path.isEmpty ? "" : " at \(query.path)")
        }
        return "\(metric.source) (\(metric.query.sourceType)): \(what)"
    }

    static func describeCapacity(_ capacity: CapacityPolicy) -> String {
        switch capacity {
        case let .fixed(perReplica):
            return "fixed \(ConfigValues.formatRate(perReplica)) per replica"
        case let .learned(learned):
            var parts: [String] = []
            parts.append(learned.initial.map { "initial \(ConfigValues.formatRate($0))" } ?? "no initial value: holds until learned")
            switch (learned.minimum, learned.maximum) {
            case let (min?, max?): parts.append("bounds \(ConfigValues.formatRate(min))–\(ConfigValues.formatRate(max))")
            case let (min?, nil): parts.append("at least \(ConfigValues.formatRate(min))")
            case let (nil, max?): parts.append("at most \(ConfigValues.formatRate(max))")
            case (nil, nil): break
            }
            return "learned from throughput (\(parts.joined(separator: ", ")))"
        }
    }
}
