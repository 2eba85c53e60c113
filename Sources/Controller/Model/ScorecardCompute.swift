import DecisionStorage
import Planner

extension Scorecard {
    /// `compute` over whole records (see the other overload for the definitions).
    public static func compute(
        target: String, records: [DecisionRecord], from: Double, to: Double, maxGapSeconds: Double
    ) -> Scorecard {
        compute(target: target, inputs: records.map(ScoreInput.init), from: from, to: to, maxGapSeconds: maxGapSeconds)
    }

    /// Scores one target's decisions over the window `[from, to)`. Pure: no I/O, no clock.
    ///
    /// `records` are the target's decisions, oldest first (they are sorted again, stably, by time;
    /// records of other targets and with a non-finite time are ignored). Records before `from`
    /// may be passed: the one just before the window holds into it.
    ///
    /// Definitions:
    /// - **Holding time.** Each record's counts hold from its time to the next record's time, but
    ///   at most `maxGapSeconds` (the rest of a longer gap counts as no data); the last record holds
    ///   until `to`, capped the same way. Holding times are clipped to `[from, to]`. A record
    ///   *counts* when it holds for some time inside the window or its time is inside `[from, to)`.
    /// - **decisions**: records with `from <= time < to`.
    /// - **Replica-hours** integrate counts over holding time: actual = `decision.currentReplicas`,
    ///   planned = `finalReplicas`, reactive = `decision.reactiveReplicas` (records without it are
    ///   left out; `reactiveReplicaHours` is `nil` when no counting record has it).
    ///   `replicaHoursDifference` = planned − actual.
    /// - **SLO breach.** A record breaches when the observed lag
    ///   (`decision.inputs.observation.lag`) divided by the drain rate exceeds
    ///   `latencySLOSeconds`. The drain rate is `capacityPerReplica × currentReplicas`; when the
    ///   capacity is unknown, the observed throughput. A positive lag with a zero drain rate
    ///   breaches; no lag, or neither capacity nor throughput (or a non-finite value), cannot be
    ///   judged and does not breach. Breach minutes integrate holding time (in minutes) of breaching
    ///   records, split into `planHadMore` (`finalReplicas > currentReplicas`) and `planHadLess`
    ///   (`finalReplicas < currentReplicas`).
    /// - **Actions**: how many times the value changes between consecutive counting records
    ///   (actual: `currentReplicas`, planned: `finalReplicas`, reactive: `reactiveReplicas`,
    ///   skipping records without it).
    /// - **Forecast accuracy.** For each record inside `[from, to)` with a forecast (the record's
    ///   `forecast`, else the decision's) and an observed arrival rate `r0`: the first record at a
    ///   time in `[t + h, t + h + maxGapSeconds]`, before `to`, with an observed arrival rate `a`
    ///   makes a pair. Forecast error `|p50 − a|`, naive error `|r0 − a|`.
    ///   `forecastMASE` = Σ forecast errors / Σ naive errors (`nil` without pairs or when the naive
    ///   sum is 0); `forecastCoverage` = share of pairs with `a <= upper`; `forecastQuantile` = the
    ///   last pair's `upperQuantile`; `forecastsScored` = the number of pairs.
    public static func compute(
        target: String, inputs records: [ScoreInput], from: Double, to: Double, maxGapSeconds: Double
    ) -> Scorecard {
        let sorted = records.enumerated()
            .filter { $0.element.target == target && $0.element.timeSeconds.isFinite }
            .sorted { ($0.element.timeSeconds, $0.offset) < ($1.element.timeSeconds, $1.offset) }
            .map(\.element)
        let maxGap = max(0, maxGapSeconds.isFinite ? maxGapSeconds : 0)

        // Holding time of each record inside the window.
        var held: [Double] = []
        held.reserveCapacity(sorted.count)
        for index in sorted.indices {
            let start = sorted[index].timeSeconds
            let next = index + 1 < sorted.count ? sorted[index + 1].timeSeconds : to
            let end = min(next, start + maxGap)
            held.append(max(0, min(end, to) - max(start, from)))
        }
        let inWindow = { (record: ScoreInput) in record.timeSeconds >= from && record.timeSeconds < to }
        let counting = sorted.indices.filter { held[$0] > 0 || inWindow(sorted[$0]) }

        var actualSeconds = 0.0
        var plannedSeconds = 0.0
        var reactiveSeconds = 0.0
        var anyReactive = false
        var breachSeconds = 0.0
        var breachMoreSeconds = 0.0
        var breachLessSeconds = 0.0
        for index in counting {
            let record = sorted[index]
            let seconds = held[index]
            let current = record.currentReplicas
            actualSeconds += Double(current) * seconds
            plannedSeconds += Double(record.finalReplicas) * seconds
            if let reactive = record.reactiveReplicas {
                anyReactive = true
                reactiveSeconds += Double(reactive) * seconds
            }
            if seconds > 0, breaches(record) {
                breachSeconds += seconds
                if record.finalReplicas > current { breachMoreSeconds += seconds }
                if record.finalReplicas < current { breachLessSeconds += seconds }
            }
        }

        let countingRecords = counting.map { sorted[$0] }
        let forecast = scoreForecasts(sorted, from: from, to: to, maxGap: maxGap)
        return Scorecard(
            target: target, fromSeconds: from, toSeconds: to,
            decisions: sorted.count(where: inWindow),
            actualReplicaHours: actualSeconds / 3600, plannedReplicaHours: plannedSeconds / 3600,
            replicaHoursDifference: (plannedSeconds - actualSeconds) / 3600,
            reactiveReplicaHours: anyReactive ? reactiveSeconds / 3600 : nil,
            sloBreachMinutes: breachSeconds / 60, sloBreachMinutesPlanHadMore: breachMoreSeconds / 60,
            sloBreachMinutesPlanHadLess: breachLessSeconds / 60,
            actualActions: changes(countingRecords.map(\.currentReplicas)),
            plannedActions: changes(countingRecords.map(\.finalReplicas)),
            reactiveActions: changes(countingRecords.compactMap(\.reactiveReplicas)),
            forecastMASE: forecast.mase, forecastCoverage: forecast.coverage, forecastQuantile: forecast.quantile,
            forecastsScored: forecast.pairs)
    }

