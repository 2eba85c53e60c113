#!/usr/bin/env python3
"""Rolling-origin backtest of statsmodels' Holt-Winters, by the protocol of `forescale backtest`.

Usage (from the repository root; statsmodels 0.15.0, numpy 2.4.6, pandas 3.1.1 when written):

    pip install statsmodels
    python3 scripts/forecast/statsmodels_backtest.py /work/shared/traces/*.csv [--json OUT.json]

Model: `ExponentialSmoothing(y, trend="add", seasonal="add", seasonal_periods=m,
initialization_method="heuristic").fit()` (smoothing parameters optimised by statsmodels,
L-BFGS-B), with m = one day in buckets (1440, 288, 48, 24).

Protocol (the same as `forescale backtest`, so the MASE figures are comparable):

* Buckets. Rows finer than the horizon (1-minute or 1-second rows): rates (value / row
  interval) averaged into 1-minute buckets; the horizon is the one given (135 s), i.e.
  h = 1 + floor((30 + 135) / 60) = 3 buckets after the last closed bucket. Rows coarser
  than the horizon (5-minute, 30-minute, hourly): the buckets are the rows and h = 1.
  Buckets with no row are filled with the previous value and never scored.
* Origins. At every closed bucket o the forecast for bucket o + h is made from the data up
  to and including o only.
* Refits. The model is refitted (optimised) every `--refit-hours` hours of data (default 6,
  like Forescale's re-selection of minute traces) on the trailing `--window-days` days
  (default 7, Forescale's fit window for minute traces), as soon as two full seasons (two
  days) are available. Between refits the fitted parameters are kept and the states roll
  forward one observation at a time: statsmodels' own recursion, by refitting with
  `initialization_method="known"` (the optimised fit's initial states) and
  `optimized=False` on the window plus the new data, and reading its `level`, `trend`,
  `season` arrays; the h-step forecast from origin i is level[i] + h trend[i] +
  season[i - m + h] (checked against `forecast(h)` at the end of a fit).
* Scoring. Targets at least `--score-after-days` (default 2: the first fit needs two
  daily seasons) after the trace's start. MASE = sum|actual - forecast| / sum|actual -
  naive|, with naive the last closed bucket at the origin (the naive forecast at the same
  horizon) for 1-minute buckets, and the seasonal naive one day back (bucket o + h - m)
  for coarse rows; sMAPE as Forescale computes it. Run
  `forescale backtest --trace FILE --score-after 2d` for Forescale's figures on the same
  targets (`Benchmarks/forecast/run.sh` does both).
* Traces shorter than two days (Azure's 57 minutes) cannot hold two daily seasons: reported
  as not applicable.

Cost: about 2–3 s per fit on a 7-day window of minutes (season 1440), so ≈ 4 minutes for
each 1-minute trace at a 6-hour refit (measured: 224 s NASA, 243 s World Cup, 162 s
Wikipedia, 123 s taxi, 107 s Twitter); the whole set of six traces took ≈ 10 minutes
with `--jobs 2` (two traces at a time) on 2 cores. Pass `--refit-hours 12` to halve the
minute traces' cost.
"""
import argparse
import json
import math
import multiprocessing
import os
import sys
import time
import warnings

import numpy as np
import pandas as pd
from statsmodels.tsa.holtwinters import ExponentialSmoothing

HORIZON_SECONDS = 135.0
DAY = 86_400.0


def load(path):
    d = pd.read_csv(path)
    t = d["timestamp"].to_numpy(dtype=float)
    v = d["value"].to_numpy(dtype=float)
    gaps = np.diff(t)
    vals, counts = np.unique(gaps, return_counts=True)
    interval = float(vals[np.argmax(counts)])
    return t, v / interval, interval


def buckets(t, rate, interval):
    """Returns (start_time, values, observed mask, bucket seconds, h, naive season, m)."""
    coarse = interval > HORIZON_SECONDS
    width = interval if coarse else max(60.0, interval)
    idx = np.floor(t / width).astype(np.int64)
    first, last = idx[0], idx[-1]
    n = int(last - first + 1)
    sums = np.zeros(n)
    cnt = np.zeros(n)
    np.add.at(sums, idx - first, rate)
    np.add.at(cnt, idx - first, 1)
    observed = cnt > 0
    y = np.zeros(n)
    prev = 0.0
    for i in range(n):
        if observed[i]:
            prev = sums[i] / cnt[i]
        y[i] = prev
    h = 1 if coarse else 1 + int(math.floor((width / 2 + HORIZON_SECONDS) / width))
    m = int(round(DAY / width))
    naive_season = m if coarse else 1
    return first * width, y, observed, width, h, naive_season, m


