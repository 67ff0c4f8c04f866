#!/usr/bin/env bash
# Make sure a Docker engine answers: install Debian's docker.io where there is no
# daemon, start dockerd where none runs (nothing starts it on these machines).
set -euo pipefail

if docker info >/dev/null 2>&1; then
  exit 0
fi

# Two callers (tests/run.sh's lanes) must not start two engines: one starts it, the other waits.
mkdir -p /run/lock
exec 8>/run/lock/nautobot-ops-engine.lock
flock -w 600 8 || { echo "testbed: another caller has been starting the Docker engine for 10 minutes" >&2; exit 1; }

if ! command -v dockerd >/dev/null 2>&1; then
  echo "testbed: installing Debian's docker.io" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  echo "testbed: starting dockerd" >&2
  # dockerd outlives this script: it must not inherit any descriptor but its own. An inherited
  # lock (prepare.sh's flock on fd 9) would stay held as long as dockerd runs, and every later
  # test-bed build would wait on it forever (that hung CI for 90 minutes).
  (
    for fd in /proc/self/fd/*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    exec setsid dockerd >/var/log/dockerd.log 2>&1 < /dev/null
  ) &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
fi

if ! docker info >/dev/null 2>&1; then
  echo "testbed: the Docker engine does not answer; see /var/log/dockerd.log" >&2
  tail -n 20 /var/log/dockerd.log >&2 || true
  exit 1
fi
