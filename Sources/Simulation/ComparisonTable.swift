/// The comparison as a plain-text table.
public enum ComparisonTable {
    public static func render(_ c: Comparison) -> String {
        var lines: [String] = []
        lines.append("trace \(c.trace): \(fmt(Double(c.simulatedSeconds) / 86_400, 1)) days simulated, "
            + "\(fmt(Double(c.warmupSeconds) / 86_400, 1)) days warm-up, capacity \(fmt(c.capacityPerReplica, 2))/s per replica")
        lines.append(pad("policy", 30) + pad("replica-h", 11) + pad("cost/floor", 11) + pad("late %", 9) + pad("p99 delay", 11) + "actions")
        func row(_ r: RunResult, _ label: String? = nil) {
            lines.append(pad(label ?? r.policy, 30) + pad(fmt(r.replicaHours, 0), 11) + pad(fmt(r.costRatio, 3), 11)
                + pad(fmt(r.latePercent, 2), 9) + pad(fmt(r.p99DelaySeconds, 0) + "s", 11) + String(r.scaleActions))
        }
        row(c.forescale)
        if !c.outages.isEmpty {
            let windows = c.outages.map { "\(fmt(Double($0.startSecond) / 3600, 2)) h for \($0.durationSeconds) s" }.joined(separator: ", ")
            lines.append("  metric outage at \(windows): Forescale in fallback for \(c.forescale.fallbackTicks) scored ticks"
                + " (every policy sees the metrics missing; each holds its count)")
        }
        if let best = c.bestTunedReactive {
            row(best, "best-tuned reactive (\(best.policy))")
        } else {
            lines.append(pad("best-tuned reactive", 30) + "none of the swept KEDA settings is as punctual as Forescale")
        }
        row(c.hpa)
        row(c.clairvoyant)
        lines.append("KEDA sweep:")
        for r in c.keda { row(r, "  " + r.policy) }
        return lines.joined(separator: "\n")
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }

    static func fmt(_ value: Double, _ decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        if decimals == 0 { return String(Int(rounded)) }
        var text = String(rounded)
        if let dot = text.firstIndex(of: ".") {
            let have = text.distance(from: dot, to: text.endIndex) - 1
            if have < decimals { text += String(repeating: "0", count: decimals - have) }
        }
        return text
    }
}
