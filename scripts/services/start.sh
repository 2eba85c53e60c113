#!/usr/bin/env bash
# Starts, on 127.0.0.1 only, the real servers of the integration tests, each as a plain background
# process with its state and PID file under one folder (default /tmp/forescale-services, or
# $FORESCALE_SERVICES_DIR). Installs nothing (see install.sh). Stop them with stop.sh.
#
#   Prometheus 9090   scrapes the Redis exporter and the fixture Kafka exporters every second
#   Redis 6379        with prometheus-redis-exporter on 9121 (stream metrics + the Lua script)
#   fixture 9308      kafka_exporter / kafka-lag-exporter metric names (kafka_fixture_exporter.py)
#   NATS 4222/8222    JetStream, monitoring on 8222
#   RabbitMQ 5672     management API on 15672 (guest/guest)
#
# Each server is waited for by polling its readiness endpoint, not by fixed sleeps.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DIR="${FORESCALE_SERVICES_DIR:-/tmp/forescale-services}"
mkdir -p "$DIR"
ONLY="${*:-prometheus redis nats rabbitmq}"

log() { echo "services: $*" >&2; }

alive() { [ -f "$DIR/$1.pid" ] && kill -0 "$(cat "$DIR/$1.pid")" 2>/dev/null; }

# wait_for NAME SECONDS COMMAND...: polls COMMAND every 0.1 s until it succeeds.
wait_for() {
  local name=$1 limit=$2; shift 2
  local tries=$((limit * 10))
  for ((i = 0; i < tries; i++)); do
    if "$@" >/dev/null 2>&1; then log "$name ready"; return 0; fi
    if [ -f "$DIR/$name.pid" ] && ! kill -0 "$(cat "$DIR/$name.pid")" 2>/dev/null; then
      log "$name exited; its log: $DIR/$name.log"; tail -20 "$DIR/$name.log" >&2 || true; return 1
    fi
    sleep 0.1
  done
  log "$name not ready after ${limit}s; its log: $DIR/$name.log"; tail -20 "$DIR/$name.log" >&2 || true
  return 1
}

start_redis() {
  if ! alive redis; then
    mkdir -p "$DIR/redis"
    redis-server --bind 127.0.0.1 --port 6379 --dir "$DIR/redis" --save '' --daemonize no >"$DIR/redis.log" 2>&1 &
    echo $! >"$DIR/redis.pid"
  fi
  wait_for redis 20 redis-cli -h 127.0.0.1 -p 6379 ping
  if ! alive redis-exporter; then
    prometheus-redis-exporter -redis.addr=redis://127.0.0.1:6379 -web.listen-address=127.0.0.1:9121 \
      -check-streams='db0=*' -script="$HERE/redis-streams.lua" >"$DIR/redis-exporter.log" 2>&1 &
    echo $! >"$DIR/redis-exporter.pid"
  fi
  wait_for redis-exporter 20 curl -sf http://127.0.0.1:9121/metrics
}

start_prometheus() {
  if ! alive kafka-fixture; then
    python3 "$HERE/kafka_fixture_exporter.py" 127.0.0.1 9308 >"$DIR/kafka-fixture.log" 2>&1 &
    echo $! >"$DIR/kafka-fixture.pid"
  fi
  wait_for kafka-fixture 20 curl -sf http://127.0.0.1:9308/metrics
  if ! alive prometheus; then
    cat >"$DIR/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: redis
    static_configs: [{ targets: ["127.0.0.1:9121"] }]
  - job_name: kafka
    static_configs: [{ targets: ["127.0.0.1:9308"] }]
YAML
    mkdir -p "$DIR/prometheus-data"
    prometheus --config.file="$DIR/prometheus.yml" --storage.tsdb.path="$DIR/prometheus-data" \
      --web.listen-address=127.0.0.1:9090 >"$DIR/prometheus.log" 2>&1 &
    echo $! >"$DIR/prometheus.pid"
  fi
  wait_for prometheus 30 curl -sf http://127.0.0.1:9090/-/ready
}

start_nats() {
  if ! alive nats; then
    mkdir -p "$DIR/nats/store"
    nats-server -a 127.0.0.1 -p 4222 -m 8222 -js -sd "$DIR/nats/store" >"$DIR/nats.log" 2>&1 &
    echo $! >"$DIR/nats.pid"
  fi
  wait_for nats 20 curl -sf http://127.0.0.1:8222/healthz
}

rabbit_env() {
  local RB="$DIR/rabbitmq"
  export HOME="$RB/home" RABBITMQ_NODENAME=rabbit@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT=5672 RABBITMQ_DIST_PORT=25672 RABBITMQ_CONFIG_FILE="$RB/rabbitmq.conf" \
    RABBITMQ_MNESIA_BASE="$RB/mnesia" RABBITMQ_LOG_BASE="$RB/log" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$RB/enabled_plugins" RABBITMQ_PID_FILE="$RB/rabbit.pid" \
    ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
    RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

start_rabbitmq() {
  local RB="$DIR/rabbitmq"
  if ! alive rabbitmq; then
    mkdir -p "$RB/home" "$RB/mnesia" "$RB/log"
    cat >"$RB/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:5672
management.tcp.ip = 127.0.0.1
management.tcp.port = 15672
CONF
    (
      rabbit_env
      /usr/lib/rabbitmq/bin/rabbitmq-plugins enable --offline rabbitmq_management >"$DIR/rabbitmq-plugins.log" 2>&1
    )
    if ! alive epmd; then
      epmd -address 127.0.0.1 >"$DIR/epmd.log" 2>&1 &
      echo $! >"$DIR/epmd.pid"
    fi
    (
      rabbit_env
      exec /usr/lib/rabbitmq/bin/rabbitmq-server >"$DIR/rabbitmq.log" 2>&1
    ) &
    echo $! >"$DIR/rabbitmq.pid"
  fi
  wait_for rabbitmq 90 curl -sf -u guest:guest http://127.0.0.1:15672/api/overview
}

for service in $ONLY; do
  case "$service" in
    prometheus) start_redis; start_prometheus ;;
    redis) start_redis ;;
    nats) start_nats ;;
    rabbitmq) start_rabbitmq ;;
    *) log "unknown service $service (prometheus, redis, nats, rabbitmq)"; exit 2 ;;
  esac
done
log "all started; state and logs in $DIR"
