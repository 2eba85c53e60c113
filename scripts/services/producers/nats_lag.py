#!/usr/bin/env python3
"""Creates real JetStream lag for the integration tests.

  nats_lag.py setup STREAM CONSUMER PUBLISH FETCH ACK
      creates STREAM (subjects STREAM.>) and a durable pull CONSUMER (explicit ack, long ack wait),
      publishes PUBLISH messages, fetches FETCH and acknowledges ACK of them, then prints the
      broker's own consumer info as JSON: {"num_pending":…, "num_ack_pending":…, "last_seq":…, "ack_floor":…}
  nats_lag.py publish STREAM COUNT        publishes COUNT more messages, prints the same JSON-less "ok"
  nats_lag.py consume STREAM CONSUMER N   fetches and acknowledges N messages, prints the info JSON
"""
import asyncio
import json
import os
import sys

import nats
from nats.js.api import AckPolicy, ConsumerConfig

URL = os.environ.get("FORESCALE_NATS_CLIENT_URL", "nats://127.0.0.1:4222")


async def info(js, stream, consumer):
    ci = await js.consumer_info(stream, consumer)
    si = await js.stream_info(stream)
    return {
        "num_pending": ci.num_pending,
        "num_ack_pending": ci.num_ack_pending,
        "last_seq": si.state.last_seq,
        "ack_floor": ci.ack_floor.stream_seq,
    }


async def main(argv):
    nc = await nats.connect(URL)
    js = nc.jetstream()
    cmd, stream = argv[0], argv[1]
    if cmd == "setup":
        consumer, publish, fetch, ack = argv[2], int(argv[3]), int(argv[4]), int(argv[5])
        try:
            await js.delete_stream(stream)
        except Exception:
            pass
        await js.add_stream(name=stream, subjects=[f"{stream}.>"])
        await js.add_consumer(stream, ConsumerConfig(durable_name=consumer, ack_policy=AckPolicy.EXPLICIT, ack_wait=600))
        for i in range(publish):
            await js.publish(f"{stream}.work", f"m{i}".encode())
        if fetch:
            sub = await js.pull_subscribe(f"{stream}.>", durable=consumer, stream=stream)
            msgs = await sub.fetch(fetch, timeout=5)
            for m in msgs[:ack]:
                await m.ack_sync()
        print(json.dumps(await info(js, stream, consumer)), flush=True)
    elif cmd == "publish":
        for i in range(int(argv[2])):
            await js.publish(f"{stream}.work", f"more{i}".encode())
        print("ok", flush=True)
    elif cmd == "consume":
        consumer, n = argv[2], int(argv[3])
        sub = await js.pull_subscribe(f"{stream}.>", durable=consumer, stream=stream)
        done = 0
        while done < n:
            for m in await sub.fetch(n - done, timeout=5):
                await m.ack_sync()
                done += 1
        print(json.dumps(await info(js, stream, consumer)), flush=True)
    await nc.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
