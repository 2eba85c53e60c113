import ForescaleConfig
import Testing

/// One rule: edits that break the sample config in exactly one way, and the problem expected.
struct RuleCase: Sendable, CustomTestStringConvertible {
    let edits: [Edit]
    let path: String
    let message: String
    var testDescription: String { "\(path): \(message)" }

    init(_ path: String, _ message: String, _ edits: Edit...) {
        self.path = path
        self.message = message
        self.edits = edits
    }
}

let controllerRules: [RuleCase] = [
    RuleCase("controller.interval", "not a duration: '15 seconds' (write a number and a unit", .controller("interval", "15 seconds")),
    RuleCase("controller.interval", "missing unit: '15'", .controller("interval", "15")),
    RuleCase("controller.interval", "must be > 0 and ≤ 1h, got 2h", .controller("interval", "2h")),
    RuleCase("controller.interval", "must be > 0 and ≤ 1h, got 0s", .controller("interval", "0s")),
    RuleCase("controller.intervall", "unknown key (did you mean 'interval'?)", .controller("intervall", "15s")),
    RuleCase("controller.mode", "must be one of shadow, live, got 'Live' (did you mean 'live'?)", .controller("mode", "Live")),
    RuleCase("controller.status.listen", "expected host:port", .controller("status", "{ listen: localhost }")),
    RuleCase("controller.status.listen", "port must be 1–65535, got 70000", .controller("status", "{ listen: '127.0.0.1:70000' }")),
    RuleCase("controller.status.requireTokenForReads", "expected true or false, got 'yes'", .controller("status", "{ requireTokenForReads: yes }")),
    RuleCase("controller.decisionLog.retention", "must be ≥ 1h, got 30m", .controller("decisionLog", "{ retention: 30m }")),
    RuleCase("controller.status", "expected a mapping, got a list", .controller("status", "[127.0.0.1]")),
    RuleCase("sorces", "unknown key (did you mean 'sources'?)", .controller("interval", "15s\nsorces: {}")),
    RuleCase("controller.concurrency", "must be 1–1000 (targets ticking at the same time), got 0", .controller("concurrency", "0")),
    RuleCase("controller.jitter", "must be 0–0.5", .controller("jitter", "80%")),
    RuleCase("controller.backfill", "must be ≤ 14d", .controller("backfill", "15d")),
]

let sourceRules: [RuleCase] = [
    RuleCase("sources.prom.timeout", "must be shorter than controller.interval (10s), got 10s",
             .controller("interval", "10s"), .source("prom", "{ type: prometheus, url: 'http://p:9090', timeout: 10s }")),
    RuleCase("sources.prom.timeout", "missing unit: '5'", .source("prom", "{ type: prometheus, url: 'http://p:9090', timeout: 5 }")),
    RuleCase("sources.prom.url", "not an http or https URL with a host: 'ftp://p'", .source("prom", "{ type: prometheus, url: 'ftp://p' }")),
    RuleCase("sources.prom.url", "not an http or https URL", .source("prom", "{ type: prometheus, url: 'http://' }")),
    RuleCase("sources.prom.url", "required key is missing", .source("prom", "{ type: prometheus }")),
    RuleCase("sources.prom.type", "required key is missing", .source("prom", "{ url: 'http://p:9090' }")),
    RuleCase("sources.prom.type", "must be one of prometheus, burrow, rabbitmq, nats, json, got 'promethus' (did you mean 'prometheus'?)",
             .source("prom", "{ type: promethus, url: 'http://p:9090' }")),
    RuleCase("sources.burrow.cluster", "required key is missing", .source("burrow", "{ type: burrow, url: 'http://b:8000' }")),
    RuleCase("sources.prom.cluster", "not allowed for a prometheus source", .source("prom", "{ type: prometheus, url: 'http://p:9090', cluster: main }")),
    RuleCase("sources.burrow.headers", "not allowed for a burrow source",
             .source("burrow", "{ type: burrow, url: 'http://b:8000', cluster: main, headers: { X-A: b } }")),
    RuleCase("sources.prom.headers.X-A", "expected a string, got a list", .source("prom", "{ type: prometheus, url: 'http://p:9090', headers: { X-A: [b] } }")),
    RuleCase("sources.Extra_1", "source names must match [a-z0-9][a-z0-9_-]*", .source("Extra_1", "{ type: prometheus, url: 'http://p:9090' }")),
    RuleCase("sources.prom.auth", "not both",
             .source("prom", "{ type: prometheus, url: 'http://p:9090', auth: { bearerTokenFile: /t, username: u, passwordFile: /p } }")),
    RuleCase("sources.prom.auth.passwordFile", "required with username", .source("prom", "{ type: prometheus, url: 'http://p:9090', auth: { username: u } }")),
    RuleCase(
        "sources.prom.tls.insecureSkipVerify", "expected true or false",
        .source("prom", "{ type: prometheus, url: 'http://p:9090', tls: { insecureSkipVerify: 'no' } }")),
    RuleCase(
        "sources.prom.tls.cafile", "unknown key (did you mean 'caFile'?)", .source("prom", "{ type: prometheus, url: 'http://p:9090', tls: { cafile: /ca } }")),
]

