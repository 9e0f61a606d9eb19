#!/usr/bin/env bash
# The edge vs nginx on the same bytes (issue #7's acceptance benchmark). See docs/benchmarks.md
# ("Edge vs nginx") for what it measures and the figures it printed.
#
# What it does:
#  1. builds the reactor (`mvn -B -q -DskipTests package`; never install) unless BUILD=0;
#  2. starts real infrastructure with devstack's DevstackMain (Kafka, Cassandra, 2 S3 servers) and
#     catalog, segmenter and ingest from their runnable jars, all unpinned; then the edge ALONE in its
#     own JVM from edge-service/target/edge-service.jar, pinned: `taskset -c SERVER_CPU java
#     -XX:ActiveProcessorCount=1`, with the same environment the standalone Pipeline gives it;
#  3. publishes a live stream with ffmpeg (a pre-encoded 720p25 source at ~4.2 Mb/s, looped with
#     -c copy so publishing costs almost no CPU: 2 s segments of ~1 MB);
#  4. fetches the live media playlist and one segment from the edge and writes those exact bytes,
#     at the same paths and with the content types the edge sent, into the docroot of an nginx with
#     one worker (`worker_processes 1`) pinned to the same core;
#  5. HTTP/1.1 with wrk (pinned to LOAD_CPU), at 100 and 1,000 connections, for the playlist and the
#     segment: warm-up of each server, then RUNS alternating runs (edge, nginx, edge, nginx, ...);
#     prints every run, then medians (req/s, p99) and the ratio edge/nginx;
#  6. HTTP/2 playlists with h2load: nginx over TLS (h2, self-signed certificate made here with
#     openssl) and cleartext h2c; the edge over h2c when its port speaks it, or over TLS when
#     EDGE_H2_URL=https://127.0.0.1:PORT is given (and BENCH_EDGE_ENV configures its TLS); an edge
#     that answers HTTP/1 only is skipped with a note.
#  The edge's live playlist changes every 2 s; nginx serves the static copy taken in step 4.
#
# Usage: bench/edge-vs-nginx.sh
# Env:   BUILD=0 (reuse the jars), DURATION=10 WARMUP=5 RUNS=3 (seconds, seconds, runs), CONNS="100 1000",
#        LOAD_CPU=0 SERVER_CPU=1 WRK_THREADS=1, H2_STREAMS=10 (h2load -m), H2_CONNS=100,
#        EDGE_JAVA_OPTS (more flags for the edge's JVM), BENCH_EDGE_ENV="K=V ..." (more edge env),
#        BENCH_SOURCE (the pre-encoded source; default /dev/shm/hls-bench-720p25-4M-60s.ts, made when
#        missing), KEEP=1 (keep the work dir with every log and wrk output).
# Needs: JDK 17, Maven, and (installed with apt-get when missing) wrk, nginx, nghttp2-client, ffmpeg.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. bench/lib.sh

CONNS=${CONNS:-100 1000}
H2_STREAMS=${H2_STREAMS:-10}
H2_CONNS=${H2_CONNS:-100}
STREAM=bench
BENCH_SOURCE=${BENCH_SOURCE:-/dev/shm/hls-bench-720p25-4M-60s.ts}

ensure_tools wrk:wrk nginx:nginx h2load:nghttp2-client ffmpeg:ffmpeg curl:curl openssl:openssl python3:python3
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
(($(ulimit -n) > 2100)) || log "warning: open files limit $(ulimit -n): 1,000 connections need more"

