"""One consumer of the local stack: reads the stream as a member of the group and spends
1/CAPACITY seconds of work per message, so a worker drains at most CAPACITY messages a second.
Started and stopped by Forescale's process-pool adapter (SIGTERM ends it after the current batch)."""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resp import Redis  # noqa: E402

port = int(os.environ.get("LOCAL_STACK_REDIS_PORT", "16379"))
stream = os.environ.get("LOCAL_STACK_STREAM", "orders")
group = os.environ.get("LOCAL_STACK_GROUP", "fulfilment")
capacity = float(os.environ.get("LOCAL_STACK_CAPACITY", "50"))
name = "worker-%d" % os.getpid()
running = True


def stop(*_):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
r = Redis(port=port)
while running:
    reply = r.call("XREADGROUP", "GROUP", group, name, "COUNT", max(1, int(capacity / 10)), "BLOCK", 200, "STREAMS", stream, ">")
    if not reply:
        continue
    for _, entries in reply:
        ids = [entry[0] for entry in entries]
        deadline = time.monotonic() + len(ids) / capacity
        while time.monotonic() < deadline:
            time.sleep(max(0.0, min(0.05, deadline - time.monotonic())))
        r.call("XACK", stream, group, *ids)
r.call("XGROUP", "DELCONSUMER", stream, group, name)
