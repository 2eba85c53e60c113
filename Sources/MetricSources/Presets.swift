import Foundation

/// PromQL written for common exporters, so a user names a topic and group (or stream and group)
/// instead of writing queries. Each preset gives the three values the planner reads.
public struct PresetQueries: Sendable, Equatable {
    public var lag: String
    public var arrivalRate: String
    public var throughput: String

    /// The metric references for a Prometheus source.
    public var requests: [MetricRequest] {
        [
            MetricRequest(metric: .lag, query: .prometheus(PrometheusQuery(lag))),
            MetricRequest(metric: .arrivalRate, query: .prometheus(PrometheusQuery(arrivalRate))),
            MetricRequest(metric: .throughput, query: .prometheus(PrometheusQuery(throughput))),
        ]
    }
}

public enum KafkaExporterPreset: String, Sendable, CaseIterable {
    /// danielqsj/kafka_exporter: `kafka_consumergroup_lag`, `kafka_topic_partition_current_offset`,
    /// `kafka_consumergroup_current_offset` (labels `consumergroup`, `topic`, `partition`).
    case kafkaExporter = "kafka_exporter"
    /// seglo/kafka-lag-exporter: `kafka_consumergroup_group_lag`, `kafka_partition_latest_offset`,
    /// `kafka_consumergroup_group_offset` (labels `cluster_name`, `group`, `topic`, `partition`).
    case kafkaLagExporter = "kafka-lag-exporter"

    /// Queries for consumer group `group` reading `topic`; `rateWindow` is a PromQL duration
    /// (at least four scrape intervals). `cluster` narrows kafka-lag-exporter's `cluster_name`.
    public func queries(topic: String, group: String, rateWindow: String = "1m", cluster: String? = nil)
        -> PresetQueries
    {
        let t = PromQL.quote(topic)
        let g = PromQL.quote(group)
        switch self {
        case .kafkaExporter:
            return PresetQueries(
                lag: "sum(kafka_consumergroup_lag{consumergroup=\(g),topic=\(t)})",
                arrivalRate: "sum(rate(kafka_topic_partition_current_offset{topic=\(t)}[\(rateWindow)]))",
                throughput: "sum(rate(kafka_consumergroup_current_offset{consumergroup=\(g),topic=\(t)}[\(rateWindow)]))")
        case .kafkaLagExporter:
            let c = cluster.map { ",cluster_name=\(PromQL.quote($0))" } ?? ""
            return PresetQueries(
                lag: "sum(kafka_consumergroup_group_lag{group=\(g),topic=\(t)\(c)})",
                arrivalRate: "sum(rate(kafka_partition_latest_offset{topic=\(t)\(c)}[\(rateWindow)]))",
                throughput: "sum(rate(kafka_consumergroup_group_offset{group=\(g),topic=\(t)\(c)}[\(rateWindow)]))")
        }
    }
}

/// Redis Streams through prometheus-redis-exporter (`-check-streams`).
///
/// Lag is entries not yet delivered to the group plus entries delivered and not acknowledged.
/// Newer exporters publish `redis_stream_group_lag`; 1.45 (Debian bookworm) does not, so each
/// query falls back (`or`) to the values of `luaScript`, given to the exporter with `-script`,
/// which appear as `redis_script_values{key="…"}`.
public enum RedisStreamsPreset {
    public static func queries(stream: String, group: String, db: String = "db0", rateWindow: String = "1m")
        -> PresetQueries
    {
        let sel = "db=\(PromQL.quote(db)),stream=\(PromQL.quote(stream)),group=\(PromQL.quote(group))"
        let key = { (name: String) in "redis_script_values{key=\(PromQL.quote(scriptKey(name, stream: stream, group: group)))}" }
        return PresetQueries(
            lag: "sum(redis_stream_group_lag{\(sel)} + redis_stream_group_messages_pending{\(sel)})"
                + " or sum(\(key("backlog")))",
            arrivalRate: "sum(rate(\(key("added"))[\(rateWindow)]))",
            throughput: "sum(rate(\(key("read"))[\(rateWindow)]))")
    }

    /// The `redis_script_values` key for a value of `luaScript`.
    public static func scriptKey(_ name: String, stream: String, group: String) -> String {
        "\(stream)/\(group)/\(name)"
    }

    /// A Lua script for the exporter's `-script` option. It reads every group of the streams named
    /// in `KEYS`… the exporter passes none, so it scans for stream keys matching `pattern`.
    /// Per stream and group it returns `S/G/backlog` (lag + pending), `S/G/pending`, `S/G/read`
    /// (entries-read) and `S/G/added` (the stream's entries-added).
    public static func luaScript(pattern: String = "*") -> String {
        """
        local out = {}
        local cursor = "0"
        repeat
          local res = redis.call("SCAN", cursor, "MATCH", \(luaQuote(pattern)), "TYPE", "stream", "COUNT", 1000)
          cursor = res[1]
          for _, s in ipairs(res[2]) do
            local info = redis.call("XINFO", "STREAM", s)
            local added = 0
            for i = 1, #info, 2 do if info[i] == "entries-added" then added = info[i + 1] end end
            for _, g in ipairs(redis.call("XINFO", "GROUPS", s)) do
              local f = {}
              for i = 1, #g, 2 do f[g[i]] = g[i + 1] end
              local prefix = s .. "/" .. f["name"] .. "/"
              if type(f["lag"]) == "number" then
                table.insert(out, prefix .. "backlog"); table.insert(out, tostring(f["lag"] + f["pending"]))
              end
              table.insert(out, prefix .. "pending"); table.insert(out, tostring(f["pending"]))
              if type(f["entries-read"]) == "number" then
                table.insert(out, prefix .. "read"); table.insert(out, tostring(f["entries-read"]))
              end
              table.insert(out, prefix .. "added"); table.insert(out, tostring(added))
            end
          end
        until cursor == "0"
        return out
        """
    }

    private static func luaQuote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

enum PromQL {
    /// A PromQL string literal for a label value.
    static func quote(_ value: String) -> String {
        var out = "\""
        for ch in value {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(ch)
            }
        }
        return out + "\""
    }
}
