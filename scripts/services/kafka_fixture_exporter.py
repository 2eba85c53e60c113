#!/usr/bin/env python3
"""A stand-in for Kafka exporters: serves /metrics with the real metric names of
danielqsj/kafka_exporter and seglo/kafka-lag-exporter for topic "orders", group "billing",
2 partitions. Offsets grow with the clock so rate() has something to measure:
arrivals and consumption are 50 messages/s in all (25 per partition); lag is 120 + 80 = 200.
Usage: kafka_fixture_exporter.py HOST PORT
"""
import http.server
import sys
import time

RATE_PER_PARTITION = 25.0
LAGS = {0: 120, 1: 80}
START = time.time()


def metrics() -> str:
    t = time.time() - START
    lines = [
        "# HELP kafka_topic_partition_current_offset Current Offset of a Broker at Topic/Partition",
        "# TYPE kafka_topic_partition_current_offset gauge",
    ]
    for p in LAGS:
        lines.append(f'kafka_topic_partition_current_offset{{partition="{p}",topic="orders"}} {1_000_000 + RATE_PER_PARTITION * t:.3f}')
    lines += [
        "# HELP kafka_consumergroup_current_offset Current Offset of a ConsumerGroup at Topic/Partition",
        "# TYPE kafka_consumergroup_current_offset gauge",
    ]
    for p, lag in LAGS.items():
        lines.append(f'kafka_consumergroup_current_offset{{consumergroup="billing",partition="{p}",topic="orders"}} {1_000_000 + RATE_PER_PARTITION * t - lag:.3f}')
    lines += [
        "# HELP kafka_consumergroup_lag Current Approximate Lag of a ConsumerGroup at Topic/Partition",
        "# TYPE kafka_consumergroup_lag gauge",
    ]
    for p, lag in LAGS.items():
        lines.append(f'kafka_consumergroup_lag{{consumergroup="billing",partition="{p}",topic="orders"}} {lag}')
    lines += [
        "# HELP kafka_consumergroup_group_lag Group offset lag of a partition",
        "# TYPE kafka_consumergroup_group_lag gauge",
    ]
    for p, lag in LAGS.items():
        lines.append(f'kafka_consumergroup_group_lag{{cluster_name="local",group="billing",topic="orders",partition="{p}",member_host="/127.0.0.1",consumer_id="billing-{p}",client_id="billing"}} {lag}')
    lines += ["# HELP kafka_partition_latest_offset Latest offset of a partition", "# TYPE kafka_partition_latest_offset gauge"]
    for p in LAGS:
        lines.append(f'kafka_partition_latest_offset{{cluster_name="local",topic="orders",partition="{p}"}} {1_000_000 + RATE_PER_PARTITION * t:.3f}')
    lines += ["# HELP kafka_consumergroup_group_offset Last group consumed offset of a partition", "# TYPE kafka_consumergroup_group_offset gauge"]
    for p, lag in LAGS.items():
        lines.append(f'kafka_consumergroup_group_offset{{cluster_name="local",group="billing",topic="orders",partition="{p}",member_host="/127.0.0.1",consumer_id="billing-{p}",client_id="billing"}} {1_000_000 + RATE_PER_PARTITION * t - lag:.3f}')
    return "\n".join(lines) + "\n"


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.split("?")[0] != "/metrics":
            self.send_error(404)
            return
        body = metrics().encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    host, port = sys.argv[1], int(sys.argv[2])
    http.server.ThreadingHTTPServer((host, port), Handler).serve_forever()