def run(path, refit_hours, window_days, score_after_days):
    warnings.simplefilter("ignore")
    name = os.path.splitext(os.path.basename(path))[0]
    t, rate, interval = load(path)
    start, y, observed, width, h, naive_season, m = buckets(t, rate, interval)
    n = len(y)
    out = dict(trace=name, bucket_seconds=width, horizon_buckets=h, season=m,
               mase_scale="naive at the horizon" if naive_season == 1 else f"seasonal naive, {naive_season} buckets back")
    first_fit = max(2 * m, 10 + 2 * (m // 2))
    if n < first_fit + h:
        out.update(points=0, mase=None, smape=None, fits=0, seconds=0.0,
                   note=f"{n} buckets < two daily seasons ({2 * m}): not applicable")
        return out
    refit = max(1, int(round(refit_hours * 3600 / width)))
    window = int(round(window_days * DAY / width))
    score_from = start + score_after_days * DAY
    forecasts = np.full(n, np.nan)  # forecasts[target]
    origin_of = np.full(n, -1, dtype=np.int64)
    fits = 0
    t0 = time.time()
    end = first_fit  # fit on y[:end], then roll through origins end-1 .. next_end-2
    while end - 1 + h < n:
        lo = max(0, end - window)
        fit = ExponentialSmoothing(y[lo:end], trend="add", seasonal="add", seasonal_periods=m,
                                   initialization_method="heuristic").fit()
        fits += 1
        p = fit.params
        nxt = min(n, end + refit)
        known = ExponentialSmoothing(y[lo:nxt], trend="add", seasonal="add", seasonal_periods=m,
                                     initialization_method="known", initial_level=p["initial_level"],
                                     initial_trend=p["initial_trend"], initial_seasonal=p["initial_seasons"]
                                     ).fit(smoothing_level=p["smoothing_level"], smoothing_trend=p["smoothing_trend"],
                                           smoothing_seasonal=p["smoothing_seasonal"], optimized=False)
        level, trend, season = known.level, known.trend, known.season
        for o in range(end - 1, nxt - 1):  # origins: last closed bucket, absolute index
            i = o - lo
            target = o + h
            if target >= n:
                break
            forecasts[target] = level[i] + h * trend[i] + season[i - m + h]
            origin_of[target] = o
        end = nxt
    seconds = time.time() - t0
    abs_err = naive_err = smape = 0.0
    points = 0
    for target in range(n):
        o = origin_of[target]
        if o < 0 or not observed[target] or start + target * width < score_from:
            continue
        base = o if naive_season == 1 else target - naive_season * math.ceil(h / naive_season)
        if base < 0 or not observed[base]:
            continue
        a, f = y[target], forecasts[target]
        points += 1
        abs_err += abs(a - f)
        naive_err += abs(a - y[base])
        denom = abs(a) + abs(f)
        smape += 2 * abs(a - f) / denom if denom > 0 else 0.0
    mase = abs_err / naive_err if naive_err > 0 else (math.inf if abs_err > 0 else 0.0)
    out.update(points=points, mase=mase, smape=smape / max(points, 1), fits=fits, seconds=seconds,
               refit_buckets=refit, window_buckets=window, score_after_days=score_after_days)
    return out


def run_args(x):
    return run(*x)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("traces", nargs="+")
    ap.add_argument("--refit-hours", type=float, default=6.0)
    ap.add_argument("--window-days", type=float, default=7.0)
    ap.add_argument("--score-after-days", type=float, default=2.0)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json", help="also write the results to this file")
    a = ap.parse_args()
    args = [(p, a.refit_hours, a.window_days, a.score_after_days) for p in a.traces]
    results = []

    def report(r):
        results.append(r)
        if r["mase"] is None:
            print(f"{r['trace']}: {r['note']}", flush=True)
        else:
            print(f"{r['trace']}: MASE {r['mase']:.3f} ({r['mase_scale']}), sMAPE {r['smape']:.3f}, "
                  f"{r['points']} points, {r['fits']} fits, {r['seconds']:.0f} s", flush=True)

    if a.jobs > 1:
        with multiprocessing.Pool(a.jobs) as pool:
            for r in pool.imap_unordered(run_args, args):
                report(r)
    else:
        for x in args:
            report(run(*x))
    results.sort(key=lambda r: a.traces.index(next(p for p in a.traces if os.path.splitext(os.path.basename(p))[0] == r["trace"])))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=2)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
