import Controller
import DecisionStorage
import Foundation
import Planner

/// A fresh directory under the temporary directory; remove it with `removeTemporaryDirectory`.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("forescale-declog-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func removeTemporaryDirectory(_ url: URL) {
    try? FileManager.default.removeItem(at: url)
}

/// A decision record with every field set, so a round trip checks the whole JSON.
func makeRecord(
    target: String = "web", time: Double, current: Int = 3, final: Int = 4, reactive: Int? = 3,
    lag: Double? = 100, rate: Double? = 10, throughput: Double? = nil, capacity: Double? = 5,
    slo: Double = 30, forecast: ForecastInput? = nil
) -> DecisionRecord {
    let observation = Observation(
        lag: lag.map { Sample($0, ageSeconds: 1.5) }, arrivalRate: rate.map { Sample($0, ageSeconds: 2) },
        throughput: throughput.map { Sample($0) }, readyReplicas: Sample(current), desiredReplicas: Sample(current))
    let decision = Decision(
        desiredReplicas: final, currentReplicas: current, reactiveReplicas: reactive, plannedReplicas: final,
        forecast: forecast, reasons: [.scaleUpLimited, .reactiveFloor], explanation: "scale \(current)→\(final): test",
        inputs: DecisionInputs(
            observation: observation, nowSeconds: time, capacityPerReplica: capacity, capacitySource: .configured,
            expectedArrivalRate: rate, arrivalRateSource: .observed, serveReplicas: 2.5, drainReplicas: 0.25, projectedBacklog: capacity.map { 0.25 * $0 * 60 },
            dataProblems: [DataProblem(metric: .throughput, kind: .missing)]))
    return DecisionRecord(
        target: target, timeSeconds: time, mode: .shadow, decision: decision, finalReplicas: final, safety: .normal,
        model: forecast?.model, forecast: forecast, fetchErrors: ["throughput": "timeout: 2s"], applied: false,
        orchestratorAnswer: "shadow: would scale \(current)→\(final)", latencySLOSeconds: slo, capacityPerReplica: capacity)
}
