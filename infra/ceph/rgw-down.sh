#!/usr/bin/env bash
# Stops the Ceph that infra/ceph/rgw-up.sh DIR started (radosgw, OSD, monitor, in that order) and
# deletes DIR. Objects were in RAM (memstore): nothing survives.
#
#   infra/ceph/rgw-down.sh DIR
set -uo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
DIR=$1
if [[ ! -f "$DIR/ceph.conf" ]]; then
  echo "rgw-down: $DIR holds no rgw-up cluster (no ceph.conf)" >&2
  exit 1
fi

stop() { # stop PIDFILE
  local pidfile=$1 pid
  [[ -f "$pidfile" ]] || return 0
  pid=$(cat "$pidfile")
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}
stop "$DIR/run/client.rgw.a.pid"
for pidfile in "$DIR"/run/osd.*.pid; do stop "$pidfile"; done
stop "$DIR/run/mon.a.pid"
rm -rf "$DIR"
echo "rgw-down: stopped and removed $DIR"
