import ArgumentParser
import Forecast
import ForescaleConfig
import Foundation
import Pipeline
import Planner
import Simulation

struct Backtest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rolling-origin evaluation of the forecaster on a timestamp,value trace.",
        discussion: """
            The trace is fed to a fresh forecaster one row at a time (values are counts per row, \
            divided by the row interval for a rate); after each row the forecast at the horizon is \
            recorded and later scored against the realised bucket. The forecaster only sees the past.

            Rows finer than the horizon: 1-minute buckets (or the row interval when it is longer; \
            15-second buckets, the controller's tick, for a trace shorter than a day with rows of \
            15 s or finer, which at 1 minute would score too few forecasts to measure a coverage; \
            or --bucket), the horizon as given, MASE scaled by the naive forecast at the same horizon \
            (the last closed bucket at issue time). Default settings of the production forecaster, \
            with the settings it means as spans of time kept in time at other bucket widths \
            (warm-up 1 h, re-selection every 6 h, fit window 7 days, hold-out up to 1 day, \
            conformal window 1 day, history 14 days: at 15-second buckets 240, 1,440, 40,320, \
            5,760, 5,760 and 80,640 buckets), except that a trace shorter than two hours warms up \
            on half of its buckets (at least 20).

            Rows coarser than the horizon (e.g. 5-minute, 30-minute, hourly): the buckets are the \
            rows, the horizon is one interval (the next row), and MASE is scaled by the seasonal \
            naive one day of rows back (288, 48, 24). Settings scaled to the row count of such \
            traces: warm-up \(Backtest.coarseWarmup) buckets, re-selection every \
            \(Backtest.coarseReselect) buckets, and otherwise the defaults (fit window up to \
            10,080 buckets, hold-out up to 1,440, conformal window 1,440).

            With --tick (e.g. 15s), the production forecaster is also run as the controller runs it, \
            on the trace's first 21 days (as `forescale simulate`): fed the trace's rate every tick and asked each tick for the horizon, each forecast \
            scored against the rate of the tick that ends at its horizon (MASE against the rate \
            when it was made, median and upper coverage, band width): "at the control horizon".

            Times are measured here, around the pure backtest: wall clock of the whole run (and \
            per row) and the thread's CPU time; the forecaster itself reads no clock.
            """)

    static let coarseWarmup = 48
    static let coarseReselect = 48

    @Option(name: .long, help: "A timestamp,value CSV: Unix seconds at the start of each row, arrivals in the row.")
    var trace: String

    @Option(help: "Forecast horizon (a duration: 135s, 2m).")
    var horizon = "135s"

    @Option(help: "Upper quantile whose coverage is measured, in (0.5, 1).")
    var quantile = 0.9

    @Option(help: """
        Bucket width (a duration, e.g. 15s; default 1m, or the row interval when it is longer, or 15s for a trace shorter than a day with rows of 15 s or finer). \
        Must be > 0, at most the horizon, and no finer than the trace's rows; not for traces \
        coarser than the horizon (their buckets are the rows).
        """)
    var bucket: String?

    @Option(name: .customLong("score-after"),
            help: "Score only forecasts whose target is at least this long after the trace's start (a duration, e.g. 2d; default: all).")
    var scoreAfter: String?

    @Option(help: "Also score at the control horizon: the controller's tick (a duration, e.g. 15s), at most the horizon.")
    var tick: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func validate() throws {
        let h = try Self.parseDuration(horizon, option: "--horizon")
        guard h > 0 else { throw ValidationError("--horizon: must be > 0, got '\(horizon)'") }
        guard quantile.isFinite, quantile > 0.5, quantile < 1 else {
            throw ValidationError("--quantile: must be in (0.5, 1), got \(quantile)")
        }
        if let scoreAfter { _ = try Self.parseDuration(scoreAfter, option: "--score-after") }
        if let tick {
            let t = try Self.parseDuration(tick, option: "--tick")
            guard t >= 1, t <= h else { throw ValidationError("--tick: must be ≥ 1s and at most the horizon (\(horizon)), got '\(tick)'") }
        }
        if let bucket {
            let b = try Self.parseDuration(bucket, option: "--bucket")
            guard b > 0 else { throw ValidationError("--bucket: must be > 0, got '\(bucket)'") }
            guard b <= h else {
                throw ValidationError("--bucket: must be at most the horizon (\(horizon)), got '\(bucket)'")
            }
        }
    }

    static func parseDuration(_ text: String, option: String) throws -> Double {
        switch ConfigValues.duration(text) {
        case .success(let seconds): return seconds
        case .failure(let error): throw ValidationError("\(option): \(error.message)")
        }
    }

    func run() throws {
        let horizonSeconds = try Self.parseDuration(horizon, option: "--horizon")
        let skip = try scoreAfter.map { try Self.parseDuration($0, option: "--score-after") }
        let bucketSeconds = try bucket.map { try Self.parseDuration($0, option: "--bucket") }
        let loaded = try Trace.load(path: trace)
        if let bucket, let b = bucketSeconds {
            if let problem = BacktestPlan.bucketProblem(bucketSeconds: b, interval: loaded.interval, horizonSeconds: horizonSeconds) {
                throw ValidationError("--bucket \(bucket): \(problem)")
            }
        }
        let plan: BacktestPlan
        do {
            plan = try BacktestPlan(interval: loaded.interval, horizonSeconds: horizonSeconds, quantile: quantile,
                                    spanSeconds: loaded.spanSeconds, bucketSeconds: bucketSeconds)
        } catch {
            throw ValidationError("\(trace): \(Self.describe(error))")
        }
        let series = zip(loaded.timestamps, loaded.counts).map { (time: $0, value: $1 / loaded.interval) }
        let clock = ContinuousClock()
        let cpuStarted = BenchForecast.threadCPUSeconds()
        let started = clock.now
        let report: BacktestReport
        do {
            report = try Forecast.backtest(series: series, configuration: plan.configuration,
                                           horizonSeconds: plan.forecastHorizonSeconds,
                                           maseNaiveSeason: plan.naiveSeason,
                                           scoreFrom: skip.map { loaded.start + $0 })
        } catch {
            throw ValidationError("\(trace): \(Self.describe(error))")
        }
        let elapsed = clock.now - started
        let cpu = BenchForecast.threadCPUSeconds() - cpuStarted
        let seconds = BenchForecast.seconds(elapsed)
        var summary = BacktestSummary(trace: loaded, plan: plan, report: report, runSeconds: seconds, scoreAfterSeconds: skip)
        summary.cpuSeconds = cpu
        if let tick {
            let tickSeconds = try Self.parseDuration(tick, option: "--tick")
            summary.controlHorizon = Self.controlHorizon(
                trace: loaded, tickSeconds: tickSeconds, horizonSeconds: horizonSeconds, quantile: quantile, scoreAfter: skip)
            summary.tickSeconds = tickSeconds
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        } else {
            print(summary.text)
        }
    }

    /// The production forecaster as the step runs it (`ArrivalForecastAdapter`, calibrated at the
    /// horizon), fed the trace's rate over each tick; each tick's forecast for the horizon scored
    /// by `ForecastScore` against the rate over the tick that ends there.
    static func controlHorizon(trace: Trace, tickSeconds: Double, horizonSeconds: Double, quantile: Double, scoreAfter: Double?) -> ForecastScore? {
        var policy = ScalingPolicy(maxReplicas: 1, capacity: .fixed(perReplica: 1))
        policy.startupSeconds = max(0, horizonSeconds - tickSeconds)
        policy.forecast.upperQuantile = quantile
        guard var forecaster = ArrivalForecastAdapter(policy: policy, tickSeconds: tickSeconds) else { return nil }
        // The first 21 days, as `forescale simulate` runs by default.
        let arrivals = trace.arrivalsPerSecond(spanSeconds: 21 * 86_400)
        let step = max(1, Int(tickSeconds.rounded()))
        var ticks: [ForecastScore.Point] = []
        var second = step
        while second <= arrivals.count {
            let rate = arrivals[(second - step)..<second].reduce(0, +) / Double(step)
            let time = trace.start + Double(second)
            forecaster.observe(time: time, rate: rate)
            var forecast = forecaster.forecast(horizonSeconds: horizonSeconds)
            if let skip = scoreAfter, Double(second) + horizonSeconds < skip { forecast = nil }
            ticks.append(ForecastScore.Point(time: time, arrivalRate: rate, forecast: forecast))
            second += step
        }
        return ForecastScore.score(ticks)
    }

    static func describe(_ error: ForecastError) -> String {
        switch error {
        case .nonFinite(let what): return "a value is not finite (\(what))"
        case .negative(let what): return "a negative value (\(what))"
        case .insufficientData(let needed, let got): return "not enough data to score a forecast (needed \(needed), got \(got))"
        case .invalidConfiguration(let what): return "invalid setting: \(what)"
        case .outOfOrder(let time, let last): return "time \(time) is before bucket \(last)"
        case .nonPositiveForMultiplicative: return "multiplicative season needs positive data"
        case .outOfRange(let what): return "value out of range (\(what))"
        }
    }
}

