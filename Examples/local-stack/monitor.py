"""Samples the real consumer group every second: backlog (undelivered + unacknowledged) and the
stream's entries-added, one line per sample to --log: `unix_time backlog added`."""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resp import Redis, group_backlog  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--port", type=int, default=16379)
p.add_argument("--stream", default="orders")
p.add_argument("--group", default="fulfilment")
p.add_argument("--log", required=True)
args = p.parse_args()
r = Redis(port=args.port)
with open(args.log, "w") as log:
    while True:
        info = r.call("XINFO", "STREAM", args.stream)
        fields = dict(zip(info[::2], info[1::2]))
        log.write("%.2f %d %d\n" % (time.time(), group_backlog(r, args.stream, args.group), int(fields.get("entries-added", 0))))
        log.flush()
        time.sleep(1)
