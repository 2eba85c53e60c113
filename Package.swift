// swift-tools-version: 6.1
import PackageDescription

let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOHTTP1", package: "swift-nio"),
    .product(name: "NIOSSL", package: "swift-nio-ssl"),
]

let package = Package(
    name: "forescale",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "forescale", targets: ["forescale"]),
        .library(name: "Planner", targets: ["Planner"]),
        .library(name: "Forecast", targets: ["Forecast"]),
        .library(name: "ForescaleConfig", targets: ["ForescaleConfig"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
        .library(name: "Endpoints", targets: ["Endpoints"]),
        .library(name: "JSON", targets: ["JSON"]),
        .library(name: "Clocks", targets: ["Clocks"]),
        .library(name: "Simulation", targets: ["Simulation"]),
        .library(name: "MetricSources", targets: ["MetricSources"]),
        .library(name: "Orchestrators", targets: ["Orchestrators"]),
        .library(name: "ForescaleTestKit", targets: ["ForescaleTestKit"]),
        .library(name: "DecisionStorage", targets: ["DecisionStorage"]),
        .library(name: "Controller", targets: ["Controller"]),
        .library(name: "StatusAPI", targets: ["StatusAPI"]),
        .library(name: "App", targets: ["App"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // Already in the graph through async-http-client; declared for TLSConfiguration (custom CAs, client certificates).
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // The status API's routes, types and input checks are generated from its OpenAPI document at build time.
        .package(url: "https://github.com/apple/swift-openapi-generator", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // Pure time-series forecasting: Foundation at most, no I/O, no clock reads.
        .target(name: "Forecast"),
        // The pure decision core: domain values, capacity, planner, guardrails, reactive baseline.
        // Imports nothing beyond the Swift standard library (checked by PlannerTests/PurityTests).
        .target(name: "Planner"),
        // What the config, the metric sources and the orchestrators share: how to reach an HTTP endpoint
        // (HTTPEndpoint, HTTPAuth, TLSSettings) and what a metric reference asks of its source (MetricQuery).
        // No dependencies.
        .target(name: "Endpoints"),
        // One JSON value and its strict RFC 8259 parser (duplicate keys refused on request), for the
        // metric sources, the status API's bodies and the replay protocol. Foundation only.
        .target(name: "JSON"),
        // The one time source (ControlClock): now, sleep, and the real deadline a span of it allows.
        .target(name: "Clocks", dependencies: [.product(name: "NIOCore", package: "swift-nio")]),
        // YAML config: parsing, strict validation with key paths, mapping to ScalingPolicy.
        .target(
            name: "ForescaleConfig",
            dependencies: ["Endpoints", "JSON", "Pipeline", "Planner", .product(name: "Yams", package: "Yams")]
        ),
        // One target's pure tick (forecast feeding, horizon, circuit breaker, decide, fallback,
        // overrides): what the controller, replay, simulate and the demo all call. No I/O, no clock.
        .target(name: "Pipeline", dependencies: ["Planner", "Forecast"]),
        // The queue simulator, the standard scenario, the baseline policies and the replay protocol.
        .target(name: "Simulation", dependencies: ["JSON", "Pipeline", "Planner", "Forecast"]),
        // Metric sources over HTTP (Prometheus, Burrow, RabbitMQ, NATS JetStream, JSON), one file per type.
        .target(
            name: "MetricSources",
            dependencies: ["Clocks", "Endpoints", "JSON", "Planner", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "Logging", package: "swift-log")] + nio
        ),
        // Orchestrator adapters: Kubernetes (REST + leader election), command, webhook, process pool.
        .target(
            name: "Orchestrators",
            dependencies: ["Clocks", "Endpoints", "JSON", "Planner", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "Yams", package: "Yams")] + nio
        ),
        // Test doubles shipped as a library: fake Kubernetes API server, in-process HTTP server, manual clock,
        // scripted metric source, recording orchestrator, in-memory decision store.
        .target(
            name: "ForescaleTestKit",
            dependencies: [
                "Clocks", "Controller", "DecisionStorage", "MetricSources", "Orchestrators", "Planner",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The decision log: its records, the narrow store protocols (writer, reader, state store)
        // and their SQLite implementation, `DecisionLog`. The one module that imports GRDB.
        .target(
            name: "DecisionStorage",
            dependencies: ["JSON", "Pipeline", "Planner", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // The controller: config wiring, the reconcile loop, shadow/live actuators, safety, the
        // metrics registry and what the status API reads (StatusBackend, the model types). No HTTP
        // server (that is StatusAPI, composed with this in App) and no SQLite (that is DecisionStorage).
        .target(
            name: "Controller",
            dependencies: [
                "DecisionStorage", "Endpoints", "JSON", "Pipeline", "Planner", "Forecast", "ForescaleConfig", "MetricSources", "Orchestrators",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The status API over HTTP (Hummingbird). Its operations, inputs and outputs and their route
        // registration are generated at build time from Sources/StatusAPI/openapi.yaml (the document it
        // also serves) by swift-openapi-generator; this target implements the generated
        // APIProtocol, authentication, error mapping, the status cache, the dashboard and /metrics.
        .target(
            name: "StatusAPI",
            dependencies: [
                "Controller", "DecisionStorage", "ForescaleConfig", "JSON", "Pipeline", "Planner",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            // openapi.yaml is the generator's input and the document GET /v1/openapi.yaml serves; it and
            // the dashboard are compiled into the binary (no resource bundle to ship beside it).
            resources: [.embedInCode("openapi.yaml"), .embedInCode("Resources/dashboard.html")],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        // The composition: the controller (Controller) and its status API (StatusAPI) in one service
        // group; what `forescale run` and the demo start.
        .target(
            name: "App",
            dependencies: [
                "Controller", "StatusAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // `forescale demo`: the controller on an accelerated clock against a simulated cluster served over HTTP.
        .target(
            name: "Demo",
            dependencies: [
                "App", "Controller", "DecisionStorage", "Simulation", "Planner", "ForescaleConfig", "MetricSources", "Orchestrators",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "forescale",
            dependencies: [
                "Planner", "ForescaleConfig", "Simulation", "MetricSources", "Orchestrators", "Controller", "DecisionStorage", "App", "Demo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Benchmark (not a test): 500 targets × 3 values from a local Prometheus; see Benchmarks/sources/run.sh.
        .executableTarget(name: "sources-bench", dependencies: ["MetricSources", "Planner"], path: "Benchmarks/sources", exclude: ["run.sh"]),
        // Benchmark fixture (not a test): the fake Kubernetes API and a JSON metrics endpoint for N targets, and a
        // fixed-rate HTTP load generator; the measured process is `forescale run` alone. See Benchmarks/controller/run.sh.
        .executableTarget(
            name: "controller-bench-fixture",
            dependencies: [
                "ForescaleTestKit",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/controller", exclude: ["run.sh", "README.md", "results.md"]
        ),
        .testTarget(name: "PlannerTests", dependencies: ["Planner", "ForescaleTestKit"]),
        .testTarget(name: "ForecastTests", dependencies: ["Forecast", "ForescaleTestKit"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "ConfigTests",
            dependencies: ["ForescaleConfig", "Endpoints", "JSON", "Pipeline", "Planner", "MetricSources", .product(name: "Yams", package: "Yams")],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "Pipeline", "Planner", "ForescaleTestKit"]),
        .testTarget(
            name: "MetricSourcesTests",
            dependencies: [
                "MetricSources", "JSON", "Planner", "ForescaleTestKit",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ] + nio
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "MetricSources", "Planner",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "OrchestratorsTests",
            dependencies: [
                "Orchestrators", "ForescaleTestKit", "Planner",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The Kubernetes adapter, informer and leader election against a real kube-apiserver v1.24 with etcd
        // (scripts/k8s/start.sh); skipped with a note when it is not running, a failure when CI=true.
        .testTarget(
            name: "KubernetesIntegrationTests",
            dependencies: [
                "Orchestrators", "Controller", "ForescaleConfig", "ForescaleTestKit", "JSON", "Pipeline", "Planner", "MetricSources",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(name: "CLITests", dependencies: ["forescale"]),
        // `forescale run` as a child process against a real Prometheus and the fake Kubernetes API.
        .testTarget(
            name: "ControllerIntegrationTests",
            dependencies: [
                "forescale", "Controller", "DecisionStorage", "ForescaleTestKit",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ControllerTests",
            dependencies: [
                "Controller", "DecisionStorage", "StatusAPI", "ForescaleTestKit", "Pipeline", "Planner", "ForescaleConfig", "MetricSources",
                "Orchestrators", "Simulation",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
