/// The keys each mapping of the config file accepts: the validator's single source of truth
/// (and what the documentation test checks `docs/configuration.md` against).
public enum ConfigSchema {
    public static let root = ["controller", "sources", "orchestrators", "targets"]
    public static let controller = ["interval", "mode", "concurrency", "jitter", "backfill", "status", "decisionLog", "leaderElection", "scalingTargets"]
    public static let leaderElection = ["orchestrator", "namespace", "name"]
    public static let scalingTargets = ["orchestrator", "namespace"]
    public static let status = ["listen", "tokenFile", "requireTokenForReads"]
    public static let decisionLog = ["path", "retention"]

    public static let source = ["type", "url", "timeout", "auth", "tls"]
    /// Keys only some source types accept, beside `source`.
    public static let sourceByType: [SourceType: [String]] = [
        .prometheus: ["headers"], .json: ["headers"], .burrow: ["cluster"], .rabbitmq: [], .nats: [],
    ]
    public static let auth = ["bearerTokenFile", "username", "passwordFile"]
    public static let tls = ["caFile", "insecureSkipVerify"]

    public static let orchestrator = ["type"]
    public static let orchestratorByType: [OrchestratorType: [String]] = [
        .kubernetes: ["kubeconfig", "context"],
        .webhook: ["url", "timeout", "auth", "tls", "headers"],
        .command: ["timeout"],
        .processPool: ["timeout"],
    ]

    public static let target = [
        "name", "scale", "replicas", "metrics", "capacity", "utilization", "slo", "startup",
        "partitions", "tolerance", "staleAfter", "behavior", "forecast", "reactive", "fallback", "mode", "scaleToZero",
        "burst", "learnStartup",
    ]
    public static let scale = ["orchestrator"]
    public static let scaleByType: [OrchestratorType: [String]] = [
        .kubernetes: ["kind", "namespace", "name", "apiVersion", "resource"],
        .command: ["get", "set"],
        .webhook: ["name"],
        .processPool: ["command"],
    ]
    public static let replicas = ["min", "max"]
    public static let metrics = ["lag", "arrivalRate", "throughput"]
    public static let metric = ["source"]
    public static let metricBySourceType: [SourceType: [String]] = [
        .prometheus: ["query"],
        .burrow: ["group"],
        .rabbitmq: ["queue", "vhost"],
        .nats: ["stream", "consumer"],
        .json: ["pointer", "path"],
    ]
    public static let capacity = ["perReplica", "learn", "initial", "min", "max"]
    public static let slo = ["latency"]
    public static let behavior = ["scaleUp", "scaleDown"]
    public static let rules = ["stabilizationWindow", "selectPolicy", "policies"]
    public static let ratePolicy = ["type", "value", "period"]
    public static let forecast = ["enabled", "scaleDown", "quantile", "release", "maxError", "tripOnDrift"]
    public static let fallback = ["after", "replicas", "scaleDown"]
    public static let reactive = ["floor", "lagThreshold", "utilization"]
    public static let burst = ["enabled", "ratio", "hold"]
    public static let scaleToZero = [
        "activationLag", "activationArrivalRate", "idlePeriod", "minWhenActive", "predictiveWake", "forecastActivationRate",
    ]

    /// Every key any mapping accepts (source, orchestrator and target names aside).
    public static var allKeys: Set<String> {
        var keys = Set(root + controller + status + decisionLog + leaderElection + scalingTargets + source + auth + tls + orchestrator)
        keys.formUnion(target + scale + replicas + metrics + metric + capacity + slo + behavior)
        keys.formUnion(rules + ratePolicy + forecast + reactive + fallback + scaleToZero + burst)
        for list in sourceByType.values { keys.formUnion(list) }
        for list in orchestratorByType.values { keys.formUnion(list) }
        for list in scaleByType.values { keys.formUnion(list) }
        for list in metricBySourceType.values { keys.formUnion(list) }
        return keys
    }

    /// The union of the type-specific keys of one kind of mapping, in a stable order.
    static func union<T>(_ byType: [T: [String]], order: [T]) -> [String] {
        var seen = Set<String>(), out: [String] = []
        for type in order { for key in byType[type] ?? [] where seen.insert(key).inserted { out.append(key) } }
        return out
    }
}
