"""The local stack's end-to-end check: the real consumer lag stayed under the SLO while the
producer ramped, and the decision log explains every scale action. Exit 1 with reasons otherwise.

  check.py --monitor monitor.log --log decisions.sqlite --slo 20 --warmup 30"""
import argparse
import sqlite3
import sys

p = argparse.ArgumentParser()
p.add_argument("--monitor", required=True)
p.add_argument("--log", required=True)
p.add_argument("--slo", type=float, default=20)
p.add_argument("--warmup", type=float, default=30)
args = p.parse_args()
problems = []

samples = [tuple(float(x) for x in line.split()) for line in open(args.monitor) if line.strip()]
if len(samples) < 60:
    problems.append("only %d monitor samples (expected one a second for minutes)" % len(samples))
start = samples[0][0] if samples else 0
worst = (0.0, 0.0, 0.0)
for i in range(1, len(samples)):
    t, backlog, added = samples[i]
    # Arrival rate over the last 10 s, from entries-added.
    j = max(0, i - 10)
    rate = (added - samples[j][2]) / max(1e-9, t - samples[j][0])
    wait = backlog / rate if rate > 0 else (0.0 if backlog == 0 else float("inf"))
    if t - start >= args.warmup and wait > worst[1]:
        worst = (t - start, wait, backlog)
print("worst wait after %.0f s of warm-up: %.1f s at +%.0f s (backlog %d); SLO %.0f s" % (args.warmup, worst[1], worst[0], worst[2], args.slo))
if worst[1] > args.slo:
    problems.append("the real consumer lag broke the SLO: %.1f s of waiting at +%.0f s" % (worst[1], worst[0]))

db = sqlite3.connect("file:%s?mode=ro" % args.log, uri=True)
rows = db.execute(
    "SELECT time, current_replicas, final_replicas, applied, reasons, explanation, orchestrator_answer, mode FROM decisions ORDER BY time, id"
).fetchall()
actions = [r for r in rows if r[3]]
print("%d decisions, %d scale actions applied" % (len(rows), len(actions)))
if not rows:
    problems.append("no decisions in the log")
if not actions:
    problems.append("no scale action was applied while the producer ramped up")
for t, current, final, applied, reasons, explanation, answer, mode in actions:
    if mode != "live":
        problems.append("an applied decision in %s mode at %.0f" % (mode, t))
    if not explanation or str(current) not in explanation or str(final) not in explanation:
        problems.append("scale action %d→%d at %.0f has no explanation naming the counts: %r" % (current, final, t, explanation))
    if not answer.startswith("scaled %d→%d" % (current, final)):
        problems.append("scale action %d→%d at %.0f: orchestrator answer %r" % (current, final, t, answer))
for t, current, final, applied, reasons, explanation, answer, mode in actions[:5]:
    print("  %d→%d  %s  [%s]" % (current, final, explanation, reasons))
if problems:
    print("FAIL")
    for problem in problems:
        print("  - " + problem)
    sys.exit(1)
print("PASS")
