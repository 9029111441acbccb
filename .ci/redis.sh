#!/usr/bin/env bash
# Makes sure a Redis server answers on loopback for the rate-limit tests and prints the REDIS_URL to use.
# Installs Debian's redis-server and starts a throwaway instance (no persistence) only when none answers.
set -euo pipefail
PORT="${REDIS_PORT:-6391}"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
if ! (command -v redis-cli >/dev/null && redis-cli -p "$PORT" ping 2>/dev/null | grep -q PONG); then
  if ! command -v redis-server >/dev/null; then
    echo "Installing Debian's redis-server" >&2
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >&2
  fi
  redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes >&2
  for _ in $(seq 1 30); do redis-cli -p "$PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.2; done
fi
echo "redis://127.0.0.1:$PORT/0"
