#!/usr/bin/env python3
"""Renders the Markdown tables of Benchmarks/forecast/README.md from run.sh's results."""
import glob
import json
import os
import re
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "Benchmarks/forecast/results"
ORDER = ["nasa_http_jul95", "worldcup98_1min_jun", "wikipedia_en_hourly", "nab_nyc_taxi", "nab_twitter_amzn",
         "azure_llm_code_2023"]


def load(path):
    with open(path) as f:
        return json.load(f)


def dur(s):
    for unit, size in (("h", 3600), ("m", 60), ("s", 1)):
        if s >= size and s % size == 0:
            return f"{int(s // size)}{unit}"
    return f"{s:g}s"


def short(model):
    return (model.replace("holt-winters", "HW").replace(", damped trend", ", damped").replace("season ", "")
            .replace("ewma-level", "EWMA").replace("holt(damped)", "Holt damped"))


rows = {}
for p in glob.glob(os.path.join(out, "*.forescale.json")):
    r = load(p)
    rows[r["trace"]] = r
after = {}
for p in glob.glob(os.path.join(out, "*.forescale-after-2d.json")):
    r = load(p)
    after[r["trace"]] = r
sm = {r["trace"]: r for r in load(os.path.join(out, "statsmodels.json"))} if os.path.exists(os.path.join(out, "statsmodels.json")) else {}
names = [n for n in ORDER if n in rows] + sorted(n for n in rows if n not in ORDER)

print("| trace | rows → buckets, horizon | points | MASE | MASE scaled by | sMAPE | p90 coverage | mean width (mean rate), /s | models (share of forecasts) | selections, drift alarms | run time: wall (CPU), wall per row |")
print("|---|---|---:|---:|---|---:|---:|---|---|---|---|")
for n in names:
    r = rows[n]
    models = ", ".join(f"{short(k)} {v * 100:.0f} %" for k, v in sorted(r["models"].items(), key=lambda kv: -kv[1]) if v >= 0.02)
    scale = "naive at 135 s" if r["maseNaiveSeason"] == 1 else f"seasonal naive (1 day = {r['maseNaiveSeason']} rows)"
    ok = "" if r["mase"] < 1 else " ✗"
    cov = "" if 0.87 <= r["upperCoverage"] <= 0.93 else " ✗"
    print(f"| {n} | {dur(r['rowSeconds'])} → {dur(r['bucketSeconds'])}, {dur(r['horizonSeconds'])} ({r['horizonBuckets']}) | {r['points']} | "
          f"**{r['mase']:.3f}**{ok} | {scale} | {r['smape']:.3f} | **{r['upperCoverage']:.3f}**{cov} | "
          f"{r['meanIntervalWidth']:.4g} ({r['meanRate']:.4g}) | {models} | {r['selections']}, {r['driftAlarms']} | "
          f"{r['runSeconds']:.1f} s ({r.get('cpuSeconds', 0):.1f} s), {r['microsecondsPerRow']:.0f} µs |")

print()
print("| trace | targets scored (from day 2) | Forescale MASE | statsmodels MASE | lower | Forescale sMAPE | statsmodels sMAPE | statsmodels fits, time |")
print("|---|---:|---:|---:|---|---:|---:|---|")
wins = compared = 0
for n in names:
    s = sm.get(n)
    a = after.get(n)
    if not s or s.get("mase") is None or not a:
        note = s.get("note", "not run") if s else "not run"
        print(f"| {n} | — | — | n/a | — | — | — | {note} |")
        continue
    compared += 1
    better = a["mase"] < s["mase"]
    wins += better
    same = "" if a["points"] == s["points"] else f" (statsmodels {s['points']})"
    print(f"| {n} | {a['points']}{same} | **{a['mase']:.3f}** | **{s['mase']:.3f}** | {'Forescale' if better else 'statsmodels'} | "
          f"{a['smape']:.3f} | {s['smape']:.3f} | {s['fits']}, {s['seconds']:.0f} s |")
print()
print(f"Forescale's MASE is lower on {wins} of the {compared} traces statsmodels can fit (of {len(names)}).")

for label, fname in (("NASA (real, first 14 days)", "bench-nasa.txt"), ("synthetic daily-seasonal", "bench-synthetic.txt")):
    p = os.path.join(out, fname)
    if not os.path.exists(p):
        continue
    text = open(p).read()
    fit = re.search(r"full fit of (.*?) on (\d+) points: (\d+) objective evaluations, (.*?)\n\s+time: median ([\d.]+) ms, p90 ([\d.]+) ms, min ([\d.]+) ms.*\n\s+thread CPU time: median ([\d.]+) ms, p90 ([\d.]+) ms", text)
    upd = re.search(r"median ([\d.]+) ns, p90 ([\d.]+) ns per point", text)
    if fit and upd:
        print()
        print(f"bench ({label}): full fit of {fit.group(1)} on {fit.group(2)} points ({fit.group(3)} evaluations; {fit.group(4)}): "
              f"thread CPU median {fit.group(8)} ms, p90 {fit.group(9)} ms; wall clock median {fit.group(5)} ms, p90 {fit.group(6)} ms, min {fit.group(7)} ms; "
              f"incremental update median {upd.group(1)} ns, p90 {upd.group(2)} ns per point.")
