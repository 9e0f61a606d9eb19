#!/usr/bin/env bash
# Streams per segmenter worker with low-latency parts on (issue #9 item 2). See docs/benchmarks.md
# ("Segmenter: streams per worker with parts") for what it measures and the figures it printed.
#
# Runs segmenter-service's SegmenterCapacityBench (not an *IT: normal builds never run it) against devstack's
# in-process Kafka and S3Proxy: for each stream count, that many 720p25 1.5 Mb/s streams publish in
# real time for RUN_SECONDS, one fresh worker cuts them (4 s segments, 334 ms parts), and a
# read_committed reader records each part's lag (visible minus due). Prints one line per count.
#
# Usage: bench/segmenter-parts.sh
# Env:   STREAMS="10,25,50,100" (comma-separated counts), RUN_SECONDS=30 (per count),
#        PARTS=334ms (the part target; 0s: no parts, SegmentReady lag measured), BITRATE=1500k
set -euo pipefail
cd "$(dirname "$0")/.."
STREAMS=${STREAMS:-10,25,50,100}
SECONDS_PER_RUN=${RUN_SECONDS:-30}
log=$(mktemp /tmp/segmenter-parts-XXXXXX.log)
mvn -B -o verify -pl segmenter-service -am -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=SegmenterCapacityBench -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dhls.bench.streams="$STREAMS" -Dhls.bench.seconds="$SECONDS_PER_RUN" \
  -Dhls.bench.parts="${PARTS:-334ms}" -Dhls.bench.bitrate="${BITRATE:-1500k}" >"$log" 2>&1 || {
  tail -50 "$log"
  exit 1
}
grep -h 'segmenter capacity:' "$log" segmenter-service/target/failsafe-reports/*SegmenterCapacityBench*-output.txt 2>/dev/null | sort -u
echo "log: $log"
