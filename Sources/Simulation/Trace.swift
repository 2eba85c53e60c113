import Foundation

/// A recorded arrival trace: `timestamp,value` rows, `value` arrivals in the row's interval.
public struct Trace: Sendable, Equatable {
    public var name: String
    /// Row start times, Unix seconds, increasing.
    public var timestamps: [Double]
    /// Arrivals in each row.
    public var counts: [Double]
    /// Row length in seconds (the most common gap between rows).
    public var interval: Double

    public init(name: String, timestamps: [Double], counts: [Double], interval: Double) {
        self.name = name
        self.timestamps = timestamps
        self.counts = counts
        self.interval = interval
    }

    public var start: Double { timestamps.first ?? 0 }
    public var spanSeconds: Double { (timestamps.last ?? 0) - start + interval }

    /// Reads a CSV file; errors name the file and line.
    public static func load(path: String) throws -> Trace {
        let url = URL(fileURLWithPath: path)
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw TraceError(message: "\(path): cannot read: \(error.localizedDescription)")
        }
        return try parse(csv: text, name: url.deletingPathExtension().lastPathComponent, source: path)
    }

    /// Parses `timestamp,value` rows (an optional header line first). Strict: a row that is not two
    /// non-negative finite numbers, or a timestamp that does not increase, is an error naming its line.
    public static func parse(csv text: String, name: String, source: String = "trace") throws -> Trace {
        var timestamps: [Double] = []
        var counts: [Double] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            if index == 0, fields.first.map({ Double($0) == nil }) == true { continue }  // header
            guard fields.count == 2, let t = Double(fields[0]), let v = Double(fields[1]) else {
                throw TraceError(message: "\(source):\(index + 1): expected 'timestamp,value', got '\(line)'")
            }
            guard t.isFinite, v.isFinite, v >= 0 else {
                throw TraceError(message: "\(source):\(index + 1): value must be a non-negative number, got '\(line)'")
            }
            if let last = timestamps.last, t <= last {
                throw TraceError(message: "\(source):\(index + 1): timestamp \(t) does not increase (previous \(last))")
            }
            timestamps.append(t)
            counts.append(v)
        }
        guard timestamps.count >= 2 else {
            throw TraceError(message: "\(source): needs at least two rows, found \(timestamps.count)")
        }
        let gaps = zip(timestamps.dropFirst(), timestamps).map { $0 - $1 }
        let interval = Self.mode(gaps)
        return Trace(name: name, timestamps: timestamps, counts: counts, interval: interval)
    }

    /// Arrivals per second, second by second from the trace's start, over at most `spanSeconds`.
    ///
    /// Rows of five minutes or less are spread evenly over their interval; coarser rows are
    /// linearly interpolated between the rates at their mid-points. Seconds not covered by any
    /// row (a gap in the trace) have no arrivals.
    public func arrivalsPerSecond(spanSeconds limit: Double? = nil) -> [Double] {
        let total = Int(min(spanSeconds, limit ?? .infinity))
        var arrivals = [Double](repeating: 0, count: max(total, 0))
        let step = Int(interval)
        if interval <= 300 {
            for (t, count) in zip(timestamps, counts) {
                let from = Int(t - start)
                guard from < total else { break }
                let rate = count / interval
                for s in from..<min(from + step, total) { arrivals[s] = rate }
            }
            return arrivals
        }
        let rates = counts.map { $0 / interval }
        var row = 0
        for s in 0..<total {
            let time = start + Double(s) + 0.5
            while row + 1 < timestamps.count, timestamps[row + 1] <= time { row += 1 }
            guard time < timestamps[row] + interval else { continue }  // a gap: no arrivals
            let mid = timestamps[row] + interval / 2
            // Interpolate towards the neighbouring row on the side of `time`, when it is adjacent.
            let neighbour = time < mid ? row - 1 : row + 1
            guard neighbour >= 0, neighbour < timestamps.count,
                  abs(timestamps[neighbour] - timestamps[row]) <= interval * 1.5
            else {
                arrivals[s] = rates[row]
                continue
            }
            let weight = abs(time - mid) / interval
            arrivals[s] = rates[row] * (1 - weight) + rates[neighbour] * weight
        }
        return arrivals
    }

    private static func mode(_ values: [Double]) -> Double {
        var counts: [Double: Int] = [:]
        for value in values { counts[value, default: 0] += 1 }
        return counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key ?? 1
    }
}

public struct TraceError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public var description: String { message }
}
