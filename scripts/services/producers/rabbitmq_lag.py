#!/usr/bin/env python3
"""Creates real RabbitMQ lag for the integration tests.

  rabbitmq_lag.py QUEUE PUBLISH HOLD
      declares QUEUE (non-durable), publishes PUBLISH messages through the default exchange,
      takes HOLD of them without acknowledging, prints "ready", and keeps them unacknowledged
      until its standard input closes (or 120 s pass); then it exits and they are requeued.
"""
import os
import select
import sys

import pika

queue, publish, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
params = pika.ConnectionParameters(
    host="127.0.0.1", port=int(os.environ.get("FORESCALE_RABBITMQ_AMQP_PORT", "5672")),
    credentials=pika.PlainCredentials("guest", "guest"))
conn = pika.BlockingConnection(params)
ch = conn.channel()
ch.queue_delete(queue=queue)
ch.queue_declare(queue=queue, durable=False)
for i in range(publish):
    ch.basic_publish(exchange="", routing_key=queue, body=f"m{i}".encode())
held = 0
while held < hold:
    method, _, _ = ch.basic_get(queue=queue, auto_ack=False)
    if method is not None:
        held += 1
print("ready", flush=True)
# Keep the connection (and so the unacknowledged messages) alive, serving heartbeats.
for _ in range(1200):
    readable, _, _ = select.select([sys.stdin], [], [], 0.1)
    if readable and not sys.stdin.readline():
        break
    conn.process_data_events(time_limit=0)
conn.close()
