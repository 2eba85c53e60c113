#!/usr/bin/env bash
# Replays a recorded observation file through `forescale replay` twice and checks the answers are
# byte-identical; then shows that a malformed line is named with its number and field.
# Usage: scripts/replay/determinism.sh [OBSERVATIONS.jsonl]   (builds forescale if needed)
set -euo pipefail
cd "$(dirname "$0")/../.."
input="${1:-Examples/traces/replay-observations.jsonl}"
swift build --product forescale >/dev/null
bin="$(swift build --show-bin-path)/forescale"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$bin" replay < "$input" > "$out/first.jsonl"
"$bin" replay < "$input" > "$out/second.jsonl"
if cmp -s "$out/first.jsonl" "$out/second.jsonl"; then
    echo "deterministic: $(wc -l < "$out/first.jsonl") answers, byte-identical on two runs ($(sha256sum < "$out/first.jsonl" | cut -c1-16))"
else
    echo "NOT deterministic:" >&2
    diff "$out/first.jsonl" "$out/second.jsonl" | head >&2
    exit 1
fi

# Line 17 broken: its lag becomes a string.
awk 'NR == 17 { sub(/"lag":[^,]*/, "\"lag\":\"lots\"") } { print }' "$input" > "$out/broken.jsonl"
if "$bin" replay < "$out/broken.jsonl" > /dev/null 2> "$out/stderr"; then
    echo "a malformed line 17 was accepted" >&2
    exit 1
fi
echo "malformed line rejected: $(cat "$out/stderr")"
