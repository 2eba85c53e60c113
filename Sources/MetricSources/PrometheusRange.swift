import NIOCore

/// One `query_range` request's window.
public struct RangeChunk: Sendable, Equatable {
    public var start: Double
    public var end: Double
    /// Points this chunk asks for: `(end - start) / step + 1`.
    public var points: Int

    public init(start: Double, end: Double, points: Int) {
        self.start = start
        self.end = end
        self.points = points
    }
}

extension PrometheusSource {
    /// Splits `[start, end]` into windows of at most `maxPoints` points each, on the step grid
    /// of `start`, with no point fetched twice.
    public static func chunks(start: Double, end: Double, stepSeconds step: Double, maxPoints: Int) -> [RangeChunk] {
        guard step > 0, end >= start, maxPoints >= 1 else { return [] }
        let total = Int(((end - start) / step).rounded(.down)) + 1
        var result: [RangeChunk] = []
        var first = 0
        while first < total {
            let count = min(maxPoints, total - first)
            let s = start + Double(first) * step
            result.append(RangeChunk(start: s, end: s + Double(count - 1) * step, points: count))
            first += count
        }
        return result
    }

    /// History of one series for backfill, chunked under the point limit and read in order.
    ///
    /// NaN, infinite and negative points are dropped (and counted); several series are a config
    /// error as for instant queries; no series at all is an empty, successful history.
    public func readRange(
        _ query: PrometheusQuery, start: Double, end: Double, stepSeconds: Double, deadline: NIODeadline
    ) async -> RangeReading {
        guard stepSeconds > 0, end >= start else {
            return RangeReading(
                result: .failure(FetchError(.config, "range needs step > 0 and end ≥ start (got \(start)…\(end) step \(stepSeconds))")))
        }
        var reading = RangeReading(result: .success([]))
        var points: [RangePoint] = []
        for chunk in Self.chunks(start: start, end: end, stepSeconds: stepSeconds, maxPoints: maxPointsPerRequest) {
            reading.requests += 1
            let params = [
                ("query", query.query), ("start", Self.number(chunk.start)), ("end", Self.number(chunk.end)),
                ("step", Self.number(stepSeconds)),
            ]
            let reply: HTTPReply
            switch await transport.get(settings.endpoint, path: "/api/v1/query_range", query: params, deadline: deadline) {
            case .failure(let error):
                reading.result = .failure(error)
                return reading
            case .success(let r): reply = r
            }
            let data: JSONValue
            switch Self.envelope(reply, query: query.query) {
            case .failure(let error):
                reading.result = .failure(error)
                return reading
            case .success(let (d, warnings)):
                data = d
                reading.warnings += warnings
            }
            guard data["resultType"]?.string == "matrix", let series = data["result"]?.array else {
                reading.result = .failure(
                    FetchError(.decode, "query_range answered \(data["resultType"]?.string ?? "no") result type, not a matrix"))
                return reading
            }
            if series.count > 1 {
                let labels = series.prefix(5).map { Self.labelSet($0["metric"]) }.joined(separator: ", ")
                reading.result = .failure(
                    FetchError(.config, "query returned \(series.count) series, expected one: \(labels); query: \(query.query)"))
                return reading
            }
            for value in series.first?["values"]?.array ?? [] {
                switch Self.pair(value) {
                case .failure(let error):
                    reading.result = .failure(error)
                    return reading
                case .success(let (t, v)):
                    if v.isFinite && v >= 0 {
                        points.append(RangePoint(timestamp: t, value: v))
                    } else {
                        reading.droppedPoints += 1
                    }
                }
            }
        }
        reading.result = .success(points)
        return reading
    }

    /// A number as Prometheus parses it (no exponent for ordinary timestamps).
    static func number(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return String(x)
    }
}
