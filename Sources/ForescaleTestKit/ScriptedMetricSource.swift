import Clocks
import Foundation
import MetricSources
import NIOCore
import Planner

/// A metric source that answers from a script instead of an HTTP endpoint: a test says, per read,
/// what each metric is (a value, nothing, or a failure of a given kind), and the source stamps
/// values with its clock's time. The runtime wires it like any configured source through
/// `SourceContext.registry` (see `registry(clock:answer:)`), so a test of the reconcile loop needs
/// no server.
public struct ScriptedMetricSource: MetricSource {
    /// What one read answers.
    public enum Answer: Sendable, Equatable {
        case value(Double)
        /// The source answered and had nothing to read (an empty vector).
        case empty(String)
        case failed(FetchErrorKind, String)
    }

    public let settings: SourceSettings
    let clock: any ControlClock
    let answer: @Sendable (MetricRequest) -> Answer

    public init(settings: SourceSettings, clock: any ControlClock, answer: @escaping @Sendable (MetricRequest) -> Answer) {
        self.settings = settings
        self.clock = clock
        self.answer = answer
    }

    public func read(_ request: MetricRequest, deadline: NIODeadline) async -> MetricReading {
        switch answer(request) {
        case .value(let value):
            MetricReading(outcome: .value(value, timestamp: clock.now().timeIntervalSince1970))
        case .empty(let why):
            MetricReading(outcome: .empty(why))
        case .failed(let kind, let message):
            MetricReading(outcome: .failed(FetchError(kind, message)))
        }
    }

    /// A registry in which every standard source type (`prometheus`, `json`, …) is a scripted
    /// source answering from `answer`, with the configured name and settings: pass it as
    /// `SourceContext(clock:registry:)`.
    public static func registry(clock: any ControlClock, answer: @escaping @Sendable (MetricRequest) -> Answer) -> SourceRegistry {
        var registry = SourceRegistry()
        for type in SourceRegistry.standard.typeNames {
            registry.register(type) { settings, _ in ScriptedMetricSource(settings: settings, clock: clock, answer: answer) }
        }
        return registry
    }
}
