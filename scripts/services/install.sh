#!/usr/bin/env bash
# Installs the real servers the integration tests use (Debian bookworm, as root) and the Python
# clients the tests use as producers/consumers. Starts nothing: see start.sh.
set -euo pipefail

# Without a policy-rc.d that exits 101, apt starts redis, the exporter and RabbitMQ through their
# init scripts, listening on every interface.
rc=0
[ -x /usr/sbin/policy-rc.d ] && { /usr/sbin/policy-rc.d >/dev/null 2>&1 || rc=$?; }
if [ "$rc" != 101 ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
fi

apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
  nats-server redis-server prometheus-redis-exporter rabbitmq-server prometheus curl python3 python3-pip \
  etcd-server openssl xz-utils

# Producers and consumers for the tests (NATS has no CLI in Debian).
python3 -m pip install --quiet nats-py pika || python3 -m pip install --quiet --break-system-packages nats-py pika