WORK=$(mktemp -d /tmp/hls-bench-edge.XXXXXX)
chmod 755 "$WORK"
cleanup() {
  stop_started
  [[ ${KEEP:-0} == 1 ]] && log "work dir kept: $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== edge vs nginx =="
print_machine
echo "commit:      $(git rev-parse --short HEAD 2>/dev/null || echo '?') ($(git log -1 --format=%s 2>/dev/null | cut -c1-70))"
echo "load average at start: $(loadavg)"

# 1. Build.
if [[ ${BUILD:-1} != 0 ]]; then
  log "building (mvn -B -q -DskipTests package)"
  mvn -B -q -DskipTests package >"$WORK/build.log" 2>&1 || { tail -50 "$WORK/build.log" >&2; die "build failed"; }
fi
for jar in catalog-service segmenter-service ingest-service edge-service; do
  [[ -f $jar/target/$jar.jar ]] || die "$jar/target/$jar.jar missing: build with mvn -B -q -DskipTests package"
done
[[ -f standalone/target/runtime-classpath.txt ]] || die "standalone/target/runtime-classpath.txt missing: build first"

# 2. Infrastructure and services.
log "starting devstack (Kafka, Cassandra, 2 S3 servers)"
java -Xmx1g -cp "standalone/target/classes:$(cat standalone/target/runtime-classpath.txt)" \
  io.hlspipeline.devstack.DevstackMain --data-dir "$WORK/devstack" --env-file "$WORK/devstack.env" \
  >"$WORK/devstack.log" 2>&1 &
STARTED_PIDS+=($!)
DEVSTACK_PID=$!
for _ in $(seq 1 360); do
  [[ -s $WORK/devstack.env ]] && break
  kill -0 "$DEVSTACK_PID" 2>/dev/null || { tail -40 "$WORK/devstack.log" >&2; die "devstack exited"; }
  sleep 0.5
done
[[ -s $WORK/devstack.env ]] || { tail -40 "$WORK/devstack.log" >&2; die "devstack not ready after 180 s"; }
sleep 0.2
# shellcheck disable=SC1091
. "$WORK/devstack.env"
S3_SPEC="id=$HLS_S3_0_ID,url=$HLS_S3_0_ENDPOINT,bucket=hls,region=$HLS_S3_0_REGION,accessKey=$HLS_S3_0_ACCESS_KEY,secretKey=$HLS_S3_0_SECRET_KEY"
S3_SPEC+=";id=$HLS_S3_1_ID,url=$HLS_S3_1_ENDPOINT,bucket=hls,region=$HLS_S3_1_REGION,accessKey=$HLS_S3_1_ACCESS_KEY,secretKey=$HLS_S3_1_SECRET_KEY"
SECRET=$(openssl rand -hex 24)
CATALOG_PORT=$(free_port)
SEGMENTER_PORT=$(free_port)
INGEST_PORT=$(free_port)
EDGE_PORT=$(free_port)
# Health and metrics answer on each service's admin listener, apart from the public port.
CATALOG_ADMIN=$(free_port)
INGEST_ADMIN=$(free_port)
EDGE_ADMIN=$(free_port)
COMMON=(KAFKA_BOOTSTRAP_SERVERS="$HLS_KAFKA_BOOTSTRAP_SERVERS" HTTP_BIND=127.0.0.1 KAFKA_REPLICATION_FACTOR=1 KAFKA_TOPIC_PARTITIONS=4)

# The environment StandaloneMain's Pipeline gives each service; each in its own JVM here.
start_service() { # NAME PREFIX... -- ENV...
  local name=$1
  shift
  local prefix=()
  while [[ $1 != -- ]]; do prefix+=("$1"); shift; done
  shift
  env "${COMMON[@]}" "$@" "${prefix[@]}" -jar "$name/target/$name.jar" >"$WORK/$name.log" 2>&1 &
  STARTED_PIDS+=($!)
}
log "starting catalog, segmenter, ingest (unpinned) and the edge (pinned to CPU $SERVER_CPU)"
start_service catalog-service java -Xmx512m -- HTTP_PORT="$CATALOG_PORT" ADMIN_PORT="$CATALOG_ADMIN" \
  CASSANDRA_CONTACT_POINTS="$HLS_CASSANDRA_CONTACT_POINT" CASSANDRA_REPLICATION_FACTOR=1 \
  CATALOG_STATE_DIR="$WORK/catalog-state"
start_service segmenter-service java -Xmx512m -- HTTP_PORT="$SEGMENTER_PORT" S3_ENDPOINTS="$S3_SPEC" \
  S3_REPLICATION=2 SEGMENT_TARGET_DURATION=2s
start_service ingest-service java -Xmx512m -- HTTP_PORT="$INGEST_PORT" ADMIN_PORT="$INGEST_ADMIN" \
  STREAM_KEY_SECRET="$SECRET"
# shellcheck disable=SC2086
start_service edge-service taskset -c "$SERVER_CPU" java -XX:ActiveProcessorCount=1 ${EDGE_JAVA_OPTS:-} -- \
  HTTP_PORT="$EDGE_PORT" ADMIN_PORT="$EDGE_ADMIN" CATALOG_URL="http://127.0.0.1:$CATALOG_PORT" S3_ENDPOINTS="$S3_SPEC" \
  LIVE_WINDOW_SEGMENTS=10 ${BENCH_EDGE_ENV:-}
EDGE_PID=${STARTED_PIDS[-1]}
EDGE=http://127.0.0.1:$EDGE_PORT
INGEST=http://127.0.0.1:$INGEST_PORT

# 3. A live stream. The source is encoded once (CBR ~4 Mb/s video + 128 kb/s AAC, keyframe every 2 s)
# and published with -re -stream_loop -1 -c copy.
if [[ ! -s $BENCH_SOURCE ]]; then
  log "encoding the source $BENCH_SOURCE (60 s of 1280x720p25, once)"
  ffmpeg -hide_banner -nostdin -v error -y -f lavfi -i testsrc2=size=1280x720:rate=25 \
    -f lavfi -i sine=frequency=1000:sample_rate=48000 -t 60 \
    -c:v libx264 -preset veryfast -b:v 4M -minrate 4M -maxrate 4M -bufsize 4M -x264-params nal-hrd=cbr \
    -g 50 -keyint_min 50 -sc_threshold 0 -pix_fmt yuv420p -c:a aac -b:a 128k -f mpegts "$BENCH_SOURCE.tmp" &&
    mv "$BENCH_SOURCE.tmp" "$BENCH_SOURCE" || die "ffmpeg could not encode the source"
fi
for url in "http://127.0.0.1:$CATALOG_ADMIN/health/ready" "http://127.0.0.1:$SEGMENTER_PORT/health/ready" \
  "http://127.0.0.1:$INGEST_ADMIN/health/ready" "http://127.0.0.1:$EDGE_ADMIN/health/ready"; do
  wait_http "$url" 120 || log "warning: $url not ready after 120 s (going on)"
done
KEY=$STREAM.$(printf '%s' "$STREAM" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64 | tr '+/' '-_' | tr -d '=')
log "publishing stream '$STREAM' (ffmpeg -re -stream_loop -1 -c copy, PUT to ingest)"
ffmpeg -hide_banner -nostdin -v error -re -stream_loop -1 -i "$BENCH_SOURCE" -c copy -f mpegts -method PUT \
  "$INGEST/ingest/$KEY" >"$WORK/ffmpeg.log" 2>&1 &
STARTED_PIDS+=($!)

# 4. The same bytes for nginx.
wait_http "$EDGE/hls/$STREAM/master.m3u8" 120 || { tail -30 "$WORK"/*.log >&2; die "the edge serves no master playlist for '$STREAM' after 120 s"; }
RENDITION_URI=$(curl -s "$EDGE/hls/$STREAM/master.m3u8" | grep -v '^#' | grep -m1 .)
MEDIA_PATH=/hls/$STREAM/${RENDITION_URI%%\?*}
# A full live window (LIVE_WINDOW_SEGMENTS=10, as the standalone sets), so the playlist has its
# steady-state size.
SEGMENTS=0
for _ in $(seq 1 90); do
  SEGMENTS=$(curl -s "$EDGE$MEDIA_PATH" | grep -c '\.ts' || true)
  ((SEGMENTS >= 10)) && break
  sleep 1
done
((SEGMENTS >= 10)) || log "warning: the live playlist $MEDIA_PATH lists $SEGMENTS segments after 90 s (not a full window of 10)"
DOCROOT=$WORK/docroot
mkdir -p "$DOCROOT${MEDIA_PATH%/*}"
PLAYLIST_TYPE=$(curl -s -o "$DOCROOT$MEDIA_PATH" -w '%{content_type}' "$EDGE$MEDIA_PATH")
SEGMENT_URI=$(grep -v '^#' "$DOCROOT$MEDIA_PATH" | grep . | tail -2 | head -1)  # second newest
SEGMENT_PATH=${MEDIA_PATH%/*}/$SEGMENT_URI
SEGMENT_TYPE=$(curl -s -o "$DOCROOT$SEGMENT_PATH" -w '%{content_type}' "$EDGE$SEGMENT_PATH")
chmod -R a+rX "$DOCROOT"
PLAYLIST_BYTES=$(stat -c %s "$DOCROOT$MEDIA_PATH")
SEGMENT_BYTES=$(stat -c %s "$DOCROOT$SEGMENT_PATH")
curl -s "$EDGE$SEGMENT_PATH" | cmp -s - "$DOCROOT$SEGMENT_PATH" || die "the edge answered other bytes for $SEGMENT_PATH"

make_cert "$WORK"
NGINX_PORT=$(free_port)
NGINX_H2C_PORT=$(free_port)
NGINX_TLS_PORT=$(free_port)
nginx_start "$WORK/nginx" "$DOCROOT" "$NGINX_PORT" "$NGINX_H2C_PORT" "$NGINX_TLS_PORT" "$WORK/cert.pem" "$WORK/key.pem"
NGINX=http://127.0.0.1:$NGINX_PORT
curl -s "$NGINX$SEGMENT_PATH" | cmp -s - "$DOCROOT$SEGMENT_PATH" || die "nginx serves other bytes for $SEGMENT_PATH"
[[ $(curl -s -o /dev/null -w '%{content_type}' "$NGINX$MEDIA_PATH") == "$PLAYLIST_TYPE" ]] || die "nginx's playlist content type differs"
[[ $(curl -s -o /dev/null -w '%{content_type}' "$NGINX$SEGMENT_PATH") == "$SEGMENT_TYPE" ]] || die "nginx's segment content type differs"

echo "edge:        $EDGE (pid $EDGE_PID, $(taskset -cp "$EDGE_PID" | sed 's/.*: /CPU list /'), JVM flags -XX:ActiveProcessorCount=1 ${EDGE_JAVA_OPTS:-})"
echo "nginx:       $NGINX, 1 worker ($(taskset -cp "$NGINX_PID" | sed 's/.*: /CPU list /')), h2c :$NGINX_H2C_PORT, h2 TLS :$NGINX_TLS_PORT"
echo "playlist:    $MEDIA_PATH, $PLAYLIST_BYTES B ($PLAYLIST_TYPE), live on the edge, static copy on nginx"
echo "segment:     $SEGMENT_PATH, $SEGMENT_BYTES B ($SEGMENT_TYPE), same bytes on both"
if ((SEGMENT_BYTES < 700000 || SEGMENT_BYTES > 1500000)); then
  log "warning: the segment is $SEGMENT_BYTES B, not ~1 MB"
fi

# 5. HTTP/1.1 with wrk.
mkdir -p "$WORK/wrk"
declare -A RPS P99 ERR
ROWS=()
for obj in playlist segment; do
  path=$MEDIA_PATH
  [[ $obj == segment ]] && path=$SEGMENT_PATH
  for c in $CONNS; do
    ROWS+=("$obj $c")
    for s in edge nginx; do
      base=$EDGE
      [[ $s == nginx ]] && base=$NGINX
      log "warm-up $s $obj, $c connections (${WARMUP}s)"
      wrk_run "$WORK/wrk/warmup-$s-$obj-$c.txt" "$base$path" "$c" "$WARMUP" >/dev/null
    done
    for r in $(seq 1 "$RUNS"); do
      for s in edge nginx; do
        base=$EDGE
        [[ $s == nginx ]] && base=$NGINX
        read -r rps p99 err < <(wrk_run "$WORK/wrk/$s-$obj-$c-$r.txt" "$base$path" "$c" "$DURATION")
        printf 'run %d  %-8s %5s conns  %-5s %10s req/s  p99 %9s ms  errors %s\n' "$r" "$obj" "$c" "$s" "$rps" "$p99" "$err"
        RPS[$s,$obj,$c]+="$rps "
        P99[$s,$obj,$c]+="$p99 "
        ERR[$s,$obj,$c]=$(( ${ERR[$s,$obj,$c]:-0} + err ))
      done
    done
  done
done

# 6. HTTP/2 playlists with h2load.
h2_run() { # OUT URL → "req/s mean_ms max_ms failed"
  taskset -c "$LOAD_CPU" h2load -t 1 -c "$H2_CONNS" -m "$H2_STREAMS" -D "$DURATION" --warm-up-time=2 "$2" >"$1" 2>&1 || true
  awk '
    /^finished in/ { gsub(",", ""); rps = $4 }
    /^requests:/ { gsub(",", ""); bad = $10 + $12 + $14 }
    /^time for request:/ { min = $4; max = $5; mean = $6 }
    function ms(v) { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; return sprintf("%.2f", n) }
    END { printf "%s %s %s %s\n", (rps == "" ? 0 : rps), ms(mean), ms(max), (bad == "" ? "?" : bad) }' "$1"
}
declare -A H2
H2_TARGETS=("nginx-h2-tls https://127.0.0.1:$NGINX_TLS_PORT$MEDIA_PATH" "nginx-h2c http://127.0.0.1:$NGINX_H2C_PORT$MEDIA_PATH")
H2_NOTE=""
if [[ -n ${EDGE_H2_URL:-} ]]; then
  if [[ $(curl -sk --http2 -o /dev/null -w '%{http_version}' "$EDGE_H2_URL$MEDIA_PATH") == 2 ]]; then
    H2_TARGETS=("edge-h2-tls $EDGE_H2_URL$MEDIA_PATH" "${H2_TARGETS[@]}")
  else
    H2_NOTE="edge at EDGE_H2_URL=$EDGE_H2_URL does not answer HTTP/2 over TLS: edge h2 skipped"
  fi
elif [[ $(curl -s --http2-prior-knowledge -m 5 -o /dev/null -w '%{http_version}' "$EDGE$MEDIA_PATH" 2>/dev/null) == 2 ]]; then
  H2_TARGETS=("edge-h2c $EDGE$MEDIA_PATH" "${H2_TARGETS[@]}")
else
  H2_NOTE="the edge answers HTTP/1 only (no h2c on $EDGE, no EDGE_H2_URL given): edge HTTP/2 skipped"
fi
[[ -n $H2_NOTE ]] && echo "note: $H2_NOTE"
for r in $(seq 1 "$RUNS"); do
  for t in "${H2_TARGETS[@]}"; do
    name=${t%% *}
    read -r rps mean max bad < <(h2_run "$WORK/wrk/h2-$name-$r.txt" "${t#* }")
    printf 'run %d  playlist h2 %-13s %10s req/s  mean %8s ms  max %9s ms  failed %s\n' "$r" "$name" "$rps" "$mean" "$max" "$bad"
    H2[$name,rps]+="$rps "
    H2[$name,mean]+="$mean "
    H2[$name,max]+="$max "
    H2[$name,bad]=$(( ${H2[$name,bad]:-0} + ${bad/\?/0} ))
  done
done

# Summary.
echo
echo "HTTP/1.1, wrk -t$WRK_THREADS, ${DURATION}s runs, median of $RUNS alternating runs (req/s of each run in brackets):"
echo
echo "| object | conns | edge req/s | edge p99 | nginx req/s | nginx p99 | edge/nginx | errors edge/nginx |"
echo "|---|---|---|---|---|---|---|---|"
for row in "${ROWS[@]}"; do
  read -r obj c <<<"$row"
  size=$PLAYLIST_BYTES
  [[ $obj == segment ]] && size=$SEGMENT_BYTES
  # shellcheck disable=SC2086
  e=$(median ${RPS[edge,$obj,$c]})
  # shellcheck disable=SC2086
  n=$(median ${RPS[nginx,$obj,$c]})
  # shellcheck disable=SC2086
  printf '| %s (%s B) | %s | %s [%s] | %s ms | %s [%s] | %s ms | **%s** | %s / %s |\n' "$obj" "$size" "$c" \
    "$e" "$(echo ${RPS[edge,$obj,$c]} | sed 's/ /, /g')" "$(median ${P99[edge,$obj,$c]})" \
    "$n" "$(echo ${RPS[nginx,$obj,$c]} | sed 's/ /, /g')" "$(median ${P99[nginx,$obj,$c]})" \
    "$(ratio "$e" "$n")" "${ERR[edge,$obj,$c]}" "${ERR[nginx,$obj,$c]}"
done
echo
echo "HTTP/2 playlist, h2load -t1 -c$H2_CONNS -m$H2_STREAMS, ${DURATION}s + 2 s warm-up, median of $RUNS (h2load prints no percentiles: mean and max request time):"
echo
echo "| target | req/s [runs] | mean | max | failed |"
echo "|---|---|---|---|---|"
for t in "${H2_TARGETS[@]}"; do
  name=${t%% *}
  # shellcheck disable=SC2086
  printf '| %s | %s [%s] | %s ms | %s ms | %s |\n' "$name" "$(median ${H2[$name,rps]})" "$(echo ${H2[$name,rps]} | sed 's/ /, /g')" \
    "$(median ${H2[$name,mean]})" "$(median ${H2[$name,max]})" "${H2[$name,bad]}"
done
[[ -n $H2_NOTE ]] && echo "| edge | skipped: $H2_NOTE | | | |"
echo
echo "edge log: $(grep -c ' WARN \| ERROR ' "$WORK/edge-service.log" || true) WARN/ERROR lines during the run (e.g. requests failed when wrk closed its connections)"
echo "load average at end: $(loadavg)"