let orchestratorRules: [RuleCase] = [
    RuleCase("orchestrators.k8s.type", "got 'kubernets' (did you mean 'kubernetes'?)", .orchestrator("k8s", "{ type: kubernets }")),
    RuleCase("orchestrators.hook.url", "required key is missing", .orchestrator("hook", "{ type: webhook }")),
    RuleCase("orchestrators.k8s.timeout", "not allowed for a kubernetes orchestrator", .orchestrator("k8s", "{ type: kubernetes, timeout: 5s }")),
    RuleCase("orchestrators.cmd.timeout", "must be > 0, got 0s", .orchestrator("cmd", "{ type: command, timeout: 0s }")),
]

let scaleRules: [RuleCase] = [
    RuleCase(
        "targets[0].scale.orchestrator", "unknown orchestrator 'k8z' (did you mean 'k8s'?; defined: cmd, hook, k8s, pool)",
        .target("scale", "{ orchestrator: k8z, name: orders }")),
    RuleCase("targets[0].scale.orchestrator", "required key is missing", .target("scale", "{ name: orders }")),
    RuleCase("targets[0].fallback.after", "must be 1–1000 (consecutive failed ticks), got 0", .target("fallback", "{ after: 0 }")),
    RuleCase("targets[0].fallback.replicas", "expected 'keep' or a replica count, got 'kep'", .target("fallback", "{ replicas: kep }")),
    RuleCase("targets[0].fallback.replicas", "must be 'keep' or a count within replicas.min–max", .target("fallback", "{ replicas: 100000 }")),
    RuleCase("targets[0].fallback.scaledown", "unknown key (did you mean 'scaleDown'?)", .target("fallback", "{ scaledown: true }")),
    RuleCase("targets[0].forecast.maxError", "must be > 0", .target("forecast", "{ maxError: 0 }")),
    RuleCase("targets[0].forecast.tripOnDrift", "expected true or false", .target("forecast", "{ tripOnDrift: 'no' }")),
    RuleCase("targets[0].forecast.release", "expected true or false", .target("forecast", "{ release: sometimes }")),
    RuleCase("targets[0].scale.name", "required key is missing", .target("scale", "{ orchestrator: k8s }")),
    RuleCase("targets[0].scale.kind", "got 'Deploy'", .target("scale", "{ orchestrator: k8s, kind: Deploy, name: orders }")),
    RuleCase(
        "targets[0].scale.apiVersion", "required key is missing", .target("scale", "{ orchestrator: k8s, kind: Custom, name: orders, resource: workers }")),
    RuleCase(
        "targets[0].scale.apiVersion", "expected group/version",
        .target("scale", "{ orchestrator: k8s, kind: Custom, name: orders, resource: workers, apiVersion: v1 }")),
    RuleCase("targets[0].scale.resource", "only allowed with kind: Custom", .target("scale", "{ orchestrator: k8s, name: orders, resource: workers }")),
    RuleCase("targets[0].scale.get", "not allowed for a kubernetes orchestrator", .target("scale", "{ orchestrator: k8s, name: orders, get: [n] }")),
    RuleCase("targets[0].scale.get", "required key is missing", .target("scale", "{ orchestrator: cmd, set: [scale, '{replicas}'] }")),
    RuleCase("targets[0].scale.set", "must contain the element \"{replicas}\"", .target("scale", "{ orchestrator: cmd, get: [count], set: [scale] }")),
    RuleCase(
        "targets[0].scale.set", "replaced only as a whole list element", .target("scale", "{ orchestrator: cmd, get: [count], set: [scale, '--n={replicas}'] }")
    ),
    RuleCase("targets[0].scale.command", "expected a list of strings, got 'run.sh'", .target("scale", "{ orchestrator: pool, command: run.sh }")),
    RuleCase("targets[0].scale.command", "must not be empty", .target("scale", "{ orchestrator: pool, command: [] }")),
    RuleCase("targets[0].scale.namespace", "not allowed for a webhook orchestrator", .target("scale", "{ orchestrator: hook, namespace: shop }")),
]

