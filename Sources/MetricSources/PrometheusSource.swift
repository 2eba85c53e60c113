import NIOCore
import Planner

/// Prometheus (and API-compatible stores: Thanos, Mimir, VictoriaMetrics) over `/api/v1/query`
/// and `/api/v1/query_range`.
public struct PrometheusSource: RangeMetricSource {
    public let settings: SourceSettings
    public let transport: HTTPTransport
    public let clock: any ControlClock
    /// Prometheus refuses a range query over 11,000 points; chunks stay at or below this.
    public var maxPointsPerRequest: Int

    public init(
        settings: SourceSettings, transport: HTTPTransport = HTTPTransport(), clock: any ControlClock = SystemControlClock(),
        maxPointsPerRequest: Int = 11_000
    ) {
        self.settings = settings
        self.transport = transport
        self.clock = clock
        self.maxPointsPerRequest = maxPointsPerRequest
    }

    public func read(_ request: MetricRequest, deadline: NIODeadline) async -> MetricReading {
        guard case .prometheus(let query) = request.query else { return wrongQuery(request) }
        return await timed { await instant(query.query, metric: request.metric, request: request, deadline: deadline) }
    }

    private func instant(_ query: String, metric: MetricName, request: MetricRequest, deadline: NIODeadline) async
        -> MetricReading
    {
        let reply: HTTPReply
        switch await transport.get(settings.endpoint, path: "/api/v1/query", query: [("query", query)], deadline: deadline) {
        case .failure(let error): return MetricReading(outcome: .failed(error))
        case .success(let r): reply = r
        }
        var reading = MetricReading(outcome: .empty(""), attempts: reply.attempts)
        let data: JSONValue
        switch Self.envelope(reply, query: query) {
        case .failure(let error):
            reading.outcome = .failed(error)
            return reading
        case .success(let (d, warnings)):
            data = d
            reading.warnings = warnings
        }
        let sample: (Double, Double)
        switch data["resultType"]?.string {
        case "vector":
            guard let series = data["result"]?.array else {
                reading.outcome = .failed(FetchError(.decode, "vector result without a result array"))
                return reading
            }
            if series.isEmpty {
                reading.outcome = .empty("query returned no series: \(query)")
                return reading
            }
            if series.count > 1 {
                let labels = series.prefix(5).map { Self.labelSet($0["metric"]) }.joined(separator: ", ")
                let more = series.count > 5 ? " and \(series.count - 5) more" : ""
                reading.outcome = .failed(
                    FetchError(
                        .config,
                        "query returned \(series.count) series, expected one (aggregate with sum(), max() …): "
                            + "\(labels)\(more); query: \(query)"))
                return reading
            }
            switch Self.pair(series[0]["value"]) {
            case .failure(let e):
                reading.outcome = .failed(e)
                return reading
            case .success(let p): sample = p
            }
        case "scalar":
            switch Self.pair(data["result"]) {
            case .failure(let e):
                reading.outcome = .failed(e)
                return reading
            case .success(let p): sample = p
            }
        case "matrix":
            reading.outcome = .failed(
                FetchError(
                    .config,
                    "query returned a range vector; an instant query needs an instant expression "
                        + "(wrap the [range] selector in rate(), avg_over_time() …): \(query)"))
            return reading
        case let other:
            reading.outcome = .failed(
                FetchError(.config, "query returned a \(other ?? "missing") result type, not a number: \(query)"))
            return reading
        }
        reading.outcome = .value(sample.1, timestamp: sample.0)
        return reading
    }

    // MARK: - Shared response reading

    /// The `data` of a success envelope and its warnings, or the error the envelope (or status) carries.
    static func envelope(_ reply: HTTPReply, query: String) -> Result<(JSONValue, [String]), FetchError> {
        let parsed = JSONValue.parse(reply.body, from: "Prometheus")
        if case .success(let doc) = parsed, let status = doc["status"]?.string {
            let warnings = (doc["warnings"]?.array ?? []).compactMap(\.string)
                + (doc["infos"]?.array ?? []).compactMap(\.string)
            if status == "error" {
                let type = doc["errorType"]?.string ?? "unknown"
                let message = doc["error"]?.string ?? "no message"
                let kind: FetchErrorKind = type == "bad_data" ? .config : .upstream
                let note = warnings.isEmpty ? "" : " (warnings: \(warnings.joined(separator: "; ")))"
                return .failure(
                    FetchError(
                        kind, "Prometheus error \(type) (HTTP \(reply.status)): \(message)\(note); query: \(query)",
                        httpStatus: reply.status))
            }
            if status == "success" && reply.isSuccess {
                guard let data = doc["data"] else {
                    return .failure(FetchError(.decode, "Prometheus success envelope without data"))
                }
                return .success((data, warnings))
            }
        }
        if !reply.isSuccess {
            return .failure(
                FetchError(
                    .httpStatus, "Prometheus answered HTTP \(reply.status): \(reply.snippet())", httpStatus: reply.status))
        }
        if case .failure(let error) = parsed { return .failure(error) }
        return .failure(FetchError(.decode, "Prometheus answered JSON without a status field: \(reply.snippet())"))
    }

    /// `[1700000000.123, "42"]` → (timestamp, value). Prometheus writes values as strings,
    /// including `NaN`, `+Inf` and `-Inf`.
    static func pair(_ json: JSONValue?) -> Result<(Double, Double), FetchError> {
        guard let a = json?.array, a.count == 2, let t = a[0].double, let s = a[1].string else {
            return .failure(FetchError(.decode, "sample is not [timestamp, \"value\"]: \(String(describing: json))"))
        }
        guard let v = parseValue(s) else {
            return .failure(FetchError(.decode, "sample value \"\(s)\" is not a number"))
        }
        return .success((t, v))
    }

    static func parseValue(_ s: String) -> Double? {
        switch s {
        case "NaN": return .nan
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        default: return Double(s)
        }
    }

    /// `{topic="orders", partition="3"}` from a `metric` object.
    static func labelSet(_ metric: JSONValue?) -> String {
        let labels = (metric?.object ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value.string ?? "")\"" }
        return "{" + labels.joined(separator: ", ") + "}"
    }
}
