#!/bin/sh
# Regenerates the figures of Benchmarks/forecast/README.md (a benchmark, not a test).
#
#   Benchmarks/forecast/run.sh            # from anywhere; traces from ../shared/traces
#   TRACES=/path/to/traces Benchmarks/forecast/run.sh
#
# Needs a Swift toolchain and python3 with statsmodels (pip install statsmodels).
# Takes about 10–15 minutes on 2 cores: ≈ 2 min of Forescale backtests, ≈ 8–10 min of
# statsmodels refits (two traces at a time), a few seconds of benchmarks.
# Writes Benchmarks/forecast/results/*.json|txt and Benchmarks/forecast/table.md.
set -eu
cd "$(dirname "$0")/../.."
TRACES=${TRACES:-../shared/traces}
OUT=Benchmarks/forecast/results
mkdir -p "$OUT"
swift build -c release 2>&1 | tail -1
BIN=.build/release/forescale

# The bucket width is backtest's default: 1 minute, or the rows when coarser, and 15 s (the
# controller's tick) for a trace shorter than a day with rows of 15 s or finer (Azure), which
# at 1 minute would score too few forecasts to measure a coverage. See README.md.
for f in "$TRACES"/*.csv; do
    name=$(basename "$f" .csv)
    echo "forescale backtest --trace $f"
    "$BIN" backtest --trace "$f" --json > "$OUT/$name.forescale.json"
    # The same targets as statsmodels (which needs two daily seasons before its first fit).
    if ! "$BIN" backtest --trace "$f" --score-after 2d --json > "$OUT/$name.forescale-after-2d.json" 2> /dev/null; then
        rm -f "$OUT/$name.forescale-after-2d.json"
    fi
done

echo "statsmodels (this takes several minutes)"
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 scripts/forecast/statsmodels_backtest.py "$TRACES"/*.csv \
    --jobs 2 --json "$OUT/statsmodels.json"

echo "forescale bench forecast"
"$BIN" bench forecast --repetitions 21 > "$OUT/bench-synthetic.txt"
"$BIN" bench forecast --repetitions 21 --trace "$TRACES/nasa_http_jul95.csv" > "$OUT/bench-nasa.txt"

swiftc -O -parse-as-library -module-name KB Sources/Forecast/HoltWinters.swift Sources/Forecast/ForecastModel.swift \
    Benchmarks/forecast/sse_kernel.swift -o .build/sse_kernel && .build/sse_kernel > "$OUT/sse-kernel.txt"

python3 Benchmarks/forecast/table.py "$OUT" > Benchmarks/forecast/table.md
cat Benchmarks/forecast/table.md
