extension Scorecard {
    static func compute(target: String, records: [DecisionRecord], from: Double, to: Double, maxGapSeconds: Double) -> Scorecard? { nil }
}
