#!/usr/bin/env bash
# Stops what start.sh started, by the PIDs it recorded, and waits for each to exit.
set -uo pipefail

DIR="${FORESCALE_SERVICES_DIR:-/tmp/forescale-services}"

stop() {
  local name=$1 pidfile="$DIR/$1.pid"
  [ -f "$pidfile" ] || return 0
  local pid
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null
    # RabbitMQ's graceful stop takes ~6 s; give every server up to 20 s, then force.
    for ((i = 0; i < 200; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null; echo "services: $name killed" >&2; fi
  fi
  rm -f "$pidfile"
  echo "services: $name stopped" >&2
}

for name in prometheus kafka-fixture redis-exporter redis nats rabbitmq epmd; do stop "$name"; done
