import MetricSources
import Pipeline

extension MetricOutcome {
    /// What the step is given of this outcome at `now`: a value with its age (a timestamp in the
    /// future, clock skew, is age 0), or why there is none. Whether the value is usable (too old,
    /// NaN, negative) is the step's to judge.
    func report(now: Double) -> MetricReport {
        switch self {
        case .value(let value, let timestamp): .value(value, ageSeconds: max(0, now - timestamp))
        case .empty(let why): .empty(why)
        case .failed(let error): .failed(kind: error.kind.rawValue, message: error.message)
        }
    }
}
