import Foundation
import Simulation

/// The demo's scale-to-zero workload (`forescale demo --min-replicas 0`): a consumer that is busy
/// on weekday business hours and has nothing to do otherwise. From 07:00 UTC the traffic steps up
/// to about 8 messages/s within ten minutes, swells and falls back over the day, and stops at
/// 15:00; nights and weekends are silent. A daily pattern the forecaster learns from the
/// backfilled days, so the demo shows the last replica going after the idle period in the
/// afternoon and a predictive wake-up a few minutes before 07:00.
public enum DemoWorkload {
    /// The trace name `forescale demo --trace` accepts for this workload.
    public static let name = "business-hours"

    /// Per-minute counts for `days` days from `start` (a Monday 00:00 UTC by default), with a
    /// fixed-seed ±15 % jitter so every run is the same.
    public static func businessHours(days: Int, start: Double = 1_563_148_800) -> Trace {
        var seed: UInt64 = 12_345
        func jitter() -> Double {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(seed >> 11) / Double(1 << 53)
        }
        var timestamps: [Double] = []
        var counts: [Double] = []
        for minute in 0..<(days * 1440) {
            let day = minute / 1440
            let inDay = minute % 1440
            var count = 0.0
            if day % 7 < 5, inDay >= 7 * 60, inDay < 15 * 60 {
                let x = Double(inDay - 7 * 60)
                var level = 8.0 * min(1, (x + 1) / 10) * (1 - 0.3 * cos(2 * Double.pi * x / 480))
                if x >= 470 { level *= (480 - x) / 10 }
                count = (level * 60 * (0.85 + 0.3 * jitter())).rounded()
            }
            timestamps.append(start + Double(minute) * 60)
            counts.append(count)
        }
        return Trace(name: name, timestamps: timestamps, counts: counts, interval: 60)
    }
}