let targetRules: [RuleCase] = [
    RuleCase("targets[0].name", "must be a DNS label", .target("name", "Orders_1")),
    RuleCase("targets[0].name", "required key is missing", .target("name", nil)),
    RuleCase("targets[0].replica", "unknown key (did you mean 'replicas'?)", .target("replica", "3")),
    RuleCase("targets[0].<<", "YAML merge keys are not supported", .target("<<", "{ startup: 10s }")),
    RuleCase("targets[0].STARTUP", "unknown key (did you mean 'startup'?)", .target("STARTUP", "10s")),
    RuleCase("targets[0].replicas.max", "must be ≥ min (2), got 1", .target("replicas", "{ min: 2, max: 1 }")),
    RuleCase("targets[0].replicas.max", "must be 1–10000, got 20000", .target("replicas", "{ max: 20000 }")),
    RuleCase("targets[0].replicas.max", "required key is missing", .target("replicas", "{ min: 1 }")),
    RuleCase("targets[0].replicas.max", "expected an integer, got 'ten'", .target("replicas", "{ max: ten }")),
    RuleCase("targets[0].replicas.max", "expected an integer, got the number 2.5", .target("replicas", "{ max: 2.5 }")),
    RuleCase("targets[0].replicas.min", "must be ≥ 0, got -1", .target("replicas", "{ min: -1, max: 3 }")),
    RuleCase("targets[0].replicas.maxx", "unknown key (did you mean 'max'?)", .target("replicas", "{ max: 3, maxx: 4 }")),
    RuleCase("targets[0].replicas", "expected a mapping, got a list", .target("replicas", "[1, 2]")),
    RuleCase("targets[0].replicas", "required key is missing", .target("replicas", nil)),
    RuleCase("targets[0].partitions", "must be ≥ replicas.min (2), got 1", .target("replicas", "{ min: 2, max: 5 }"), .target("partitions", "1")),
    RuleCase("targets[0].partitions", "must be ≥ 1, got 0", .target("replicas", "{ min: 0, max: 5 }"), .target("partitions", "0")),
    RuleCase("targets[0].mode", "must be one of shadow, live, got 'dry-run'", .target("mode", "dry-run")),
    RuleCase("targets[0].utilization", "must be > 0 and ≤ 1", .target("utilization", "0")),
    RuleCase("targets[0].utilization", "got 1.2", .target("utilization", "120%")),
    RuleCase("targets[0].utilization", "not a fraction: 'eighty'", .target("utilization", "eighty")),
    RuleCase("targets[0].tolerance", "must be ≥ 0 and < 1", .target("tolerance", "1")),
    RuleCase("targets[0].slo.latency", "must be > 0, got 0s", .target("slo", "{ latency: 0s }")),
    RuleCase("targets[0].startup", "must not be negative: '-5s'", .target("startup", "-5s")),
    RuleCase("targets[0].staleAfter", "must be ≥ controller.interval (15s), got 10s", .target("staleAfter", "10s")),
    RuleCase("targets[0].staleAfter", "must be ≥ controller.interval (2m), got 1m (the default)", .controller("interval", "2m")),
    RuleCase("targets[0].forecast.enabled", "expected true or false, got 'yes'", .target("forecast", "{ enabled: 'yes' }")),
    RuleCase("targets[0].burst.ratio", "must be > 1 and ≤ 100 (the multiple of the forecast median that is a burst), got 1",
             .target("burst", "{ ratio: 1 }")),
    RuleCase("targets[0].burst.hold", "must be 0–1h, got 2h", .target("burst", "{ hold: 2h }")),
    RuleCase("targets[0].burst.ratoi", "unknown key (did you mean 'ratio'?)", .target("burst", "{ ratoi: 3 }")),
    RuleCase("targets[0].learnStartup", "expected true or false, got 'yes'", .target("learnStartup", "yes")),
    RuleCase("targets[0].scaleToZero", "needs replicas.min: 0 (a target with min 1 never sleeps)",
             .target("replicas", "{ min: 1, max: 5 }"), .target("scaleToZero", "{ idlePeriod: 5m }")),
    RuleCase("targets[0].scaleToZero.idlePeriod", "must be > 0 and ≤ 1d, got 0s",
             .target("replicas", "{ min: 0, max: 5 }"), .target("scaleToZero", "{ idlePeriod: 0s }")),
    RuleCase("targets[0].scaleToZero.minWhenActive", "must be ≤ replicas.max (5), got 6",
             .target("replicas", "{ min: 0, max: 5 }"), .target("scaleToZero", "{ minWhenActive: 6 }")),
    RuleCase("targets[0].scaleToZero.minWhenActive", "must be ≥ 1 (replicas while awake), got 0",
             .target("replicas", "{ min: 0, max: 5 }"), .target("scaleToZero", "{ minWhenActive: 0 }")),
    RuleCase("targets[0].scaleToZero.activationLag", "must be ≥ 0 (messages of lag above which the target is active), got -1",
             .target("replicas", "{ min: 0, max: 5 }"), .target("scaleToZero", "{ activationLag: -1 }")),
    RuleCase("targets[0].scaleToZero.forecastActivationRate", "must be > 0, got 0/s",
             .target("replicas", "{ min: 0, max: 5 }"), .target("scaleToZero", "{ forecastActivationRate: 0 }")),
    RuleCase("targets[0].scaleToZero.idlePeriodd", "unknown key (did you mean 'idlePeriod'?)",
             .target("replicas", "{ min: 0, max: 5 }"), .target("scaleToZero", "{ idlePeriodd: 5m }")),
    RuleCase("targets[0].reactive.lagThreshold", "must be > 0", .target("reactive", "{ lagThreshold: 0 }")),
    RuleCase("targets[0].reactive.utilization", "must be > 0 and ≤ 1", .target("reactive", "{ utilization: 150% }")),
    RuleCase("targets[0].forecast.quantile", "must be > 0.5 and < 1", .target("forecast", "{ quantile: 0.4 }")),
    RuleCase("targets[0].forecast.quantile", "got 1", .target("forecast", "{ quantile: 100% }")),
]

