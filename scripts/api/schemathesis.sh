#!/usr/bin/env bash
# Fuzzes the status API with schemathesis (from PyPI) against the OpenAPI document it serves.
#
# Starts, in a temporary directory, a tiny JSON metric server (python3 http.server), and
# `forescale run` with two targets scaled by a `command` orchestrator that keeps each count in a
# file, so nothing outside this script is needed. Waits for /readyz, then runs every schemathesis
# check (server errors, status codes, content types, headers, response schemas, negative and
# positive data, unsupported methods, auth, stateful links) with a fixed seed. Stops everything it
# started on exit; exits non-zero when schemathesis finds a problem.
#
# Usage: scripts/api/schemathesis.sh [--release] [--max-examples N] [--seed N] [-- extra schemathesis args]
# Environment: FORESCALE_BIN (a built forescale binary; skips the build).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

configuration=debug
max_examples=40
seed=20261127
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --release) configuration=release ;;
    --max-examples) max_examples=$2; shift ;;
    --seed) seed=$2; shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "usage: $0 [--release] [--max-examples N] [--seed N] [-- schemathesis args]" >&2; exit 2 ;;
  esac
  shift
done

# (a) schemathesis
if ! python3 -c 'import schemathesis' >/dev/null 2>&1; then
  echo "installing schemathesis…" >&2
  python3 -m pip install --quiet schemathesis || python3 -m pip install --quiet --break-system-packages schemathesis
fi
st=(python3 -m schemathesis.cli)
"${st[@]}" --version >/dev/null 2>&1 || st=(schemathesis)

# (b) forescale
if [ -n "${FORESCALE_BIN:-}" ]; then
  bin=$FORESCALE_BIN
else
  echo "building forescale ($configuration)…" >&2
  swift build -c "$configuration" --product forescale >&2
  bin="$(swift build -c "$configuration" --show-bin-path)/forescale"
fi
[ -x "$bin" ] || { echo "no forescale binary at $bin" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/forescale-schemathesis.XXXXXX")
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [ "$status" != 0 ] && [ -f "$work/forescale.log" ]; then
    echo "--- forescale log (last 40 lines) ---" >&2
    tail -n 40 "$work/forescale.log" >&2
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# (c) a metric server on a free loopback port, and the config
mkdir -p "$work/metrics"
printf '{"lag": 10, "rate": 150, "throughput": 150}\n' > "$work/metrics/stats.json"
python3 - "$work/metrics" "$work/metrics.port" > "$work/metrics.log" 2>&1 <<'EOF' &
import functools, http.server, os, sys
directory, port_file = sys.argv[1], sys.argv[2]
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=directory)
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
EOF
pids+=($!)
for _ in $(seq 1 100); do
  [ -s "$work/metrics.port" ] && break
  sleep 0.1
done
[ -s "$work/metrics.port" ] || { echo "the metric server did not start" >&2; cat "$work/metrics.log" >&2; exit 1; }
metrics_port=$(cat "$work/metrics.port")

token="schemathesis-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$token" > "$work/token"
echo 3 > "$work/replicas-orders"
echo 2 > "$work/replicas-thumbnails"

target() {
  cat <<EOF
  - name: $1
    scale:
      orchestrator: files
      get: [cat, '$work/replicas-$1']
      set: [sh, -c, 'echo "\$1" > "\$0"', '$work/replicas-$1', '{replicas}']
    replicas: { min: 1, max: 20 }
    metrics:
      lag: { source: app, pointer: /lag }
      arrivalRate: { source: app, pointer: /rate }
      throughput: { source: app, pointer: /throughput }
    capacity: { perReplica: 50 }
EOF
}
{
  cat <<EOF
controller:
  interval: 1s
  backfill: 0s
  status:
    listen: 127.0.0.1:8080  # replaced by --listen
    tokenFile: '$work/token'
  decisionLog: { path: '$work/decisions.sqlite' }
sources:
  app: { type: json, url: 'http://127.0.0.1:$metrics_port/stats.json', timeout: 500ms }
orchestrators:
  files: { type: command, timeout: 5s }
targets:
EOF
  target orders
  target thumbnails
} > "$work/forescale.yaml"

# (d) the controller
"$bin" run --config "$work/forescale.yaml" --listen 127.0.0.1:0 > "$work/forescale.out" 2> "$work/forescale.log" &
pids+=($!)
base=
for _ in $(seq 1 300); do
  base=$(sed -n 's/^status API listening on \(http:[^ ]*\).*/\1/p' "$work/forescale.out" | head -n 1)
  [ -n "$base" ] && break
  kill -0 "${pids[-1]}" 2>/dev/null || { echo "forescale exited" >&2; cat "$work/forescale.out" >&2; exit 1; }
  sleep 0.1
done
[ -n "$base" ] || { echo "forescale printed no listening address" >&2; exit 1; }
ready=
for _ in $(seq 1 300); do
  if [ "$(python3 -c 'import sys, urllib.request
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=2).status)
except Exception as e:
    print(getattr(e, "code", 0))' "$base/readyz")" = 200 ]; then
    ready=1
    break
  fi
  sleep 0.1
done
[ -n "$ready" ] || { echo "forescale did not become ready at $base/readyz" >&2; exit 1; }
echo "forescale ready at $base" >&2

# (e) schemathesis
# From the temporary directory, so schemathesis's cache (.schemathesis/) goes away with it.
status=0
(cd "$work" && "${st[@]}" run "$base/v1/openapi.yaml" \
  --url "$base" \
  --checks all \
  -H "Authorization: Bearer $token" \
  --max-examples "$max_examples" \
  --seed "$seed" \
  --request-timeout 10 \
  --generation-database none \
  --no-color \
  ${extra[@]+"${extra[@]}"}) || status=$?

# (f) the controller must still be running after the fuzzing
if ! kill -0 "${pids[-1]}" 2>/dev/null; then
  echo "forescale exited during the run" >&2
  status=1
fi
exit "$status"
