#!/usr/bin/env bash
# Make sure a Redis answers on 127.0.0.1:6379 (abuse limits are counted there): start a local
# redis-server without persistence when none does. Safe to run again.
set -euo pipefail
ping() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
ping && exit 0
if ! command -v redis-server >/dev/null; then
  echo "no Redis on 127.0.0.1:6379 and no redis-server; install Debian's redis-server" >&2
  exit 1
fi
redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save "" --appendonly no \
  --logfile "${TMPDIR:-/tmp}/wenming-redis.log" >/dev/null
for _ in $(seq 30); do ping && exit 0; sleep 0.2; done
echo "redis-server did not answer on 127.0.0.1:6379" >&2
exit 1