let metricRules: [RuleCase] = [
    RuleCase("targets[0].metrics.lag.source", "unknown source 'burow' (did you mean 'burrow'?; defined: burrow, nats, prom, rabbit, stats)",
             .metrics("{ lag: { source: burow, group: g }, arrivalRate: { source: prom, query: q } }")),
    RuleCase("targets[0].metrics.arrivalRate.source", "burrow source, which gives only lag",
             .metrics("{ lag: { source: burrow, group: g }, arrivalRate: { source: burrow, group: g } }")),
    RuleCase("targets[0].metrics.arrivalRate", "required key is missing", .metrics("{ lag: { source: burrow, group: g } }")),
    RuleCase("targets[0].metrics.arrivalRate.query", "required key is missing",
             .metrics("{ lag: { source: burrow, group: g }, arrivalRate: { source: prom } }")),
    RuleCase("targets[0].metrics.arrivalRate.query", "must not be empty",
             .metrics("{ lag: { source: burrow, group: g }, arrivalRate: { source: prom, query: '' } }")),
    RuleCase("targets[0].metrics.lag.query", "not allowed for a burrow source",
             .metrics("{ lag: { source: burrow, group: g, query: q }, arrivalRate: { source: prom, query: q } }")),
    RuleCase("targets[0].metrics.lag.consumer", "required key is missing",
             .metrics("{ lag: { source: nats, stream: S }, arrivalRate: { source: nats, stream: S } }")),
    RuleCase("targets[0].metrics.lag.queue", "required key is missing",
             .metrics("{ lag: { source: rabbit }, arrivalRate: { source: rabbit, queue: q } }")),
    RuleCase("targets[0].metrics.arrivalRate.pointer", "not a JSON pointer",
             .metrics("{ lag: { source: burrow, group: g }, arrivalRate: { source: stats, pointer: data/rate } }")),
    RuleCase("targets[0].metrics.arrivalRate.pointer", "not a JSON pointer",
             .metrics("{ lag: { source: burrow, group: g }, arrivalRate: { source: stats, pointer: '/a~2' } }")),
    RuleCase("targets[0].metrics.arrivalRate.path", "must start with '/'",
             .metrics("{ lag: { source: burrow, group: g }, arrivalRate: { source: stats, pointer: /rate, path: stats } }")),
    RuleCase("targets[0].metrics.throughput", "required key is missing (capacity is learned",
             .metrics("{ lag: { source: burrow, group: g }, arrivalRate: { source: prom, query: q } }"), .target("capacity", "{ learn: true }")),
    RuleCase("targets[0].metrics.throughput", "required key is missing (capacity is learned",
             .metrics("{ lag: { source: burrow, group: g }, arrivalRate: { source: prom, query: q } }"), .target("capacity", nil)),
]

