import Pipeline

/// An SVG picture of a comparison: Forescale over time, and the cost/lateness frontier.
public enum Plot {
    /// - Parameters:
    ///   - comparison: the scores of every policy.
    ///   - ticks: Forescale's ticks (downsampled here to at most `points` columns).
    public static func svg(comparison: Comparison, ticks: [TickRecord], points: Int = 1200) -> String {
        let width = 1100.0
        var svg = SVG(width: width, height: 860)
        svg.text(
            x: 20, y: 28, "Forescale on \(comparison.trace): capacity \(ComparisonTable.fmt(comparison.capacityPerReplica, 2))/s per replica", size: 16,
            weight: "bold")
        timeSeries(&svg, ticks: downsample(ticks, to: points), frame: Frame(x: 70, y: 60, width: width - 150, height: 380))
        frontier(&svg, comparison: comparison, frame: Frame(x: 70, y: 520, width: width - 150, height: 280))
        return svg.output
    }

    struct Frame {
        var x: Double
        var y: Double
        var width: Double
        var height: Double
        var bottom: Double { y + height }
        var right: Double { x + width }
    }

    /// One column per bucket of ticks: mean rates, the highest replica counts, the widest band.
    struct Column {
        var time: Double
        var rate: Double
        var capacity: Double
        var desired: Double
        var p50: Double?
        var upper: Double?
        /// Forescale's fallback applied in this column (a metric outage).
        var fallback = false
    }

    static func downsample(_ ticks: [TickRecord], to points: Int) -> [Column] {
        guard !ticks.isEmpty else { return [] }
        let size = max(1, (ticks.count + points - 1) / points)
        return stride(from: 0, to: ticks.count, by: size).map { start in
            let bucket = ticks[start..<min(start + size, ticks.count)]
            let n = Double(bucket.count)
            let forecasts = bucket.compactMap(\.forecast)
            return Column(
                time: bucket.first!.time,
                rate: bucket.map(\.arrivalRate).reduce(0, +) / n,
                capacity: bucket.map { Double($0.ready) * $0.capacity }.reduce(0, +) / n,
                desired: Double(bucket.map(\.desired).max() ?? 0),
                p50: forecasts.isEmpty ? nil : forecasts.map(\.p50).reduce(0, +) / Double(forecasts.count),
                upper: forecasts.map(\.upper).max(),
                fallback: bucket.contains { $0.safety == .fallback })
        }
    }

    static func timeSeries(_ svg: inout SVG, ticks: [Column], frame: Frame) {
        guard let first = ticks.first, let last = ticks.last, last.time > first.time else { return }
        let top = max(ticks.map { max($0.rate, $0.capacity, $0.upper ?? 0) }.max() ?? 1, 1e-9) * 1.05
        let maxReplicas = max(ticks.map(\.desired).max() ?? 1, 1) * 1.05
        let x = { (t: Double) in frame.x + (t - first.time) / (last.time - first.time) * frame.width }
        let y = { (v: Double) in frame.bottom - v / top * frame.height }
        let yReplicas = { (v: Double) in frame.bottom - v / maxReplicas * frame.height }
        svg.axes(frame)
        for fraction in stride(from: 0.0, through: 1.0, by: 0.25) {
            let value = top * fraction
            svg.line(frame.x - 4, y(value), frame.x, y(value), color: "#444")
            svg.text(x: frame.x - 8, y: y(value) + 4, ComparisonTable.fmt(value, value < 10 ? 1 : 0), size: 11, anchor: "end")
            let replicas = maxReplicas * fraction
            svg.text(x: frame.right + 8, y: yReplicas(replicas) + 4, ComparisonTable.fmt(replicas, 0), size: 11, color: "#2a7d2a")
        }
        svg.text(x: 18, y: frame.y + frame.height / 2, "messages / s", size: 12, rotate: true)
        svg.text(x: frame.right + 50, y: frame.y + frame.height / 2, "replicas", size: 12, color: "#2a7d2a", rotate: true)
        let days = (last.time - first.time) / 86_400
        let step = days > 10 ? 2.0 : days > 2 ? 1.0 : days > 0.5 ? 0.25 : 1.0 / 24
        var tick = (first.time / (step * 86_400)).rounded(.up) * step * 86_400
        while tick <= last.time {
            svg.line(x(tick), frame.bottom, x(tick), frame.bottom + 4, color: "#444")
            svg.text(x: x(tick), y: frame.bottom + 18, Calendar.label(tick, withTime: step < 1), size: 11, anchor: "middle")
            tick += step * 86_400
        }
        svg.text(x: frame.x + frame.width / 2, y: frame.bottom + 36, "time (UTC)", size: 12, anchor: "middle")

        // Columns in which the fallback applied (a metric outage), shaded over the whole height.
        let columnWidth = max(frame.width / Double(max(ticks.count, 1)), 1)
        for column in ticks where column.fallback {
            let left = x(column.time)
            svg.polygon(
                [(left, frame.y), (left + columnWidth, frame.y), (left + columnWidth, frame.bottom), (left, frame.bottom)],
                fill: "#8d99ae", opacity: 0.35)
        }
        let band = ticks.filter { $0.upper != nil && $0.p50 != nil }
        if band.count > 1 {
            let upper = band.map { (x($0.time), y($0.upper!)) }
            let lower = band.reversed().map { (x($0.time), y($0.p50!)) }
            svg.polygon(upper + lower, fill: "#f4a261", opacity: 0.35)
        }
        svg.polyline(ticks.map { (x($0.time), y($0.rate)) }, color: "#1d3557", width: 1)
        svg.polyline(ticks.map { (x($0.time), y($0.capacity)) }, color: "#e63946", width: 1.2)
        svg.polyline(ticks.map { (x($0.time), yReplicas($0.desired)) }, color: "#2a7d2a", width: 1, dash: "4 3")
        svg.legend(x: frame.x + 10, y: frame.y + 14, [
            ("#1d3557", "arrival rate (msg/s)", nil), ("#f4a261", "forecast p50 to upper quantile (msg/s)", nil),
            ("#e63946", "capacity of ready replicas (msg/s)", nil), ("#2a7d2a", "desired replicas (right axis)", "4 3"),
        ] + (ticks.contains(where: \.fallback) ? [("#8d99ae", "fallback: metrics unreadable, count held", nil)] : []))
    }

