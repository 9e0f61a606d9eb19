#!/usr/bin/env bash
# Stops the Ceph that infra/ceph/rgw-up.sh DIR started (radosgw, OSD, monitor) and
# deletes DIR. Objects were in RAM (memstore): nothing survives.
#
#   infra/ceph/rgw-down.sh DIR
set -uo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
if [[ ! -f "$1/ceph.conf" ]]; then
  echo "rgw-down: $1 holds no rgw-up cluster (no ceph.conf)" >&2
  exit 1
fi
DIR=$(cd "$1" && pwd)

# Exited daemons may linger as zombies until init reaps them (seconds in a container): they count
# as stopped.
running() { [[ -e /proc/$1 ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
stop() { # stop PIDFILE...: SIGTERM, then SIGKILL what still runs after 5 s
  local pidfile pid pids=()
  for pidfile in "$@"; do
    [[ -f "$pidfile" ]] || continue
    pid=$(cat "$pidfile")
    # Only a daemon of this cluster: the pid of a long-dead one may have been reused.
    tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "$DIR/ceph.conf" || continue
    kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
  done
  for _ in $(seq 1 50); do
    local alive=0
    for pid in "${pids[@]}"; do running "$pid" && alive=1; done
    (( alive )) || return 0
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}
# In this order, each exits in well under a second: radosgw waits for its OSD requests when the
# OSD goes first, and an OSD whose monitor is gone waits 5 s to report its shutdown.
stop "$DIR/run/client.rgw.a.pid"
stop "$DIR"/run/osd.*.pid
stop "$DIR/run/mon.a.pid"
rm -rf "$DIR"
echo "rgw-down: stopped and removed $DIR"
