#!/usr/bin/env bash
# Brings up a throw-away single-host Ceph with an S3 gateway, for integration tests and local runs:
# 1 monitor, 1 OSD on memstore (objects live in RAM), pools of size 1, radosgw (beast) on
# 127.0.0.1:PORT, and one S3 user. Everything (config, pid files, logs) lives in DIR.
#
#   infra/ceph/rgw-up.sh DIR PORT      # then: source DIR/rgw.env; infra/ceph/rgw-down.sh DIR
#
# Needs the Debian packages ceph-mon ceph-osd radosgw (ceph-common). Works as root or any user.
# Writes DIR/rgw.env: HLS_CEPH_S3_ENDPOINT, HLS_CEPH_S3_ACCESS_KEY, HLS_CEPH_S3_SECRET_KEY,
# HLS_CEPH_S3_REGION. See DEVELOPERS.md, section "Real Ceph".
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 DIR PORT" >&2
  exit 2
fi
DIR=$(mkdir -p "$1" && cd "$1" && pwd)
RGW_PORT=$2
START=$(date +%s%N)
exec 3>&2 # stderr for messages from checks whose own output wait_for discards

for tool in ceph ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph-authtool; do
  command -v "$tool" >/dev/null || { echo "rgw-up: $tool not installed (apt-get install ceph-mon ceph-osd radosgw)" >&2; exit 1; }
done
if [[ -e "$DIR/ceph.conf" ]]; then
  echo "rgw-up: $DIR already holds a cluster; run infra/ceph/rgw-down.sh $DIR first" >&2
  exit 1
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
MON_PORT=$(free_port)
FSID=$(cat /proc/sys/kernel/random/uuid)
CONF="$DIR/ceph.conf"
mkdir -p "$DIR/mon.a" "$DIR/osd.0" "$DIR/run" "$DIR/log" "$DIR/rgw"

cat > "$CONF" <<CONF
[global]
fsid = $FSID
mon host = [v2:127.0.0.1:$MON_PORT]
mon initial members = a
public network = 127.0.0.0/8
ms bind msgr1 = false
ms bind msgr2 = true
# Throw-away, local only: no cephx.
auth cluster required = none
auth service required = none
auth client required = none
# With auth none the daemons' (radosgw's) mode list for monitor connections comes out empty and
# they fail with EACCES (-13) forever: name the one mode that works without cephx.
ms mon client mode = crc
ms mon service mode = crc
ms mon cluster mode = crc
ms client mode = crc
ms service mode = crc
ms cluster mode = crc
# Fail in 30 s, not 5 min, when a client cannot reach the monitor.
client mount timeout = 30
keyring = $DIR/keyring
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
pid file = $DIR/run/\$name.pid
log file = $DIR/log/\$name.log
mon data = $DIR/mon.\$id
osd data = $DIR/osd.\$id
# One OSD: every pool has one replica; placement never needs a second host.
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
# Paxos commits every 50 ms instead of 1 s: pool and user creation become fast.
paxos propose interval = 0.05
osd objectstore = memstore
memstore device bytes = 536870912
osd memory target = 268435456

[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw data = $DIR/rgw
rgw dns name = 127.0.0.1
rgw enable usage log = false
CONF

ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
monmaptool --create --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_PORT]" "$DIR/monmap" >/dev/null
ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/keyring"
ceph-mon -c "$CONF" -i a

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local deadline=$(( $(date +%s) + $1 )) what=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    if (( $(date +%s) > deadline )); then
      echo "rgw-up: timed out waiting for $what; logs in $DIR/log" >&2
      tail -20 "$DIR"/log/*.log >&2 || true
      exit 1
    fi
    sleep 0.2
  done
}
wait_for 30 "the monitor" ceph -c "$CONF" --connect-timeout 5 mon stat

OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
OSD_ID=$(ceph -c "$CONF" osd new "$OSD_UUID")
ceph-osd -c "$CONF" -i "$OSD_ID" --mkfs --osd-uuid "$OSD_UUID" 2>>"$DIR/log/osd-mkfs.log"
ceph-osd -c "$CONF" -i "$OSD_ID" 2>>"$DIR/log/osd-start.log"
osd_up() { ceph -c "$CONF" osd dump 2>/dev/null | grep -q "^osd.$OSD_ID up"; }
wait_for 60 "osd.$OSD_ID to come up" osd_up

ACCESS_KEY=$(head -c 512 /dev/urandom | tr -dc 'A-Z0-9' | head -c 20)
SECRET_KEY=$(head -c 1024 /dev/urandom | tr -dc 'A-Za-z0-9' | head -c 40)
radosgw-admin -c "$CONF" user create --uid=hls --display-name="hls-pipeline tests" \
  --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null

radosgw -c "$CONF" -n client.rgw.a
# Ready = our radosgw is alive and answers S3 on the port (an S3 error page carries
# x-amz-request-id), not merely "something accepts connections there".
RGW_PID=$(cat "$DIR/run/client.rgw.a.pid" 2>/dev/null || true)
rgw_up() {
  [[ -n "$RGW_PID" ]] || RGW_PID=$(cat "$DIR/run/client.rgw.a.pid" 2>/dev/null || true)
  if [[ -n "$RGW_PID" ]] && ! kill -0 "$RGW_PID" 2>/dev/null; then
    echo "rgw-up: radosgw (pid $RGW_PID) exited; logs in $DIR/log" >&3
    tail -20 "$DIR/log/client.rgw.a.log" >&3 || true
    exit 1
  fi
  python3 - "$RGW_PORT" <<'PY'
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=2)
c.request("GET", "/")
sys.exit(0 if c.getresponse().getheader("x-amz-request-id") else 1)
PY
}
wait_for 60 "radosgw on port $RGW_PORT" rgw_up

cat > "$DIR/rgw.env" <<ENV
HLS_CEPH_S3_ENDPOINT=http://127.0.0.1:$RGW_PORT
HLS_CEPH_S3_ACCESS_KEY=$ACCESS_KEY
HLS_CEPH_S3_SECRET_KEY=$SECRET_KEY
HLS_CEPH_S3_REGION=us-east-1
ENV
echo "rgw-up: Ceph RGW ready at http://127.0.0.1:$RGW_PORT in $(( ($(date +%s%N) - START) / 1000000 )) ms; env in $DIR/rgw.env"
