/// The comparison as a plain-text table.
public enum ComparisonTable {
    public static func render(_ c: Comparison) -> String {
        var lines: [String] = []
        lines.append("trace \(c.trace): \(fmt(Double(c.simulatedSeconds) / 86_400, 1)) days simulated, "
            + "\(fmt(Double(c.warmupSeconds) / 86_400, 1)) days warm-up, capacity \(fmt(c.capacityPerReplica, 2))/s per replica")
        let sleeps = c.minReplicas == 0
        if sleeps {
            lines.append("min replicas 0: the KEDA sweep is KEDA's scale to zero (activation threshold 0, cooldownPeriod 300 s, then the HPA from 1)")
        }
        if let f = c.forecast {
            let q = Int((f.upperQuantile * 100).rounded())
            lines.append("forecasts at the control horizon (\(fmt(f.meanHorizonSeconds, 0)) s ahead, \(f.scored) scored): "
                + "MASE \(f.mase.map { fmt($0, 3) } ?? "n/a") against the rate when made, p50 coverage \(fmt(f.p50Coverage, 3)), "
                + "p\(q) coverage \(fmt(f.upperCoverage, 3)), band \(f.relativeBandWidth.map { fmt($0 * 100, 1) + " %" } ?? "n/a") of the mean rate")
        } else {
            lines.append("forecasts at the control horizon: none scored (the forecaster did not warm up)")
        }
        lines.append(pad("policy", 30) + pad("replica-h", 11) + pad("cost/floor", 11) + pad("late %", 9) + pad("p99 delay", 11)
            + (sleeps ? pad("actions", 9) + pad("wake-ups", 10) + "1st-message delay mean / max" : "actions"))
        func row(_ r: RunResult, _ label: String? = nil) {
            var line = pad(label ?? r.policy, 30) + pad(fmt(r.replicaHours, 0), 11) + pad(fmt(r.costRatio, 3), 11)
                + pad(fmt(r.latePercent, 2), 9) + pad(fmt(r.p99DelaySeconds, 0) + "s", 11)
            if sleeps {
                let delays = r.firstMessageDelays
                line += pad(String(r.scaleActions), 9) + pad(String(r.wakeUps.count), 10)
                line += delays.isEmpty ? "—" : "\(fmt(r.meanFirstMessageDelay ?? 0, 0)) s / \(fmt(delays.max() ?? 0, 0)) s"
            } else {
                line += String(r.scaleActions)
            }
            lines.append(line)
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
        if sleeps {
            lines.append("first-message delay after each wake-up (trace time; '-' when it slept again before serving one):")
            var shown = [c.forescale]
            if let best = c.bestTunedReactive { shown.append(best) }
            if let reference = c.keda.first(where: { $0.policy == "keda@0.70" }), !shown.contains(reference) { shown.append(reference) }
            shown.append(c.clairvoyant)
            for r in shown {
                let items = r.wakeUps.map { wake in
                    "\(clock(c.traceStart + Double(wake.second))) \(wake.firstMessageDelaySeconds.map { fmt($0, 0) + " s" } ?? "-")"
                }
                let shownItems = items.count > 40 ? Array(items.prefix(40)) + ["… \(items.count - 40) more"] : items
                lines.append("  \(r.policy): " + (items.isEmpty ? "none" : shownItems.joined(separator: ", ")))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Unix seconds as `Mon 07-15 06:58` (UTC).
    static func clock(_ time: Double) -> String {
        let date = Calendar.civil(time)
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][((date.days % 7) + 7) % 7]
        return "\(weekday) \(Calendar.label(time, withTime: true))"
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