    static func frontier(_ svg: inout SVG, comparison: Comparison, frame: Frame) {
        let runs = comparison.keda + [comparison.forescale, comparison.hpa]
        let costs = runs.map(\.costRatio)
        let lates = runs.map(\.latePercent)
        let minCost = (costs.min() ?? 1) * 0.97
        let maxCost = max((costs.max() ?? 2) * 1.03, minCost + 0.01)
        let maxLate = max((lates.max() ?? 1) * 1.1, 0.1)
        let x = { (v: Double) in frame.x + (v - minCost) / (maxCost - minCost) * frame.width }
        let y = { (v: Double) in frame.bottom - v / maxLate * frame.height }
        svg.axes(frame)
        for fraction in stride(from: 0.0, through: 1.0, by: 0.25) {
            let late = maxLate * fraction
            svg.text(x: frame.x - 8, y: y(late) + 4, ComparisonTable.fmt(late, 2), size: 11, anchor: "end")
            let cost = minCost + (maxCost - minCost) * fraction
            svg.text(x: x(cost), y: frame.bottom + 18, ComparisonTable.fmt(cost, 2), size: 11, anchor: "middle")
        }
        svg.text(x: frame.x + frame.width / 2, y: frame.bottom + 36, "cost (replica-hours ÷ work-conserving floor)", size: 12, anchor: "middle")
        svg.text(x: 18, y: frame.y + frame.height / 2, "late % (waited > SLO)", size: 12, rotate: true)
        svg.text(
            x: frame.x, y: frame.y - 10, "Cost and lateness: KEDA swept over target utilisation, and Forescale with its defaults", size: 13, weight: "bold")
        let sweep = comparison.keda.map { (x($0.costRatio), y($0.latePercent)) }
        svg.polyline(sweep, color: "#457b9d", width: 1.5)
        for run in comparison.keda {
            svg.circle(x(run.costRatio), y(run.latePercent), radius: 3.5, fill: "#457b9d")
            svg.text(x: x(run.costRatio) + 5, y: y(run.latePercent) - 6, String(run.policy.dropFirst(5)), size: 10, color: "#457b9d")
        }
        svg.circle(x(comparison.hpa.costRatio), y(comparison.hpa.latePercent), radius: 5, fill: "#8d99ae")
        svg.circle(x(comparison.forescale.costRatio), y(comparison.forescale.latePercent), radius: 7, fill: "#e63946")
        svg.legend(x: frame.right - 250, y: frame.y + 14, [
            ("#457b9d", "KEDA at target utilisation U", nil), ("#e63946", "Forescale", nil), ("#8d99ae", "HPA on CPU @0.70", nil),
        ])
    }
}

/// UTC calendar labels without Foundation's formatters.
enum Calendar {
    /// The UTC date of Unix seconds: days since 1970-01-01, month, day and second of the day.
    static func civil(_ unix: Double) -> (days: Int, month: Int, day: Int, secondOfDay: Int) {
        let seconds = Int(unix.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (days, month, day, seconds - days * 86_400)
    }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    static func label(_ unix: Double, withTime: Bool) -> String {
        let date = civil(unix)
        let text = "\(two(date.month))-\(two(date.day))"
        return withTime ? text + " " + two(date.secondOfDay / 3600) + ":" + two(date.secondOfDay % 3600 / 60) : text
    }
}
