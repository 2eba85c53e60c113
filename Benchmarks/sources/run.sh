#!/usr/bin/env bash
# Benchmark (not a test): 500 targets × 3 values from the local Prometheus of scripts/services.
# Starts Prometheus (and its fixture exporters) if needed, builds in release mode, and reports
# wall time per tick and the CPU cost of the client and of Prometheus.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
DIR="${FORESCALE_SERVICES_DIR:-/tmp/forescale-services}"
bash scripts/services/start.sh prometheus
swift build -c release --product sources-bench --build-path .build-bench 2>&1 | grep -E "error|warning: .*Benchmarks" || true
PROM_PID="$(cat "$DIR/prometheus.pid")"
prom_cpu() { awk '{print ($14 + $15) / 100}' "/proc/$PROM_PID/stat"; }  # user+system, clock ticks of 10 ms
before="$(prom_cpu)"
/usr/bin/time -f "sources-bench process: %e s wall, %U s user, %S s system, %M KiB max RSS" \
  .build-bench/release/sources-bench http://127.0.0.1:9090 "${TARGETS:-500}" "${TICKS:-3}"
after="$(prom_cpu)"
echo "Prometheus CPU during the run: $(echo "$after - $before" | bc) s"
