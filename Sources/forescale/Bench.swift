import ArgumentParser
import Forecast
import ForescaleConfig
import Foundation
import Simulation

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks: times and memory (build with -c release for meaningful figures).",
        subcommands: [BenchForecast.self, BenchMemory.self])
}

struct BenchForecast: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "Time a full fit on 14 days of minutes and the incremental update per point.",
        discussion: """
            Series: the first 20,160 rows of --trace (one per minute, as rates), or by default a \
            deterministic synthetic daily-seasonal series (level 100/s, daily sine of amplitude 40, \
            a weekly modulation of ±10 %, Gaussian noise σ = 5).

            1. The production model is chosen once, as the forecaster does: period detection on the \
            series (snapped to calendar periods), then rolling-origin selection among the default \
            candidates at the 135 s horizon (3 buckets), here on all 20,160 points with a one-day \
            hold-out (the forecaster itself selects on its last 7 days).
            2. Full fit: heuristic initialisation plus the bounded Nelder-Mead fit of that model's \
            parameters on all 20,160 points (HoltWintersFitter.run), repeated; median and p90.
            3. Incremental update: the fitted model fed the following values (1,440 for the \
            synthetic series, the rest of the trace otherwise) one at a time (HoltWinters.update, \
            O(1)); time per point over the pass, repeated; median and p90.
            Fit times are given as wall clock and as the thread's CPU time (the two agree on an \
            idle machine; on a shared one the CPU time is the figure that reflects the code).
            Also shown, for context: the fit of additive Holt-Winters with damped trend and the \
            detected season (thread CPU time), the full selection (all candidates), and the production \
            forecaster's observe() per 1-minute bucket amortised over a day (conformal scores, \
            drift detector and four re-selections included).
            """)

    @Option(help: "A timestamp,value CSV with 1-minute rows (at least 20,160 of them); default: synthetic.")
    var trace: String?

    @Option(help: "Repetitions of each timed measurement.")
    var repetitions = 15

    func validate() throws {
        guard repetitions >= 1, repetitions <= 10_000 else {
            throw ValidationError("--repetitions: must be 1–10000, got \(repetitions)")
        }
    }

    static let points = 20_160

    func run() throws {
        let (series, source) = try loadSeries()
        let train = Array(series[0 ..< Self.points])
        let more = Array(series[Self.points ..< series.count])
        let clock = ContinuousClock()
        let seconds = Self.seconds
        print("series: \(source)")

        // 1. Choose the production model.
        let defaults = ArrivalForecasterConfiguration()
        let detector = PeriodDetector(minPeriod: defaults.minPeriod, maxPeriod: defaults.maxPeriod)
        var detected = try? detector.detect(train)
        let snapped = Self.snap(detected?.period)
        if snapped != nil { detected?.period = snapped! }
        let positive = train.allSatisfy { $0 > 0 }
        let candidates = CandidateSpec.defaults(period: snapped, positive: positive)
        var selectionTimes: [Double] = []
        var outcome: SelectionOutcome?
        for _ in 0 ..< min(3, repetitions) {
            let t0 = clock.now
            var job = try ModelSelectionJob(series: train, horizon: 3, candidates: candidates, validation: defaults.maxValidationBuckets)
            outcome = job.run()
            selectionTimes.append(seconds(clock.now - t0))
        }
        guard let chosen = outcome, case .holtWinters(let selectedModel) = chosen.model else {
            print("selected: \(outcome?.model.name ?? "none") — not a Holt-Winters model; nothing to fit")
            return
        }
        let spec = selectedModel.spec
        print(
            "period detected: \(detected?.period.description ?? "none") (snapped from the ACF/periodogram), candidates: \(candidates.map(\.description).joined(separator: ", "))"
        )
        print("selected (rolling origin, 1,440-bucket hold-out, horizon 3): \(spec)")

        // 2. Full fit of the selected model on all 20,160 points.
        var fitTimes: [Double] = [], fitCPU: [Double] = []
        var fit: HoltWintersFit?
        for _ in 0 ..< repetitions {
            let c0 = Self.threadCPUSeconds()
            let t0 = clock.now
            var fitter = try HoltWintersFitter(series: train, spec: spec)
            fit = fitter.run()
            fitTimes.append(seconds(clock.now - t0))
            fitCPU.append(Self.threadCPUSeconds() - c0)
        }
        let p = fit!.model.parameters
        print("full fit of \(spec) on \(train.count) points: \(fit!.evaluations) objective evaluations, "
              + "α \(fmt(p.alpha, 4)) β \(fmt(p.beta, 4)) γ \(fmt(p.gamma, 4)) φ \(fmt(p.phi, 4)), SSE \(String(format: "%.6g", fit!.sse))")
        print(
            "  time: median \(fmt(Self.quantile(fitTimes, 0.5) * 1e3, 2)) ms, p90 \(fmt(Self.quantile(fitTimes, 0.9) * 1e3, 2)) ms, min \(fmt(fitTimes.min()! * 1e3, 2)) ms over \(repetitions) repetitions (wall clock)"
        )
        print(
            "  thread CPU time: median \(fmt(Self.quantile(fitCPU, 0.5) * 1e3, 2)) ms, p90 \(fmt(Self.quantile(fitCPU, 0.9) * 1e3, 2)) ms (excludes time the thread waited for a core on a loaded machine)"
        )

        // 3. Incremental update per point.
        var updateTimes: [Double] = []
        var checksum = 0.0
        for _ in 0 ..< max(repetitions, 31) {
            var m = fit!.model
            let t0 = clock.now
            for v in more { m.update(v) }
            updateTimes.append(seconds(clock.now - t0) / Double(more.count))
            checksum += m.forecast(steps: 3)
        }
        print(
            "incremental update (HoltWinters.update, \(more.count) points per pass): median \(fmt(Self.quantile(updateTimes, 0.5) * 1e9, 1)) ns, p90 \(fmt(Self.quantile(updateTimes, 0.9) * 1e9, 1)) ns per point over \(max(repetitions, 31)) passes"
        )

        // Context: a seasonal model's fit (what the selector fits when a season wins).
        let seasonalSpec = HoltWintersSpec(trend: true, damped: true, seasonal: .additive, period: snapped ?? 1440)
        var seasonalCPU: [Double] = []
        var seasonalFit: HoltWintersFit?
        for _ in 0 ..< min(5, repetitions) {
            let c0 = Self.threadCPUSeconds()
            var fitter = try HoltWintersFitter(series: train, spec: seasonalSpec)
            seasonalFit = fitter.run()
            seasonalCPU.append(Self.threadCPUSeconds() - c0)
        }
        print(
            "context: full fit of \(seasonalSpec) on \(train.count) points: \(seasonalFit!.evaluations) evaluations, thread CPU median \(fmt(Self.quantile(seasonalCPU, 0.5) * 1e3, 1)) ms over \(seasonalCPU.count)"
        )

        // Context: the whole selection, and the production forecaster per bucket.
        print(
            "context: full selection (\(candidates.count) candidates, detection excluded) median \(fmt(Self.quantile(selectionTimes, 0.5) * 1e3, 1)) ms over \(selectionTimes.count)"
        )
        var forecaster = try ArrivalForecaster()
        try forecaster.seed(history: train.enumerated().map { (time: Double($0.offset) * 60, rate: $0.element) })
        let day = more.prefix(1440)
        let t0 = clock.now
        for (i, v) in day.enumerated() {
            try forecaster.observe(time: Double(Self.points + i) * 60, rate: v)
        }
        let perBucket = seconds(clock.now - t0) / Double(day.count)
        checksum += forecaster.forecast(horizonSeconds: 135)?.upper ?? 0
        print(
            "context: ArrivalForecaster.observe per 1-minute bucket over one day after seeding 14 days: \(fmt(perBucket * 1e6, 1)) µs amortised (\(forecaster.selections) selections; checksum \(fmt(checksum, 1)))"
        )
    }

    private func loadSeries() throws -> ([Double], String) {
        let needed = Self.points + 1440
        if let trace {
            let t = try Trace.load(path: trace)
            guard t.interval == 60 else { throw ValidationError("--trace: needs 1-minute rows, \(trace) has \(ConfigValues.formatDuration(t.interval)) rows") }
            guard t.counts.count >= needed else {
                throw ValidationError("--trace: needs at least \(needed) rows (14 days + 1 day), \(trace) has \(t.counts.count)")
            }
            return (t.counts.map { $0 / 60 }, "\(t.name), first \(Self.points) rows (rates per second); then the following rows for the updates")
        }
        var noise = SyntheticNoise()
        let series = (0 ..< needed).map { t -> Double in
            let daily = 40 * sin(2 * Double.pi * Double(t) / 1440)
            let weekly = 1 + 0.1 * sin(2 * Double.pi * Double(t) / 10_080)
            return max(0, (100 + daily) * weekly + 5 * noise.normal())
        }
        return (series, "synthetic daily-seasonal, 14 days of minutes (level 100/s, daily amplitude 40, weekly ±10 %, noise σ 5, seed fixed)")
    }

    /// A duration in seconds.
    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// CPU time consumed by the calling thread, seconds.
    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    static func snap(_ period: Int?) -> Int? {
        guard let period else { return nil }
        for buckets in [60, 1440, 10_080] where abs(Double(period - buckets)) <= 0.03 * Double(buckets) { return buckets }
        return period
    }

    static func quantile(_ xs: [Double], _ q: Double) -> Double {
        let s = xs.sorted()
        return s[min(s.count - 1, Int((Double(s.count - 1) * q).rounded()))]
    }
}


