#!/usr/bin/env bash
# Benchmark (not a test): `forescale run` with 1,000 live targets at a 15 s interval against a
# local JSON metrics endpoint and the fake Kubernetes API (both in a separate fixture process).
# Measures the forescale process alone: CPU per tick round, peak RSS, and status API latency under
# load (a fixed 500 requests/s, and wrk's closed-loop load). Writes Benchmarks/controller/results.md.
#
#   Benchmarks/controller/run.sh                 # TARGETS=1000 ROUNDS=4 RATE=500 SECONDS_PER_LOAD=30
#   TARGETS=200 ROUNDS=2 Benchmarks/controller/run.sh
#   CPU_ONLY=1 ROUNDS=8 Benchmarks/controller/run.sh   # CPU per round and RSS only (no load runs, no results file)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
TARGETS="${TARGETS:-1000}"
ROUNDS="${ROUNDS:-4}"
RATE="${RATE:-500}"
LOAD_SECONDS="${SECONDS_PER_LOAD:-30}"
INTERVAL=15
RESULTS="${RESULTS:-Benchmarks/controller/results.md}"
WORK="$(mktemp -d /tmp/forescale-controller-bench.XXXXXX)"

command -v wrk >/dev/null || { echo "wrk is missing (apt-get install -y wrk)" >&2; exit 1; }
echo "building (release)…"
for product in forescale controller-bench-fixture; do swift build -c release --product "$product" 2>&1 | grep -E "error|warning: .*Benchmarks" || true; done
BIN="$(swift build -c release --show-bin-path)"

PIDS=()
cleanup() {  # forescale first, so that its log does not end with the fixture's endpoints going away
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do kill "${PIDS[i]}" 2>/dev/null || true; done; wait 2>/dev/null || true
}
trap cleanup EXIT

wait_for_line() {  # FILE PREFIX SECONDS → the first line of FILE starting with PREFIX
  local file="$1" prefix="$2" deadline=$((SECONDS + $3))
  while ((SECONDS < deadline)); do
    if line="$(grep -m1 "^$prefix" "$file" 2>/dev/null)"; then echo "$line"; return 0; fi
    sleep 0.2
  done
  echo "timed out waiting for '$prefix' in $file" >&2; return 1
}

"$BIN/controller-bench-fixture" serve "$WORK" "$TARGETS" >"$WORK/fixture.out" 2>"$WORK/fixture.err" &
FIXTURE_PID=$!; PIDS+=("$FIXTURE_PID")
wait_for_line "$WORK/fixture.out" ready 120 >/dev/null
cat "$WORK/fixture.out"

"$BIN/forescale" run --config "$WORK/forescale.yaml" --listen 127.0.0.1:0 --log-format json \
  >"$WORK/forescale.out" 2>"$WORK/forescale.err" &
PID=$!; PIDS+=("$PID")
BASE="$(wait_for_line "$WORK/forescale.out" "status API listening on " 120 | sed 's/^status API listening on //')"
echo "forescale pid $PID at $BASE; log in $WORK"

CLK_TCK="$(getconf CLK_TCK)"
cpu() { awk -v hz="$CLK_TCK" '{ print ($14 + $15) / hz }' "/proc/$1/stat"; }   # utime + stime, seconds
hwm() { awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }      # peak RSS, MiB
rss() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
ticks() { curl -sf "$BASE/v1/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ticks"])'; }

STARTED=$SECONDS
until curl -sf -o /dev/null "$BASE/readyz"; do
  ((SECONDS - STARTED < 120)) || { echo "not ready after 120 s" >&2; tail -5 "$WORK/forescale.err" >&2; exit 1; }
  sleep 0.5
done
READY_AFTER=$((SECONDS - STARTED))
echo "ready after $READY_AFTER s (every target ticked once); settling $ROUNDS rounds…"
cpu_ready="$(cpu "$PID")"; ticks_ready="$(ticks)"
sleep $((ROUNDS * INTERVAL))
cpu_after="$(cpu "$PID")"; ticks_after="$(ticks)"
rounds=$((ticks_after - ticks_ready)); ((rounds > 0)) || rounds=1
cpu_per_round="$(echo "scale=3; ($cpu_after - $cpu_ready) / $rounds" | bc)"
hwm_idle="$(hwm "$PID")"; rss_idle="$(rss "$PID")"
echo "CPU: $cpu_ready s at readiness, $cpu_after s after $rounds more rounds → $cpu_per_round core-s per round; VmHWM $hwm_idle MiB, VmRSS $rss_idle MiB"
if [[ -n "${CPU_ONLY:-}" ]]; then exit 0; fi   # CPU_ONLY=1: the CPU and RSS figures only, no load runs, no results file

