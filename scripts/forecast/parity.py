#!/usr/bin/env python3
"""Write statsmodels reference values for the Swift `Forecast` parity tests.

Regenerate (from the repository root; needs the raw NASA trace, which CI does not):

    pip install statsmodels   # written with statsmodels 0.15.0, numpy 2.4.6, pandas 3.1.1, scipy 1.17.1
    python3 scripts/forecast/parity.py \
        --nasa /work/shared/traces/nasa_http_jul95.csv \
        --out Tests/ForecastTests/Fixtures

It writes:
  * Fixtures/nasa_http_10min.csv          -- the real slice (6 days of NASA-HTTP, Jul 1995,
                                             per-minute counts summed to 10-minute buckets);
                                             NASA-HTTP traces may be freely redistributed.
  * Fixtures/parity_synthetic.json        -- seeded synthetic series (period 24) + references
  * Fixtures/parity_nasa.json             -- the NASA slice (period 144) + references

For each series and each model configuration it fits
`ExponentialSmoothing(y, trend, damped_trend, seasonal, seasonal_periods,
initialization_method="heuristic").fit(smoothing_level=..., smoothing_trend=...,
smoothing_seasonal=..., damping_trend=..., optimized=False)` and stores the heuristic
initial states, the in-sample one-step fitted values and `forecast(steps)`.
It also stores the parameters and SSE of statsmodels' own optimised fit (L-BFGS-B,
heuristic initialisation) so the Swift optimiser can be compared with it.
"""
import argparse
import json
import os
import warnings

import numpy as np
import pandas as pd
from statsmodels.tsa.holtwinters import ExponentialSmoothing

FIXED = dict(alpha=0.3, beta=0.05, gamma=0.1, phi=0.95)

CONFIGS = [
    # trend, damped, seasonal
    (None, False, None),
    ("add", False, None),
    ("add", True, None),
    (None, False, "add"),
    ("add", False, "add"),
    ("add", True, "add"),
    (None, False, "mul"),
    ("add", False, "mul"),
    ("add", True, "mul"),
]


def synthetic(n=24 * 8, m=24, seed=20261127):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    season = 20 * np.sin(2 * np.pi * t / m) + 6 * np.cos(4 * np.pi * t / m)
    return 100 + 0.15 * t + season + rng.normal(0, 3, n)


def nasa_slice(path, days=6, bucket_minutes=10):
    df = pd.read_csv(path)
    # 1995-07-03 00:00 UTC (a Monday) onwards, whole buckets only.
    start = 804729600
    df = df[(df.timestamp >= start) & (df.timestamp < start + days * 86400)]
    grid = pd.Series(0.0, index=np.arange(start, start + days * 86400, 60))
    grid.loc[df.timestamp.values] = df.value.values.astype(float)
    buckets = grid.values.reshape(-1, bucket_minutes).sum(axis=1)
    ts = start + np.arange(len(buckets)) * bucket_minutes * 60
    return ts, buckets


def cases_for(y, m, horizon):
    out = []
    for trend, damped, seasonal in CONFIGS:
        kw = dict(trend=trend, damped_trend=damped, seasonal=seasonal,
                  initialization_method="heuristic")
        if seasonal:
            kw["seasonal_periods"] = m
        model = ExponentialSmoothing(y, **kw)
        fk = dict(smoothing_level=FIXED["alpha"], optimized=False)
        if trend:
            fk["smoothing_trend"] = FIXED["beta"]
        if seasonal:
            fk["smoothing_seasonal"] = FIXED["gamma"]
        if damped:
            fk["damping_trend"] = FIXED["phi"]
        res = model.fit(**fk)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            opt = ExponentialSmoothing(y, **kw).fit()
        p = res.params
        op = opt.params
        out.append(dict(
            trend=trend or "none",
            damped=bool(damped),
            seasonal=seasonal or "none",
            period=m if seasonal else 0,
            alpha=FIXED["alpha"],
            beta=FIXED["beta"] if trend else None,
            gamma=FIXED["gamma"] if seasonal else None,
            phi=FIXED["phi"] if damped else None,
            initial_level=float(p["initial_level"]),
            initial_trend=float(p["initial_trend"]) if trend else None,
            initial_seasonal=[float(v) for v in np.asarray(p["initial_seasons"])] if seasonal else [],
            fitted=[float(v) for v in res.fittedvalues],
            sse=float(res.sse),
            forecast=[float(v) for v in res.forecast(horizon)],
            optimized=dict(
                alpha=float(op["smoothing_level"]),
                beta=float(op["smoothing_trend"]) if trend else None,
                gamma=float(op["smoothing_seasonal"]) if seasonal else None,
                phi=float(op["damping_trend"]) if damped else None,
                sse=float(opt.sse),
            ),
        ))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nasa", default="/work/shared/traces/nasa_http_jul95.csv")
    ap.add_argument("--out", default="Tests/ForecastTests/Fixtures")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)

    y = synthetic()
    doc = dict(name="synthetic", source="numpy default_rng(20261127), period 24",
               statsmodels=__import__("statsmodels").__version__,
               series=[float(v) for v in y], cases=cases_for(y, 24, 2 * 24 + 5))
    with open(os.path.join(a.out, "parity_synthetic.json"), "w") as f:
        json.dump(doc, f, indent=0)

    ts, yn = nasa_slice(a.nasa)
    with open(os.path.join(a.out, "nasa_http_10min.csv"), "w") as f:
        f.write("timestamp,value\n")
        for t, v in zip(ts, yn):
            f.write(f"{int(t)},{int(v)}\n")
    doc = dict(name="nasa_http_10min",
               source="NASA-HTTP Jul 1995, 1995-07-03..07-08, 10-minute sums; freely redistributable",
               statsmodels=__import__("statsmodels").__version__,
               series=[float(v) for v in yn], cases=cases_for(yn, 144, 2 * 144 + 5))
    with open(os.path.join(a.out, "parity_nasa.json"), "w") as f:
        json.dump(doc, f, indent=0)


if __name__ == "__main__":
    main()