/// How a trace is bucketed, forecast and scored (see `Backtest`'s discussion).
struct BacktestPlan: Sendable {
    var coarse: Bool
    var configuration: ArrivalForecasterConfiguration
    /// The horizon passed to the forecaster; for coarse rows 0 (the next bucket).
    var forecastHorizonSeconds: Double
    /// The horizon being scored, seconds (for coarse rows, one interval).
    var scoredHorizonSeconds: Double
    var naiveSeason: Int

    /// Why `bucketSeconds` cannot be used for a trace of `interval`-second rows, or nil.
    static func bucketProblem(bucketSeconds: Double, interval: Double, horizonSeconds: Double) -> String? {
        if interval > horizonSeconds {
            return "the rows (\(ConfigValues.formatDuration(interval))) are coarser than the horizon "
                + "(\(ConfigValues.formatDuration(horizonSeconds))), so the buckets are the rows"
        }
        if bucketSeconds < interval {
            return "finer than the trace's rows (\(ConfigValues.formatDuration(interval))): most buckets would be empty"
        }
        return nil
    }

    /// The bucket width without `--bucket`: 1 minute, or the rows when coarser; but 15 s (the
    /// controller's tick) for a trace shorter than a day whose rows are 15 s or finer. At 1 minute
    /// such a trace (Azure's 57 minutes of seconds) scores about 19 forecasts, where only k/19 is
    /// attainable and a p90 coverage cannot be measured.
    static func defaultBucketSeconds(interval: Double, spanSeconds: Double, horizonSeconds: Double) -> Double {
        if interval <= 15, spanSeconds < 86_400, horizonSeconds >= 15 { return 15 }
        return max(60, interval)
    }

