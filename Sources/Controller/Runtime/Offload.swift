import DecisionStorage
import NIOPosix

/// Runs blocking work (SQLite reads, a scorecard over a day of decisions) on NIO's blocking thread
/// pool and awaits its result. `forescale` runs Swift concurrency on the network event loops
/// (see `Forescale.main`), so work that blocks for milliseconds must not run inline there.
func offload<T: Sendable>(_ work: @escaping @Sendable () throws(ControlError) -> T) async throws(ControlError) -> T {
    do {
        return try await NIOThreadPool.singleton.runIfActive { try work() }
    } catch let error as ControlError {
        throw error
    } catch {
        throw ControlError(.unavailable, "the blocking-work pool is not running: \(error)")
    }
}
