/// Retries with jittered exponential back-off, only while the deadline leaves room.
///
/// The randomness is injected, and the transport waits on its `ControlClock`, so tests check the
/// delays without waiting.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first one included. 1 disables retries.
    public var maxAttempts: Int
    /// Delay before the second attempt, before jitter; doubles each retry.
    public var baseDelaySeconds: Double
    public var maxDelaySeconds: Double
    /// A retry starts only if at least this much time is left after its back-off.
    public var minimumAttemptSeconds: Double
    /// Uniform random number in [0, 1).
    public var random: @Sendable () -> Double

    public init(
        maxAttempts: Int = 3,
        baseDelaySeconds: Double = 0.1,
        maxDelaySeconds: Double = 1,
        minimumAttemptSeconds: Double = 0.05,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.maxAttempts = maxAttempts
        self.baseDelaySeconds = baseDelaySeconds
        self.maxDelaySeconds = maxDelaySeconds
        self.minimumAttemptSeconds = minimumAttemptSeconds
        self.random = random
    }

    public static let standard = RetryPolicy()
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The back-off after failed attempt number `attempt` (1-based): "equal jitter", between
    /// half and all of `base · 2^(attempt-1)`, capped at `maxDelaySeconds`.
    public func delay(afterAttempt attempt: Int) -> Double {
        let exponential = baseDelaySeconds * Double(1 << min(max(attempt - 1, 0), 20))
        let capped = min(exponential, maxDelaySeconds)
        return capped / 2 + capped / 2 * random()
    }
}