STATUS_BYTES="$(curl -s "$BASE/v1/status" | wc -c)"
DETAIL_BYTES="$(curl -s "$BASE/v1/targets/w1" | wc -c)"
curl -s "$BASE/v1/status" >"$WORK/status.json"
decisions="$(curl -s "$BASE/v1/decisions?limit=1000" | python3 -c 'import json,sys; d=json.load(sys.stdin)["decisions"]; print(len(d), "newest rows;", sum(1 for r in d if r["applied"]), "applied;", len({r["finalReplicas"] for r in d}), "distinct final counts")')"

LOAD_OUT="$WORK/load.txt"; : >"$LOAD_OUT"
LOADAVG_LOAD="$(cut -d' ' -f1-3 /proc/loadavg)"
for path in /healthz /v1/targets/w1 /v1/status; do
  c0="$(cpu "$PID")"
  "$BIN/controller-bench-fixture" load --rate "$RATE" --seconds "$LOAD_SECONDS" "$BASE$path" | tee -a "$LOAD_OUT"
  c1="$(cpu "$PID")"
  echo "  forescale CPU during this load: $(echo "scale=2; ($c1 - $c0) / $LOAD_SECONDS * 100" | bc) % of one core" | tee -a "$LOAD_OUT"
done
for path in /healthz /v1/targets/w1 /v1/status; do
  echo "wrk -t2 -c16 -d${LOAD_SECONDS}s --latency $BASE$path" | tee -a "$LOAD_OUT"
  wrk -t2 -c16 -d"${LOAD_SECONDS}s" --latency "$BASE$path" | grep -E "Latency|50%|90%|99%|Requests/sec|requests in|Non-2xx|Socket errors" | tee -a "$LOAD_OUT"
done
hwm_load="$(hwm "$PID")"; cpu_end="$(cpu "$PID")"; ticks_end="$(ticks)"
errors="$(grep -c '"level":"error"' "$WORK/forescale.err" || true)"
warnings="$(grep -c '"level":"warning"' "$WORK/forescale.err" || true)"

model="$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
{
  echo "# Controller benchmark results"
  echo
  echo "Generated by \`Benchmarks/controller/run.sh\` (TARGETS=$TARGETS ROUNDS=$ROUNDS RATE=$RATE SECONDS_PER_LOAD=$LOAD_SECONDS)."
  echo
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- Sources || echo ' + uncommitted Sources changes')"
  echo "- Machine: $(nproc) cores, $model, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); $(swift --version 2>/dev/null | head -1)"
  echo "- Load average at the start of the load runs: $LOADAVG_LOAD; at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other processes on the machine compete for the same cores)"
  echo "- Setup: $TARGETS live targets, 3 JSON metrics each from one document (one GET per target per tick), the Deployments read from a LIST+WATCH of the namespace (a GET only before the first LIST) and a PATCH of the scale when the count changes, via the fake API server; interval ${INTERVAL}s; fixture in a separate process on the same cores"
  echo
  echo "| Figure | Target | Measured |"
  echo "|---|---|---|"
  echo "| CPU per tick round (forescale process, utime+stime over $rounds rounds after readiness) | < 1 core-second | $cpu_per_round core-s |"
  echo "| Peak RSS (VmHWM) after $rounds rounds, no API load | < 300 MB | $hwm_idle MiB |"
  echo "| Peak RSS (VmHWM) at the end, after all the load runs | < 300 MB | $hwm_load MiB |"
  echo
  echo "- Ready (every target ticked once) $READY_AFTER s after the status API came up; rounds counted by \`/v1/status\` ticks: $ticks_ready at readiness, $ticks_after after settling, $ticks_end at the end"
  echo "- Total CPU of forescale at the end: $cpu_end s (including start-up and the load runs)"
  echo "- Response sizes: /v1/status $STATUS_BYTES bytes, /v1/targets/w1 $DETAIL_BYTES bytes"
  echo "- Decisions: $decisions; log lines at error level: $errors, warning level: $warnings"
  echo
  echo "## Load (forescale under its normal tick load at the same time)"
  echo
  echo '```'
  cat "$LOAD_OUT"
  echo '```'
} >"$RESULTS"
cat "$RESULTS"