    /// Whether the record's observed lag broke its latency SLO (see `compute`).
    static func breaches(_ record: ScoreInput) -> Bool {
        guard let lag = record.lag, lag.isFinite, record.latencySLOSeconds.isFinite else { return false }
        guard lag > 0 else { return false }
        let drainRate: Double
        if let capacity = record.capacityPerReplica, capacity.isFinite, capacity > 0 {
            drainRate = capacity * Double(max(0, record.currentReplicas))
        } else if let throughput = record.throughput, throughput.isFinite, throughput >= 0 {
            drainRate = throughput
        } else {
            return false
        }
        guard drainRate > 0 else { return true }
        return lag / drainRate > record.latencySLOSeconds
    }

    static func changes(_ values: [Int]) -> Int {
        zip(values, values.dropFirst()).count { $0 != $1 }
    }

    static func scoreForecasts(
        _ sorted: [ScoreInput], from: Double, to: Double, maxGap: Double
    ) -> (mase: Double?, coverage: Double?, quantile: Double?, pairs: Int) {
        func observedRate(_ record: ScoreInput) -> Double? {
            guard let rate = record.arrivalRate, rate.isFinite else { return nil }
            return rate
        }
        var forecastErrors = 0.0
        var naiveErrors = 0.0
        var covered = 0
        var pairs = 0
        var quantile: Double?
        for record in sorted where record.timeSeconds >= from && record.timeSeconds < to {
            guard let forecast = record.forecast,
                  forecast.horizonSeconds.isFinite, forecast.horizonSeconds >= 0,
                  forecast.p50.isFinite, !forecast.upper.isNaN,
                  let rateThen = observedRate(record)
            else { continue }
            let due = record.timeSeconds + forecast.horizonSeconds
            // The first record at or after `due` (binary search), then the first with a rate.
            var low = 0
            var high = sorted.count
            while low < high {
                let mid = (low + high) / 2
                if sorted[mid].timeSeconds < due { low = mid + 1 } else { high = mid }
            }
            var actual: Double?
            var index = low
            while index < sorted.count, sorted[index].timeSeconds <= due + maxGap, sorted[index].timeSeconds < to {
                if let rate = observedRate(sorted[index]) {
                    actual = rate
                    break
                }
                index += 1
            }
            guard let actual else { continue }
            pairs += 1
            forecastErrors += abs(forecast.p50 - actual)
            naiveErrors += abs(rateThen - actual)
            if actual <= forecast.upper { covered += 1 }
            quantile = forecast.upperQuantile
        }
        guard pairs > 0 else { return (nil, nil, nil, 0) }
        return (naiveErrors > 0 ? forecastErrors / naiveErrors : nil, Double(covered) / Double(pairs), quantile, pairs)
    }
}
