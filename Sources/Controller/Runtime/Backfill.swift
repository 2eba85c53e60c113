import Logging
import NIOCore

/// Seeding a target's forecaster from its arrival rate's history (Prometheus range queries), so
/// that a restart does not start it cold.
enum Backfill {
    /// One target's backfill over `start`–`end`; the buckets its forecaster holds afterwards, or
    /// `nil` when its source keeps no history or the read failed (it then starts cold).
    static func seed(_ name: String, worker: TargetWorker, start: Double, end: Double, logger: Logger) async -> Int? {
        guard let (source, query) = await worker.backfillRequest else { return nil }
        let deadline = NIODeadline.now() + .seconds(60)
        let reading = await source.readRange(query, start: start, end: end, stepSeconds: 60, deadline: deadline)
        switch reading.result {
        case .failure(let error):
            logger.warning("backfill failed; the forecaster starts cold", metadata: ["target": "\(name)", "error": "\(error)"])
            return nil
        case .success(let points):
            do {
                let buckets = try await worker.seed(history: points.map { (time: $0.timestamp, rate: $0.value) })
                logger.info("forecaster seeded from history", metadata: ["target": "\(name)", "points": "\(points.count)"])
                return buckets
            } catch {
                logger.warning("backfill rejected; the forecaster starts cold", metadata: ["target": "\(name)", "error": "\(error)"])
                return nil
            }
        }
    }
}
