#!/usr/bin/env bash
# Starts, on 127.0.0.1 only, a real kube-apiserver (Kubernetes v1.24) with etcd for the
# Kubernetes integration tests (Tests/KubernetesIntegrationTests), from ../shared/k8s beside the
# repository (see its README.md). State, credentials and logs go to one folder, default
# /tmp/forescale-kube or $FORESCALE_KUBE_DIR: kubeconfig (admin), kubeconfig-limited (no rights
# until a test binds a Role), pki/ca.crt, admin.token, limited.token. Stop it with stop.sh.
#
# Needs the Debian packages etcd-server, openssl, xz-utils and curl (scripts/services/install.sh).
# Without ../shared/k8s it starts nothing: a note and exit 0 on a developer machine (the tests are
# then skipped with a note), exit 1 when CI=true (where the tests would fail anyway).
# Already running and ready: does nothing. Otherwise etcd starts from an empty data folder.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SHARED="$ROOT/../shared/k8s"
DIR="${FORESCALE_KUBE_DIR:-/tmp/forescale-kube}"
PORT="${KAS_PORT:-16443}"

log() { echo "k8s: $*" >&2; }

if [ ! -f "$SHARED/start.sh" ]; then
  if [ "${CI:-}" = true ]; then
    log "$SHARED/start.sh not found: the Kubernetes integration tests need it (CI=true)"
    exit 1
  fi
  log "$SHARED/start.sh not found: no API server started; the Kubernetes integration tests will be skipped"
  exit 0
fi

alive() { [ -f "$DIR/$1.pid" ] && kill -0 "$(cat "$DIR/$1.pid")" 2>/dev/null; }

ready() {
  [ -f "$DIR/pki/ca.crt" ] && [ -f "$DIR/admin.token" ] &&
    curl -fsS --max-time 2 --cacert "$DIR/pki/ca.crt" -H "Authorization: Bearer $(cat "$DIR/admin.token")" \
      "https://127.0.0.1:$PORT/readyz" >/dev/null 2>&1
}

if alive apiserver && alive etcd && ready; then
  log "kube-apiserver already running and ready at https://127.0.0.1:$PORT (state in $DIR)"
  exit 0
fi

# Half-started or stale: stop what the PID files name, then start from an empty etcd.
bash "$SHARED/stop.sh" "$DIR" >/dev/null 2>&1 || true
mkdir -p "$DIR"
rm -rf "$DIR/etcd-data"
if ! bash "$SHARED/start.sh" "$DIR"; then
  log "start failed; the last lines of its logs:"
  tail -20 "$DIR/etcd.log" "$DIR/apiserver.log" >&2 2>/dev/null || true
  bash "$SHARED/stop.sh" "$DIR" >/dev/null 2>&1 || true
  exit 1
fi
log "state, credentials and logs in $DIR"
