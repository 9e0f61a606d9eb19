#!/usr/bin/env bash
# Issue #7's HTTP server spike: Netty 4.2 (native epoll) vs Jetty 12 vs nginx, each serving the same
# two fixed bodies (an 874-byte live playlist and a 1 MiB segment) from memory (nginx: from the page
# cache with sendfile), pinned to one core, wrk pinned to the other. Median of RUNS alternating runs
# (netty, jetty, nginx, netty, ...). See docs/benchmarks.md ("HTTP server spike").
#
# The spike code (bench/http-spike/) has its own pom, not a module of the parent: this script builds
# it with `mvn -f bench/http-spike/pom.xml package` (never install); the reactor build skips it.
#
# Usage: bench/http-spike.sh            (env: CONNS=100, DURATION=10, WARMUP=5, RUNS=3, LOAD_CPU=0,
#                                        SERVER_CPU=1, WRK_THREADS=1, KEEP=1 keeps the work dir)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. bench/lib.sh

CONNS=${CONNS:-100}
ensure_tools wrk:wrk nginx:nginx curl:curl openssl:openssl python3:python3
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
(($(ulimit -n) > 2100)) || log "warning: open files limit $(ulimit -n): 1,000 connections need more"

WORK=$(mktemp -d /tmp/hls-http-spike.XXXXXX)
chmod 755 "$WORK"
cleanup() {
  stop_started
  [[ ${KEEP:-0} == 1 ]] && log "work dir kept: $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "building bench/http-spike (mvn -B -q -f bench/http-spike/pom.xml package)"
mvn -B -q -f bench/http-spike/pom.xml -DskipTests package >"$WORK/build.log" 2>&1 ||
  { cat "$WORK/build.log" >&2; die "spike build failed"; }
JAR=$ROOT/bench/http-spike/target/http-spike.jar

# The bodies: a live media playlist of exactly 874 bytes (as the edge's was in issue #7) and 1 MiB of
# random bytes (the size of a 2 s segment at ~4 Mb/s).
DOCROOT=$WORK/docroot
mkdir -p "$DOCROOT"
python3 - "$DOCROOT/playlist.m3u8" <<'EOF'
import sys
head = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:1000\n"
body, msn = head, 1000
while True:
    entry = "#EXT-X-PROGRAM-DATE-TIME:2026-11-30T12:00:%02d.000Z\n#EXTINF:2.000,\n%d.ts\n" % ((msn - 1000) * 2 % 60, msn)
    if len(body) + len(entry) > 874 - 8:
        break
    body, msn = body + entry, msn + 1
body += "#" * (874 - len(body) - 1) + "\n"  # pad with a comment line to exactly 874 bytes
assert len(body) == 874
open(sys.argv[1], "w").write(body)
EOF
head -c 1048576 /dev/urandom >"$DOCROOT/segment.ts"
chmod -R a+rX "$DOCROOT"

echo "== HTTP server spike: netty vs jetty vs nginx =="
print_machine
echo "netty:       4.2.18.Final, native epoll (netty-transport-native-epoll linux-x86_64)"
echo "jetty:       $(unzip -p "$JAR" META-INF/maven/org.eclipse.jetty/jetty-server/pom.properties 2>/dev/null | awk -F= '/^version/ {print $2}') (core API, no servlets)"
echo "JVM flags:   -XX:ActiveProcessorCount=1 -Xmx1g (taskset -c $SERVER_CPU)"
echo "bodies:      playlist $(stat -c %s "$DOCROOT/playlist.m3u8") B, segment $(stat -c %s "$DOCROOT/segment.ts") B; $CONNS connections"
echo "load average at start: $(loadavg)"

NETTY_PORT=$(free_port)
JETTY_PORT=$(free_port)
NGINX_PORT=$(free_port)
taskset -c "$SERVER_CPU" java -XX:ActiveProcessorCount=1 -Xmx1g -jar "$JAR" netty "$NETTY_PORT" "$DOCROOT" >"$WORK/netty.log" 2>&1 &
STARTED_PIDS+=($!)
taskset -c "$SERVER_CPU" java -XX:ActiveProcessorCount=1 -Xmx1g -jar "$JAR" jetty "$JETTY_PORT" "$DOCROOT" >"$WORK/jetty.log" 2>&1 &
STARTED_PIDS+=($!)
nginx_start "$WORK/nginx" "$DOCROOT" "$NGINX_PORT"
declare -A BASE=([netty]=http://127.0.0.1:$NETTY_PORT [jetty]=http://127.0.0.1:$JETTY_PORT [nginx]=http://127.0.0.1:$NGINX_PORT)
SERVERS=(netty jetty nginx)
for s in "${SERVERS[@]}"; do
  wait_http "${BASE[$s]}/playlist.m3u8" 30 || { cat "$WORK/$s.log" >&2 2>/dev/null; die "$s did not start"; }
  curl -s "${BASE[$s]}/segment.ts" | cmp -s - "$DOCROOT/segment.ts" || die "$s serves other segment bytes"
  curl -s "${BASE[$s]}/playlist.m3u8" | cmp -s - "$DOCROOT/playlist.m3u8" || die "$s serves other playlist bytes"
done
grep -h 'listening' "$WORK/netty.log" "$WORK/jetty.log" | sed 's/^/started:     /'

mkdir -p "$WORK/wrk"
declare -A RPS P99 ERR
for obj in playlist.m3u8 segment.ts; do
  for s in "${SERVERS[@]}"; do
    log "warm-up $s /$obj (${WARMUP}s)"
    wrk_run "$WORK/wrk/warmup-$s-$obj.txt" "${BASE[$s]}/$obj" "$CONNS" "$WARMUP" >/dev/null
  done
  for r in $(seq 1 "$RUNS"); do
    for s in "${SERVERS[@]}"; do
      read -r rps p99 err < <(wrk_run "$WORK/wrk/$s-$obj-$r.txt" "${BASE[$s]}/$obj" "$CONNS" "$DURATION")
      printf 'run %d  %-14s %-6s %10s req/s  p99 %8s ms  errors %s\n' "$r" "$obj" "$s" "$rps" "$p99" "$err"
      RPS[$s,$obj]+="$rps "
      P99[$s,$obj]+="$p99 "
      ERR[$s,$obj]=$(( ${ERR[$s,$obj]:-0} + err ))
    done
  done
done

echo
echo "Median of $RUNS runs, $CONNS connections, wrk -t$WRK_THREADS (req/s; p99 in ms; ratio = server / nginx req/s):"
echo
echo "| object | server | req/s (runs) | median req/s | p99 median | errors | vs nginx |"
echo "|---|---|---|---|---|---|---|"
for obj in playlist.m3u8 segment.ts; do
  # shellcheck disable=SC2086
  nginx_med=$(median ${RPS[nginx,$obj]})
  for s in "${SERVERS[@]}"; do
    # shellcheck disable=SC2086
    med=$(median ${RPS[$s,$obj]})
    # shellcheck disable=SC2086
    p99=$(median ${P99[$s,$obj]})
    printf '| %s | %s | %s | %s | %s ms | %s | %s |\n' "$obj" "$s" "$(echo ${RPS[$s,$obj]} | sed 's/ /, /g')" \
      "$med" "$p99" "${ERR[$s,$obj]}" "$(ratio "$med" "$nginx_med")"
  done
done
echo
echo "load average at end: $(loadavg)"