    /// `bucketSeconds`: the bucket width asked for (nil: `defaultBucketSeconds`); ignored for
    /// rows coarser than the horizon (see `bucketProblem`).
    init(interval: Double, horizonSeconds: Double, quantile: Double, spanSeconds: Double,
         bucketSeconds: Double? = nil) throws(ForecastError) {
        var c = ArrivalForecasterConfiguration()
        c.upperQuantile = quantile
        if interval > horizonSeconds {
            coarse = true
            c.bucketSeconds = interval
            c.decisionHorizonSeconds = 0
            c.warmupBuckets = Backtest.coarseWarmup
            c.reselectEveryBuckets = Backtest.coarseReselect
            forecastHorizonSeconds = 0
            scoredHorizonSeconds = interval
            let perDay = 86_400 / interval
            naiveSeason = perDay >= 2 && perDay == perDay.rounded() ? Int(perDay) : 1
        } else {
            coarse = false
            // Settings meant as spans of time (warm-up 1 h, re-selection 6 h, fit window
            // 7 days, …) keep their time at another width; at the default 1 minute nothing changes.
            c = try c.rescaled(
                toBucketSeconds: bucketSeconds ?? Self.defaultBucketSeconds(interval: interval, spanSeconds: spanSeconds, horizonSeconds: horizonSeconds))
            c.decisionHorizonSeconds = horizonSeconds
            // A trace shorter than two hours (Azure's 57 minutes) warms up on half of its
            // buckets (never fewer than the forecaster's minimum of 20), so that the first
            // selection has a training part of at least 10 buckets beside its hold-out.
            let buckets = Int(spanSeconds / c.bucketSeconds)
            c.warmupBuckets = max(20, min(c.warmupBuckets, buckets / 2))
            forecastHorizonSeconds = horizonSeconds
            scoredHorizonSeconds = horizonSeconds
            naiveSeason = 1
        }
        configuration = c
    }

    /// Buckets after the last closed one that the scored forecast targets, as the forecaster counts them.
    var horizonBuckets: Int { configuration.steps(forHorizon: forecastHorizonSeconds) ?? 0 }

    var maseScale: String {
        naiveSeason == 1 ? "naive at the horizon (last closed bucket)"
            : "seasonal naive, one day back (\(naiveSeason) buckets)"
    }
}

struct BacktestSummary: Encodable {
    var trace: String
    var rows: Int
    var rowSeconds: Double
    var bucketSeconds: Double
    var horizonSeconds: Double
    var horizonBuckets: Int
    var coarse: Bool
    var scoreAfterSeconds: Double?
    var points: Int
    var mase: Double
    var maseScale: String
    var maseNaiveSeason: Int
    var smape: Double
    var upperQuantile: Double
    var upperCoverage: Double
    /// Mean of upper − p50, arrivals per second.
    var meanIntervalWidth: Double
    var meanRate: Double
    /// Share of scored forecasts per model.
    var models: [String: Double]
    var selections: Int
    var driftAlarms: Int
    /// Wall clock of the run (fit, re-selections, updates, scoring).
    var runSeconds: Double
    var microsecondsPerRow: Double
    /// The thread's CPU time over the same run (differs from the wall clock on a loaded machine).
    var cpuSeconds: Double = 0
    var warmupBuckets: Int
    var reselectEveryBuckets: Int
    var fitWindowBuckets: Int
    /// With `--tick`: the forecasts as the controller uses them, scored at their horizon.
    var controlHorizon: ForecastScore?
    var tickSeconds: Double?

