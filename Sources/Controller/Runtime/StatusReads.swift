import DecisionStorage
/// The status API's reads of the decision log. They query the store off the runtime actor, so
/// that a reader never holds up ticks (or the status of a thousand targets), and on a thread pool
/// (`offload`), so that they block no thread that runs tasks or network I/O.
struct StatusReads: Sendable {
    let store: any DecisionReader

    /// A target's detail: its last decision (the log's, else the one in memory), the scorecard of
    /// the last `windowSeconds` and its recent audit events.
    func detail(
        _ name: String, summary: TargetSummary, inMemory: DecisionRecord?, forecast: ForecastView, now: Double, intervalSeconds: Double,
        windowSeconds: Double
    ) async throws(ControlError) -> TargetDetail {
        let store = store
        let (last, scorecard, audit) = try await offload { () throws(ControlError) in
            let last = try store.lastDecision(target: name) ?? inMemory
            let maxGap = max(intervalSeconds * 4, 60)
            // From one gap before the window, so that the decision in force at its start counts.
            let inputs = try store.scoreInputs(target: name, from: now - windowSeconds - maxGap, to: now)
            let scorecard = Scorecard.compute(target: name, inputs: inputs, from: now - windowSeconds, to: now, maxGapSeconds: maxGap)
            return (last, scorecard, try store.audit(target: name, limit: 20))
        }
        return TargetDetail(summary: summary, lastDecision: last, forecast: forecast, scorecard: scorecard, audit: audit)
    }

    /// A target's chart over the last `windowSeconds`.
    func series(_ name: String, now: Double, windowSeconds: Double) async throws(ControlError) -> TargetSeries {
        let store = store
        return try await offload { () throws(ControlError) in
            // `to` is exclusive: include a decision made at this very instant.
            let inputs = try store.scoreInputs(target: name, from: now - windowSeconds, to: now.nextUp)
            return TargetSeries.downsample(target: name, inputs: inputs, from: now - windowSeconds, to: now)
        }
    }

    /// A page of decisions; nil when `query.target` is neither `configured` nor in the log (a
    /// target no longer configured is still known by its decisions).
    func decisions(_ query: DecisionQuery, configured: Bool) async throws(ControlError) -> DecisionPage? {
        let store = store
        return try await offload { () throws(ControlError) -> DecisionPage? in
            if !configured, let target = query.target, try store.lastDecision(target: target) == nil { return nil }
            return try store.decisions(query)
        }
    }
}
