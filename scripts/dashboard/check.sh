#!/usr/bin/env bash
# Browser check of the dashboard in Debian's headless Chromium against `forescale demo`.
# Installs chromium (apt, when root) and websocket-client (pip) if missing, builds the binary if
# missing. Usage: scripts/dashboard/check.sh [--screenshot [PATH]] [--timeout SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ ! -x .build/debug/forescale ]]; then
    timeout 2400 swift build --product forescale
fi
exec python3 scripts/dashboard/check.py "$@"
