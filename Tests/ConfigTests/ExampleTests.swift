import Endpoints
import ForescaleConfig
import Foundation
import MetricSources
import Planner
import Testing

@Suite("Examples/*.yaml validate and map to the expected policies")
struct ExampleTests {
    static let examples = URL(fileURLWithPath: "Examples", relativeTo: repositoryRoot)

    static func load(_ name: String) throws -> Config {
        try ConfigLoader.load(path: examples.appendingPathComponent(name).path)
    }

    static var exampleNames: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: examples.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }

    @Test("every example validates")
    func everyExampleValidates() throws {
        let names = Self.exampleNames
        #expect(names.count >= 3, "no examples found in \(Self.examples.path)")
        for name in names {
            let result = ConfigLoader.loadResult(path: Self.examples.appendingPathComponent(name).path)
            if case .failure(let errors) = result { Issue.record("\(errors)") }
        }
    }

    /// The PromQL of a target's metrics, by metric.
    static func queries(_ target: TargetConfig) -> [String] {
        [target.metrics.lag, target.metrics.arrivalRate, target.metrics.throughput].map { metric -> String in
            if case .prometheus(let query)? = metric?.query { return query.query }
            return ""
        }
    }

    @Test("kafka-exporter.yaml and redis-streams.yaml use exactly the exporter presets' queries")
    func exporterExamplesMatchThePresets() throws {
        let kafka = try #require(try Self.load("kafka-exporter.yaml").targets.first)
        let preset = KafkaExporterPreset.kafkaExporter.queries(topic: "payments", group: "payments-settler")
        #expect(Self.queries(kafka) == [preset.lag, preset.arrivalRate, preset.throughput])
        let redis = try #require(try Self.load("redis-streams.yaml").targets.first)
        let streams = RedisStreamsPreset.queries(stream: "orders", group: "fulfilment")
        #expect(Self.queries(redis) == [streams.lag, streams.arrivalRate, streams.throughput])
    }

    @Test("the Deploy/kubernetes ConfigMap's config validates, with leader election on the k8s orchestrator")
    func deployConfigMapValidates() throws {
        let manifest = try String(contentsOf: URL(fileURLWithPath: "Deploy/kubernetes/configmap.yaml", relativeTo: repositoryRoot), encoding: .utf8)
        let lines = manifest.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex { $0.hasSuffix("config.yaml: |") })
        let body = lines[(start + 1)...].map { $0.hasPrefix("    ") ? String($0.dropFirst(4)) : $0 }.joined(separator: "\n")
        switch ConfigLoader.parse(yaml: body, file: "configmap.yaml") {
        case .failure(let errors): Issue.record("\(errors)")
        case .success(let config):
            #expect(config.controller.leaderElection == LeaderElectionConfig(orchestrator: "k8s", name: "forescale-leader"))
            #expect(config.controller.decisionLog.path == "/var/lib/forescale/decisions.sqlite")
        }
    }

    @Test("leader election must name a kubernetes orchestrator")
    func leaderElectionReference() throws {
        let base = try String(contentsOf: Self.examples.appendingPathComponent("rabbitmq.yaml"), encoding: .utf8)
        let names = try Self.load("rabbitmq.yaml").orchestrators.keys.sorted()
        let name = try #require(names.first)
        let text = base.replacingOccurrences(of: "controller:\n", with: "controller:\n  leaderElection: { orchestrator: \(name) }\n")
        guard case .failure(let errors) = ConfigLoader.parse(yaml: text, file: "x.yaml") else {
            Issue.record("a \(name) orchestrator was accepted for leader election")
            return
        }
        #expect(errors.description.contains("controller.leaderElection.orchestrator: '\(name)' is a"))
        let unknown = base.replacingOccurrences(of: "controller:\n", with: "controller:\n  leaderElection: { orchestrator: nope }\n")
        guard case .failure(let unknownErrors) = ConfigLoader.parse(yaml: unknown, file: "x.yaml") else {
            Issue.record("an unknown orchestrator was accepted")
            return
        }
        #expect(unknownErrors.description.contains("controller.leaderElection.orchestrator: unknown orchestrator 'nope'"))
    }

    @Test("kafka-burrow.yaml: a fixed-capacity Deployment with the default behaviour (HPA's scale-up, the plan's 600 s scale-down window)")
    func kafkaBurrow() throws {
        let config = try Self.load("kafka-burrow.yaml")
        #expect(config.controller.intervalSeconds == 15)
        #expect(config.controller.mode == .shadow)
        #expect(config.controller.status.listenHost == "127.0.0.1")
        #expect(config.controller.status.listenPort == 8080)
        #expect(config.controller.decisionLog.retentionSeconds == 14 * 86_400)
        #expect(config.sources["burrow"]?.cluster == "main")
        #expect(config.orchestrators["k8s"]?.type == .kubernetes)
        #expect(config.orchestrators["k8s"]?.kubeconfig == nil)
        let target = try #require(config.targets.first)
        #expect(target.name == "orders-consumer")
        #expect(
            target.scale
                == ScaleConfig(
                    orchestrator: "k8s", workload: .kubernetes(kind: .deployment, namespace: "shop", name: "orders-consumer", apiVersion: nil, resource: nil)))
        #expect(target.metrics.lag == MetricConfig(source: "burrow", query: .burrow(BurrowQuery(group: "orders-consumer"))))
        #expect(target.metrics.arrivalRate.query == .prometheus(PrometheusQuery(#"sum(rate(kafka_topic_partition_current_offset{topic="orders"}[1m]))"#)))
        #expect(target.mode == nil)
        #expect(config.effectiveMode(of: target) == .shadow)
        let expected = ScalingPolicy(
            minReplicas: 2, maxReplicas: 60, capacity: .fixed(perReplica: 250), targetUtilization: 0.8,
            latencySLOSeconds: 60, startupSeconds: 120, partitions: 24, tolerance: 0.1,
            scaleUp: .defaultScaleUp, scaleDown: .planScaleDown,
            forecast: ForecastUse(enabled: true, allowScaleDown: false), reactiveFloor: true,
            reactive: ReactiveBaselinePolicy(lagThreshold: 1000), staleAfterSeconds: 60
        )
        #expect(target.policy == expected)
        // The YAML sets no behaviour: the reactive baseline keeps HPA's 300 s scale-down window.
        #expect(target.policy.scaleDown.stabilizationWindowSeconds == 600)
        #expect(target.policy.reactive.scaleDown == .defaultScaleDown)
        #expect(target.policy.ceilingReplicas == 24)
    }

    @Test("rabbitmq.yaml: learned capacity and a slower scale-down")
    func rabbitmq() throws {
        let config = try Self.load("rabbitmq.yaml")
        #expect(config.controller.mode == .live)
        #expect(config.sources["rabbit"]?.endpoint.auth == .basic(username: "forescale", passwordFile: "/etc/forescale/rabbitmq-password"))
        let target = try #require(config.targets.first)
        #expect(
            target.scale.workload
                == .command(get: ["/usr/local/bin/workers", "count", "thumbnails"], set: ["/usr/local/bin/workers", "scale", "thumbnails", "{replicas}"]))
        #expect(target.metrics.lag.query == .rabbitMQ(RabbitMQQuery(vhost: "media", queue: "thumbnails")))
        #expect(target.policy.capacity == .learned(LearnedCapacity(initial: 40, minimum: 5, maximum: 400)))
        #expect(target.policy.scaleUp == .defaultScaleUp)
        #expect(
            target.policy.scaleDown
                == ScalingRules(stabilizationWindowSeconds: 600, selectPolicy: .max, policies: [RatePolicy(kind: .pods, value: 1, periodSeconds: 120)]))
        #expect(target.policy.latencySLOSeconds == 300)
    }

    @Test("nats-jetstream.yaml: a per-target live override")
    func nats() throws {
        let config = try Self.load("nats-jetstream.yaml")
        let target = try #require(config.targets.first)
        #expect(config.controller.mode == .shadow)
        #expect(target.mode == .live)
        #expect(config.effectiveMode(of: target) == .live)
        #expect(target.metrics.arrivalRate.query == .json(JSONQuery(pointer: "/invoices/publishedPerSecond")))
        #expect(target.metrics.throughput == nil)
        #expect(target.policy.minReplicas == 0)
        #expect(target.policy.capacity == .fixed(perReplica: 30))
        #expect(target.policy.targetUtilization == 0.7)
    }

    @Test("the summary names what is scaled, each metric, the bounds, capacity and mode")
    func summary() throws {
        let config = try Self.load("kafka-burrow.yaml")
        let text = ConfigSummary.render(config, file: "kafka-burrow.yaml")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "kafka-burrow.yaml: valid — 1 target, controller mode shadow, interval 15s")
        #expect(text.contains("target orders-consumer"))
        #expect(text.contains("Deployment shop/orders-consumer via k8s (kubernetes)"))
        #expect(text.contains("burrow (burrow): group orders-consumer in cluster main"))
        #expect(text.contains("prom (prometheus): query sum(rate(kafka_topic_partition_current_offset"))
        #expect(text.contains("2–60, capped at 24 by partitions"))
        #expect(text.contains("fixed 250/s per replica"))
        #expect(text.contains("shadow (controller default)"))
        #expect(lines.count <= 24)
    }
}

