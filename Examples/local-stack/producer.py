"""Publishes to the stream at a rate that follows a shipped trace or a ramp.

  producer.py --trace FILE.csv --minute-seconds 2 --scale 0.05   # each trace minute lasts 2 s
  producer.py --ramp 20:200 --seconds 180                        # linear ramp in messages per second

Writes one line per second to --log (time, target rate, sent) for the e2e check."""
import argparse
import csv
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resp import Redis  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--port", type=int, default=16379)
p.add_argument("--stream", default="orders")
p.add_argument("--trace")
p.add_argument("--minute-seconds", type=float, default=2.0)
p.add_argument("--scale", type=float, default=0.05)
p.add_argument("--ramp")
p.add_argument("--seconds", type=float, default=180)
p.add_argument("--log")
args = p.parse_args()

if args.trace:
    with open(args.trace) as f:
        rows = [float(row["value"]) for row in csv.DictReader(f)]
    # Requests per minute → messages per second, scaled; each trace minute lasts --minute-seconds.
    def rate_at(t):
        i = int(t / args.minute_seconds) % len(rows)
        return rows[i] / 60.0 * args.scale
else:
    low, high = (float(x) for x in (args.ramp or "20:200").split(":"))

    def rate_at(t):
        return low + (high - low) * min(1.0, t / args.seconds)

r = Redis(port=args.port)
log = open(args.log, "w") if args.log else None
start = time.monotonic()
sent = 0.0
owed = 0.0
last = start
while True:
    now = time.monotonic()
    t = now - start
    if not args.trace and t >= args.seconds:
        break
    rate = rate_at(t)
    owed += rate * (now - last)
    last = now
    n = int(owed)
    if n:
        owed -= n
        r.pipeline([("XADD", args.stream, "*", "n", int(sent) + i) for i in range(n)])
        sent += n
    if log:
        log.write("%.2f %.1f %d\n" % (time.time(), rate, sent))
        log.flush()
    time.sleep(0.1)
