// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "forescale",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "forescale", targets: ["forescale"]),
        .library(name: "Planner", targets: ["Planner"]),
        .library(name: "Forecast", targets: ["Forecast"]),
        .library(name: "ForescaleConfig", targets: ["ForescaleConfig"]),
        .library(name: "Simulation", targets: ["Simulation"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // Pure time-series forecasting: Foundation at most, no I/O, no clock reads.
        .target(name: "Forecast"),
        // The pure decision core: domain values, capacity, planner, guardrails, reactive baseline.
        // Imports nothing beyond the Swift standard library (checked by PlannerTests/PurityTests).
        .target(name: "Planner"),
        // YAML config: parsing, strict validation with key paths, mapping to ScalingPolicy.
        .target(
            name: "ForescaleConfig",
            dependencies: ["Planner", .product(name: "Yams", package: "Yams")]
        ),
        // The queue simulator, the standard scenario and the baseline policies.
        .target(name: "Simulation", dependencies: ["Planner", "Forecast"]),
        .executableTarget(
            name: "forescale",
            dependencies: [
                "Planner", "ForescaleConfig", "Simulation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "PlannerTests", dependencies: ["Planner"]),
        .testTarget(name: "ForecastTests", dependencies: ["Forecast"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ConfigTests", dependencies: ["ForescaleConfig", "Planner"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "Planner"]),
        .testTarget(name: "CLITests", dependencies: ["forescale"]),
    ],
    swiftLanguageModes: [.v6]
)