    init(trace t: Trace, plan: BacktestPlan, report r: BacktestReport, runSeconds: Double, scoreAfterSeconds: Double?) {
        trace = t.name
        rows = t.counts.count
        rowSeconds = t.interval
        bucketSeconds = plan.configuration.bucketSeconds
        horizonSeconds = plan.scoredHorizonSeconds
        horizonBuckets = plan.horizonBuckets
        coarse = plan.coarse
        self.scoreAfterSeconds = scoreAfterSeconds
        points = r.points
        mase = r.mase
        maseScale = plan.maseScale
        maseNaiveSeason = r.maseNaiveSeason
        smape = r.smape
        upperQuantile = r.upperQuantile
        upperCoverage = r.upperCoverage
        meanIntervalWidth = r.meanIntervalWidth
        meanRate = t.counts.reduce(0, +) / Double(max(1, t.counts.count)) / t.interval
        let total = Double(max(1, r.modelsChosen.values.reduce(0, +)))
        models = r.modelsChosen.mapValues { Double($0) / total }
        selections = r.selections
        driftAlarms = r.driftAlarms
        self.runSeconds = runSeconds
        microsecondsPerRow = runSeconds * 1e6 / Double(max(1, rows))
        warmupBuckets = plan.configuration.warmupBuckets
        reselectEveryBuckets = plan.configuration.reselectEveryBuckets
        fitWindowBuckets = plan.configuration.fitWindowBuckets
    }

    var text: String {
        let q = Int((upperQuantile * 100).rounded())
        var lines = [
            "trace \(trace): \(rows) rows of \(ConfigValues.formatDuration(rowSeconds))\(coarse ? " (coarser than the horizon)" : "")",
            "buckets \(ConfigValues.formatDuration(bucketSeconds)), horizon \(ConfigValues.formatDuration(horizonSeconds)) (\(horizonBuckets) bucket\(horizonBuckets == 1 ? "" : "s") after the last closed one)",
        ]
        if let s = scoreAfterSeconds { lines.append("scored from \(ConfigValues.formatDuration(s)) after the start") }
        lines += [
            "points scored  \(points)",
            "MASE           \(fmt(mase, 3))  (scale: \(maseScale))",
            "sMAPE          \(fmt(smape, 3))",
            "p\(q) coverage   \(fmt(upperCoverage, 3))  (target \(fmt(upperQuantile, 2)))",
            "mean width     \(fmt(meanIntervalWidth, 4))/s  (p\(q) − p50; mean rate \(fmt(meanRate, 4))/s)",
            "models         " + models.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
                .map { "\($0.key) \(fmt($0.value * 100, 1)) %" }.joined(separator: ", "),
            "selections     \(selections), drift alarms \(driftAlarms)",
            "run time       \(fmt(runSeconds, 2)) s wall, \(fmt(cpuSeconds, 2)) s CPU  (\(fmt(microsecondsPerRow, 1)) µs wall per row)",
        ]
        if let tickSeconds {
            lines.append(
                "at the control horizon (a forecast every \(ConfigValues.formatDuration(tickSeconds)) for \(ConfigValues.formatDuration(horizonSeconds)) ahead, scored against the rate over the tick ending there):"
            )
            if let c = controlHorizon {
                lines += [
                    "  points scored  \(c.scored)",
                    "  MASE           \(c.mase.map { fmt($0, 3) } ?? "n/a")  (scale: the rate over the tick when the forecast was made)",
                    "  p50 coverage   \(fmt(c.p50Coverage, 3))  (target 0.50)",
                    "  p\(q) coverage   \(fmt(c.upperCoverage, 3))  (target \(fmt(c.upperQuantile, 2)))",
                    "  band width     \(c.relativeBandWidth.map { fmt($0 * 100, 1) + " % of the mean rate" } ?? "n/a")",
                ]
            } else {
                lines.append("  no forecast to score (the forecaster did not warm up)")
            }
        }
        return lines.joined(separator: "\n")
    }
}

func fmt(_ x: Double, _ digits: Int) -> String {
    guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
    return String(format: "%.\(digits)f", x)
}