let capacityAndBehaviorRules: [RuleCase] = [
    RuleCase("targets[0].capacity.learn", "perReplica and learn: true are exclusive", .target("capacity", "{ perReplica: 250, learn: true }")),
    RuleCase("targets[0].capacity.learn", "learn: false needs perReplica", .target("capacity", "{ learn: false }")),
    RuleCase("targets[0].capacity.perReplica", "must be > 0, got 0/s", .target("capacity", "{ perReplica: 0 }")),
    RuleCase("targets[0].capacity.perReplica", "not a rate: '250 per second'", .target("capacity", "{ perReplica: 250 per second }")),
    RuleCase("targets[0].capacity.perReplica", "must not be negative", .target("capacity", "{ perReplica: -3 }")),
    RuleCase("targets[0].capacity.initial", "only used when capacity is learned", .target("capacity", "{ perReplica: 250, initial: 100 }")),
    RuleCase("targets[0].capacity.max", "must be ≥ min (100/s), got 10/s", .target("capacity", "{ learn: true, min: 100, max: 10 }")),
    RuleCase("targets[0].capacity.initial", "must be ≤ max (10/s), got 20/s", .target("capacity", "{ learn: true, initial: 20/s, max: 10 }")),
    RuleCase("targets[0].behavior.scaleUp.stabilizationWindow", "must be 0–3600s, got 2h", .target("behavior", "{ scaleUp: { stabilizationWindow: 2h } }")),
    RuleCase("targets[0].behavior.scaleUp.selectPolicy", "must be one of Max, Min, Disabled, got 'max' (did you mean 'Max'?)",
             .target("behavior", "{ scaleUp: { selectPolicy: max } }")),
    RuleCase(
        "targets[0].behavior.scaleDown.policies", "must not be empty unless selectPolicy is Disabled", .target("behavior", "{ scaleDown: { policies: [] } }")),
    RuleCase("targets[0].behavior.scaleUp.policies[0].type", "got 'Pod' (did you mean 'Pods'?)",
             .target("behavior", "{ scaleUp: { policies: [ { type: Pod, value: 4, period: 15s } ] } }")),
    RuleCase("targets[0].behavior.scaleUp.policies[0].value", "must be an integer > 0, got 0",
             .target("behavior", "{ scaleUp: { policies: [ { type: Pods, value: 0, period: 15s } ] } }")),
    RuleCase("targets[0].behavior.scaleUp.policies[1].period", "must be > 0 and ≤ 1800s, got 1h",
             .target("behavior", "{ scaleUp: { policies: [ { type: Pods, value: 4, period: 15s }, { type: Percent, value: 100, period: 1h } ] } }")),
    RuleCase("targets[0].behavior.scaleUp.policies[0].value", "required key is missing",
             .target("behavior", "{ scaleUp: { policies: [ { type: Pods, period: 15s } ] } }")),
    RuleCase("targets[0].behavior.scaledown", "unknown key (did you mean 'scaleDown'?)", .target("behavior", "{ scaledown: {} }")),
]

