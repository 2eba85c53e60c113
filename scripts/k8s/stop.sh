#!/usr/bin/env bash
# Stops what start.sh started (the kube-apiserver and etcd, by the PIDs in the state folder,
# default /tmp/forescale-kube or $FORESCALE_KUBE_DIR). Nothing to stop is not an error.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SHARED="$ROOT/../shared/k8s"
DIR="${FORESCALE_KUBE_DIR:-/tmp/forescale-kube}"

[ -d "$DIR" ] || exit 0
if [ -f "$SHARED/stop.sh" ]; then
  bash "$SHARED/stop.sh" "$DIR"
else
  # Same as ../shared/k8s/stop.sh: TERM by PID file, wait up to 5 s, then KILL.
  for f in "$DIR/apiserver.pid" "$DIR/etcd.pid"; do
    [ -f "$f" ] || continue
    pid=$(cat "$f"); kill "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null; rm -f "$f"
  done
fi
echo "k8s: kube-apiserver and etcd stopped" >&2
exit 0
