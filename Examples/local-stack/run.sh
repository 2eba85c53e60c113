#!/usr/bin/env bash
# The local stack: real Redis (a stream and a consumer group) with prometheus-redis-exporter and
# Prometheus on 127.0.0.1, a producer replaying a shipped trace (or a ramp) into the stream, and
# Forescale in live mode scaling Python workers under the process-pool adapter. Stops everything
# it started on exit (Ctrl-C included).
#
#   Examples/local-stack/run.sh                      # World Cup 98 minutes, each lasting 2 s, until Ctrl-C
#   Examples/local-stack/run.sh --ramp 20:200 --seconds 180 --check
#                                                    # the end-to-end check CI runs: lag under the SLO,
#                                                    # every scale action explained in the decision log
#
# Needs redis-server, prometheus-redis-exporter and prometheus (scripts/services/install.sh
# installs them on Debian) and python3; builds forescale if .build/debug/forescale is missing.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
RAMP="" SECONDS_TOTAL="" CHECK=0
while [ $# -gt 0 ]; do
  case "$1" in
    --ramp) RAMP="$2"; shift 2 ;;
    --seconds) SECONDS_TOTAL="$2"; shift 2 ;;
    --check) CHECK=1; shift ;;
    *) echo "usage: $0 [--ramp LOW:HIGH] [--seconds N] [--check]" >&2; exit 2 ;;
  esac
done
REDIS_PORT=${LOCAL_STACK_REDIS_PORT:-16379}
EXPORTER_PORT=${LOCAL_STACK_EXPORTER_PORT:-19121}
PROM_PORT=${LOCAL_STACK_PROMETHEUS_PORT:-19090}
STATUS_PORT=${LOCAL_STACK_STATUS_PORT:-18080}
SLO=20
DIR="$(mktemp -d /tmp/forescale-local-stack.XXXXXX)"
PIDS=()
log() { echo "local-stack: $*" >&2; }

cleanup() {
  local status=$?
  # Forescale first (SIGTERM: it stops its workers and flushes the log), then the rest.
  if [ -n "${FORESCALE_PID:-}" ] && kill -0 "$FORESCALE_PID" 2>/dev/null; then
    kill -TERM "$FORESCALE_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$FORESCALE_PID" 2>/dev/null || break; sleep 0.1; done
  fi
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  pkill -f "$HERE/worker.py" 2>/dev/null || true
  log "stopped everything; logs in $DIR"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() { # NAME SECONDS COMMAND...
  local name=$1 limit=$2; shift 2
  for _ in $(seq 1 $((limit * 10))); do "$@" >/dev/null 2>&1 && { log "$name ready"; return 0; }; sleep 0.1; done
  log "$name not ready after ${limit}s (logs in $DIR)"; return 1
}

for tool in redis-server redis-cli prometheus-redis-exporter prometheus python3 curl; do
  command -v "$tool" >/dev/null || { log "$tool is missing: run scripts/services/install.sh (Debian, as root)"; exit 1; }
done
BIN="$ROOT/.build/debug/forescale"
if [ ! -x "$BIN" ]; then log "building forescale"; (cd "$ROOT" && swift build --product forescale); fi

redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$DIR" --save '' >"$DIR/redis.log" 2>&1 &
PIDS+=($!)
wait_for redis 20 redis-cli -p "$REDIS_PORT" ping
redis-cli -p "$REDIS_PORT" XGROUP CREATE orders fulfilment '$' MKSTREAM >/dev/null

prometheus-redis-exporter -redis.addr="redis://127.0.0.1:$REDIS_PORT" -web.listen-address="127.0.0.1:$EXPORTER_PORT" \
  -check-streams='db0=orders' -script="$ROOT/scripts/services/redis-streams.lua" >"$DIR/exporter.log" 2>&1 &
PIDS+=($!)
wait_for exporter 20 curl -sf "http://127.0.0.1:$EXPORTER_PORT/metrics"

cat >"$DIR/prometheus.yml" <<YAML
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: redis
    static_configs: [{ targets: ["127.0.0.1:$EXPORTER_PORT"] }]
YAML
prometheus --config.file="$DIR/prometheus.yml" --storage.tsdb.path="$DIR/prometheus-data" \
  --web.listen-address="127.0.0.1:$PROM_PORT" >"$DIR/prometheus.log" 2>&1 &
PIDS+=($!)
wait_for prometheus 30 curl -sf "http://127.0.0.1:$PROM_PORT/-/ready"

# Rates over 15 s windows: Prometheus scrapes every second here.
cat >"$DIR/forescale.yaml" <<YAML
controller:
  interval: 5s
  mode: live
  backfill: 0s
  status: { listen: '127.0.0.1:$STATUS_PORT' }
  decisionLog: { path: '$DIR/decisions.sqlite' }
sources:
  prom: { type: prometheus, url: 'http://127.0.0.1:$PROM_PORT', timeout: 2s }
orchestrators:
  pool: { type: process-pool, timeout: 5s }
targets:
  - name: fulfilment
    scale: { orchestrator: pool, command: [python3, '$HERE/worker.py'] }
    replicas: { min: 1, max: 12 }
    metrics:
      lag: { source: prom, query: 'sum(redis_script_values{key="orders/fulfilment/backlog"})' }
      arrivalRate: { source: prom, query: 'sum(rate(redis_script_values{key="orders/fulfilment/added"}[15s]))' }
      throughput: { source: prom, query: 'sum(rate(redis_script_values{key="orders/fulfilment/read"}[15s]))' }
    capacity: { perReplica: 50/s }
    utilization: 80%
    slo: { latency: ${SLO}s }
    startup: 2s
    staleAfter: 15s
    behavior:
      scaleDown: { stabilizationWindow: 60s }
YAML
export LOCAL_STACK_REDIS_PORT=$REDIS_PORT LOCAL_STACK_CAPACITY=50
"$BIN" run --config "$DIR/forescale.yaml" >"$DIR/forescale.out" 2>"$DIR/forescale.log" &
FORESCALE_PID=$!
wait_for forescale 60 curl -sf "http://127.0.0.1:$STATUS_PORT/healthz"

python3 "$HERE/monitor.py" --port "$REDIS_PORT" --log "$DIR/monitor.log" &
PIDS+=($!)
if [ -n "$RAMP" ]; then
  log "producer: ramp $RAMP messages/s over ${SECONDS_TOTAL:-180} s; status API http://127.0.0.1:$STATUS_PORT/v1/targets/fulfilment"
  python3 "$HERE/producer.py" --port "$REDIS_PORT" --ramp "$RAMP" --seconds "${SECONDS_TOTAL:-180}" --log "$DIR/producer.log" &
else
  log "producer: World Cup 98 minutes (2 s each, 5 % of the requests); status API http://127.0.0.1:$STATUS_PORT/v1/targets/fulfilment; Ctrl-C stops"
  python3 "$HERE/producer.py" --port "$REDIS_PORT" --trace "$ROOT/Examples/traces/worldcup98_1min_jun08-16.csv" --log "$DIR/producer.log" &
fi
PRODUCER=$!
PIDS+=($PRODUCER)
if [ -n "$SECONDS_TOTAL" ] || [ -n "$RAMP" ]; then
  wait "$PRODUCER"
  sleep 10   # let the workers catch up and Forescale record the last decisions
else
  wait "$PRODUCER"
fi
if [ "$CHECK" = 1 ]; then
  kill -TERM "$FORESCALE_PID"; wait "$FORESCALE_PID" || true
  python3 "$HERE/check.py" --monitor "$DIR/monitor.log" --log "$DIR/decisions.sqlite" --slo "$SLO" --warmup 30
fi