@Suite("Defaults and mappings to ScalingPolicy")
struct MappingTests {
    @Test("an omitted capacity is learned with no initial value; omitted behaviour is HPA's")
    func defaults() throws {
        let config = try SampleConfig([.target("capacity", nil)]).parse().get()
        let policy = config.targets[0].policy
        #expect(policy == ScalingPolicy(maxReplicas: 10, capacity: .learned(LearnedCapacity())))
        #expect(config.controller == ControllerConfig())
        #expect(config.sources["prom"]?.endpoint.timeoutSeconds == 5)
        #expect(config.orchestrators["hook"]?.timeoutSeconds == 10)
        #expect(config.orchestrators["cmd"]?.timeoutSeconds == 30)
    }

    @Test("a partly given behaviour keeps the defaults for the rest (HPA's scale-up, the plan's 600 s scale-down window)")
    func partialBehavior() throws {
        let config = try SampleConfig([.target("behavior", "{ scaleUp: { selectPolicy: Disabled }, scaleDown: { stabilizationWindow: 0s } }")]).parse().get()
        let policy = config.targets[0].policy
        #expect(policy.scaleUp == ScalingRules(stabilizationWindowSeconds: 0, selectPolicy: .disabled, policies: ScalingRules.defaultScaleUp.policies))
        #expect(policy.scaleDown == ScalingRules(stabilizationWindowSeconds: 0, selectPolicy: .max, policies: ScalingRules.defaultScaleDown.policies))
        let disabled = try SampleConfig([.target("behavior", "{ scaleDown: { selectPolicy: Disabled, policies: [] } }")]).parse().get()
        #expect(disabled.targets[0].policy.scaleDown.policies.isEmpty)
        let upOnly = try SampleConfig([.target("behavior", "{ scaleUp: { stabilizationWindow: 30s } }")]).parse().get()
        #expect(upOnly.targets[0].policy.scaleDown == .planScaleDown)
        let selectOnly = try SampleConfig([.target("behavior", "{ scaleDown: { selectPolicy: Min } }")]).parse().get()
        #expect(
            selectOnly.targets[0].policy.scaleDown
                == ScalingRules(stabilizationWindowSeconds: 600, selectPolicy: .min, policies: ScalingRules.planScaleDown.policies))
    }

    @Test("forecast, reactive and the remaining scalars map one to one")
    func scalars() throws {
        let config = try SampleConfig([
            .target("forecast", "{ enabled: false, scaleDown: true, quantile: 95%, release: false }"),
            .target("reactive", "{ floor: false, lagThreshold: 500, utilization: 70% }"),
            .target("slo", "{ latency: 2m }"), .target("startup", "0s"), .target("staleAfter", "90s"),
            .target("mode", "live"), .controller("mode", "shadow"),
        ]).parse().get()
        let policy = config.targets[0].policy
        #expect(policy.forecast == ForecastUse(enabled: false, allowScaleDown: true, upperQuantile: 0.95, release: false))
        #expect(policy.reactiveFloor == false)
        #expect(policy.reactive == ReactiveBaselinePolicy(lagThreshold: 500, targetUtilization: 0.7))
        #expect(policy.latencySLOSeconds == 120)
        #expect(policy.startupSeconds == 0)
        #expect(policy.staleAfterSeconds == 90)
        #expect(config.effectiveMode(of: config.targets[0]) == .live)
    }

    @Test("scaleToZero maps to the policy's sleep and wake-up settings; omitted keys keep the defaults")
    func scaleToZero() throws {
        let config = try SampleConfig([
            .target("replicas", "{ min: 0, max: 20 }"),
            .target("scaleToZero", "{ activationLag: 5, activationArrivalRate: 6/m, idlePeriod: 10m, minWhenActive: 2, predictiveWake: false }"),
        ]).parse().get()
        let policy = config.targets[0].policy
        #expect(policy.minReplicas == 0)
        #expect(policy.scaleToZero == ScaleToZero(
            activationLag: 5, activationArrivalRate: 0.1, idleSeconds: 600, minWhenActive: 2, predictiveWake: false))
        #expect(policy.awakeFloor == 2)
        let defaults = try SampleConfig([.target("replicas", "{ min: 0, max: 20 }")]).parse().get().targets[0].policy
        #expect(defaults.scaleToZero == ScaleToZero())
        #expect(abs(defaults.forecastActivationRate - 1.0 / 60) < 1e-12)
    }

    @Test("burst and learnStartup map to the policy; omitted keys keep the defaults")
    func burstAndStartup() throws {
        let config = try SampleConfig([
            .target("burst", "{ enabled: false, ratio: 3, hold: 2m }"), .target("learnStartup", "true"),
        ]).parse().get()
        let policy = config.targets[0].policy
        #expect(policy.burst == BurstPolicy(enabled: false, ratio: 3, holdSeconds: 120))
        #expect(policy.learnStartup)
        let defaults = try SampleConfig([]).parse().get().targets[0].policy
        #expect(defaults.burst == BurstPolicy(enabled: true, ratio: 2, holdSeconds: 60))
        #expect(!defaults.learnStartup)
    }

    @Test("other orchestrator and source types map to their workloads and queries")
    func workloads() throws {
        let custom = try SampleConfig([.target("scale", "{ orchestrator: k8s, kind: Custom, apiVersion: apps.example.com/v1, resource: workers, name: w }")])
            .parse().get()
        #expect(
            custom.targets[0].scale.workload
                == .kubernetes(kind: .custom, namespace: "default", name: "w", apiVersion: "apps.example.com/v1", resource: "workers"))
        let hook = try SampleConfig([.target("scale", "{ orchestrator: hook }")]).parse().get()
        #expect(hook.targets[0].scale.workload == .webhook(name: "orders"))
        let nats = try SampleConfig([
            .metrics(
                "{ lag: { source: nats, stream: S, consumer: c }, arrivalRate: { source: nats, stream: S }, throughput: { source: stats, pointer: '', path: /out } }"
            )
        ]).parse().get()
        #expect(nats.targets[0].metrics.arrivalRate.query == .nats(NATSQuery(stream: "S", consumer: "")))
        #expect(nats.targets[0].metrics.throughput?.query == .json(JSONQuery(path: "/out", pointer: "")))
    }

    @Test("auth and tls of a source")
    func authAndTLS() throws {
        let config = try SampleConfig([
            .source(
                "prom",
                "{ type: prometheus, url: 'https://p', auth: { bearerTokenFile: /t }, tls: { caFile: /ca, insecureSkipVerify: true }, headers: { X-Org: '1' } }"
            )
        ]).parse().get()
        let endpoint = try #require(config.sources["prom"]?.endpoint)
        #expect(endpoint.auth == .bearerTokenFile("/t"))
        #expect(endpoint.tls == TLSSettings(caFile: "/ca", insecureSkipVerify: true))
        #expect(endpoint.headers == ["X-Org": "1"])
    }
}

@Suite("Several mistakes are reported together")
struct ThreeMistakesTests {
    @Test("three-mistakes.yaml gives all three problems with their key paths, in file order")
    func threeMistakes() throws {
        let url = try #require(Bundle.module.url(forResource: "three-mistakes", withExtension: "yaml", subdirectory: "Fixtures"))
        let result = ConfigLoader.loadResult(path: url.path)
        guard case .failure(let errors) = result else {
            Issue.record("three-mistakes.yaml should not validate")
            return
        }
        #expect(errors.problems.map(\.path) == ["controller.interval", "targets[0].replicas.max", "targets[0].metrics.lag.source"])
        #expect(errors.problems.map(\.line) == [4, 28, 31])
        #expect(errors.problems[0].message == "not a duration: '15 seconds' (write a number and a unit: 500ms, 15s, 2m, 1h, 1d)")
        #expect(errors.problems[1].message == "must be ≥ min (2), got 1")
        #expect(errors.problems[2].message == "unknown source 'burow' (did you mean 'burrow'?; defined: burrow, prom)")
        #expect(errors.countLine.hasPrefix("3 problems in "))
    }
}