@Suite("Each rule reports exactly its problem, with its key path")
struct ValidationRuleTests {
    @Test("the sample config is valid")
    func sampleIsValid() throws {
        let config = try SampleConfig().parse().get()
        #expect(config.targets.map(\.name) == ["orders"])
    }

    @Test(arguments: controllerRules + sourceRules + orchestratorRules)
    func controllerSourcesAndOrchestrators(_ rule: RuleCase) { check(rule) }

    @Test(arguments: scaleRules + targetRules)
    func targets(_ rule: RuleCase) { check(rule) }

    @Test(arguments: metricRules + capacityAndBehaviorRules)
    func metricsCapacityAndBehavior(_ rule: RuleCase) { check(rule) }

    func check(_ rule: RuleCase) {
        let sample = SampleConfig(rule.edits)
        switch sample.parse() {
        case .success:
            Issue.record("expected \(rule.path): \(rule.message), but the config is valid:\n\(sample.yaml)")
        case .failure(let errors):
            #expect(errors.problems.count == 1, "\(errors.description)\n---\n\(sample.yaml)")
            let problem = errors.problems.first
            #expect(problem?.path == rule.path, "\(errors.description)")
            #expect(problem?.message.contains(rule.message) == true, "\(errors.description)")
            #expect(problem?.line != nil && problem?.column != nil, "\(errors.description)")
        }
    }
}

@Suite("An invalid value is reported once, not again by the checks that depend on it")
struct NoCascadeTests {
    @Test(arguments: [
        RuleCase("targets[0].staleAfter", "missing unit", .controller("interval", "2m"), .target("staleAfter", "90")),
        RuleCase(
            "sources.prom.timeout", "not a duration", .controller("interval", "3s"),
            .source("burrow", "{ type: burrow, url: 'http://b', cluster: c, timeout: 1s }"),
                 .source("rabbit", nil), .source("nats", nil), .source("stats", nil),
                 .source("prom", "{ type: prometheus, url: 'http://p', timeout: soon }")),
        RuleCase("controller.interval", "not a duration", .controller("interval", "fast"), .target("staleAfter", "1s")),
        RuleCase("sources.burrow.type", "required key is missing", .source("burrow", "{ url: 'http://b', cluster: c }")),
        RuleCase("targets[0].replicas.max", "expected an integer", .target("replicas", "{ min: 2, max: many }"), .target("partitions", "4")),
    ])
    func reportedOnce(_ rule: RuleCase) {
        ValidationRuleTests().check(rule)
    }
}
