import ArgumentParser
import Foundation
import Pipeline
import Planner

/// Measures what a warm target's forecaster holds: the production forecaster and its calibration
/// at the control horizon, fed days of ticks as the step feeds them.
struct BenchMemory: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory",
        abstract: "Measure the memory of warm targets' forecasters (resident set per target).",
        discussion: """
            Creates --targets production forecasters (the one `forescale run` gives each target, \
            default policy, start-up 120 s), feeds each --days of ticks every --tick seconds from \
            a deterministic synthetic series (a daily cycle between 20 and 180/s, ±10 % by day of \
            the week, noise σ 5; each target's phase shifted), asking it for the forecast at every \
            tick as the step does, and keeps them all. Prints the resident set (VmRSS) before and \
            after, the peak (VmHWM), and the growth per target. 14 days fill the forecaster's \
            history and two weekends its hour-of-week bins.
            """)

    @Option(help: "Targets to warm.")
    var targets = 20

    @Option(help: "Days of ticks fed to each target.")
    var days = 14.0

    @Option(help: "Seconds between ticks.")
    var tick = 15.0

    func validate() throws {
        guard targets >= 1, targets <= 10_000 else { throw ValidationError("--targets: must be 1–10000, got \(targets)") }
        guard days > 0, days <= 60 else { throw ValidationError("--days: must be in (0, 60], got \(days)") }
        guard tick >= 1, tick <= 3_600 else { throw ValidationError("--tick: must be 1–3600 seconds, got \(tick)") }
    }

    func run() throws {
        let policy = ScalingPolicy(maxReplicas: 100, capacity: .fixed(perReplica: 1))
        let ticks = Int(days * 86_400 / tick)
        let before = Self.status("VmRSS")
        var warmed: [any TickForecaster] = []
        warmed.reserveCapacity(targets)
        var noise = SyntheticNoise()
        let start = 1_700_000_000.0
        let clock = ContinuousClock()
        let began = clock.now
        for target in 0 ..< targets {
            guard var forecaster = TargetStep.productionForecaster(policy: policy, tickSeconds: tick) else {
                throw ValidationError("the production forecaster could not be made for --tick \(tick)")
            }
            let phase = Double(target) / Double(targets)
            for i in 0 ..< ticks {
                let time = start + Double(i) * tick
                let day = 2 * Double.pi * (time / 86_400 + phase)
                let week = 1 + 0.1 * sin(2 * Double.pi * time / 604_800)
                let rate = max(0, (100 + 80 * sin(day)) * week + 5 * noise.normal())
                forecaster.observe(time: time, rate: rate)
                _ = forecaster.forecast(horizonSeconds: policy.startupSeconds + tick)
            }
            warmed.append(forecaster)
        }
        let elapsed = clock.now - began
        let after = Self.status("VmRSS")
        let peak = Self.status("VmHWM")
        func mib(_ kib: Int?) -> String { kib.map { String(format: "%.1f MiB", Double($0) / 1024) } ?? "unknown" }
        print("targets \(warmed.count), \(ticks) ticks each (\(String(format: "%g", days)) days at \(String(format: "%g", tick)) s), fed in \(String(format: "%.1f", BenchForecast.seconds(elapsed))) s")
        print("resident before \(mib(before)), after \(mib(after)), peak \(mib(peak))")
        if let before, let after {
            let perTarget = Double(after - before) / Double(warmed.count)
            print(String(format: "per warm target %.0f KiB; at 1,000 targets %.0f MiB", perTarget, perTarget * 1000 / 1024))
        } else {
            print("per warm target unknown: /proc/self/status cannot be read on this platform")
        }
    }

    /// A `kB` field of /proc/self/status (Linux), in KiB; nil elsewhere.
    static func status(_ field: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).lazy.compactMap { Int($0) }.first
        }
        return nil
    }
}
