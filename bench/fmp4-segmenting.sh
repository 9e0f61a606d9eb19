#!/usr/bin/env bash
# fMP4 segmenting throughput next to TS and ffmpeg's `-hls_segment_type fmp4` on the same file, one
# run each (issue #15). See docs/benchmarks.md ("fMP4 (CMAF) segmenting") for the figures it printed.
#
# What it does:
#  1. makes the input once (60 s of 1280x720p25 H.264 at 4 Mb/s, keyframe every 2 s, + AAC, as
#     MPEG-TS) unless BENCH_INPUT exists;
#  2. compiles the media module (`mvn -B -o -q compile -pl media`; never install) unless BUILD=0;
#  3. runs SegmentCli (TS), SegmentCli --segment-type fmp4 and ffmpeg -c copy -f hls
#     -hls_segment_type fmp4, each once under /usr/bin/time (wall seconds, peak RSS);
#  4. prints a table (wall, MB/s of input, peak RSS, segment count and bytes) and checks the fMP4
#     outputs: same EXTINF lines as the TS playlist and as ffmpeg's, ffprobe packet counts, and
#     `ffmpeg -v error` over our fMP4 playlist printing nothing.
#
# Usage: bench/fmp4-segmenting.sh
# Env:   BUILD=0 (reuse media/target/classes), BENCH_INPUT (default /tmp/fmp4bench-720p-60s.ts),
#        OUT (default /tmp/fmp4b), HLS_TIME=4.
# Needs: JDK 17, Maven, ffmpeg/ffprobe, GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

INPUT=${BENCH_INPUT:-/tmp/fmp4bench-720p-60s.ts}
OUT=${OUT:-/tmp/fmp4b}
HLS_TIME=${HLS_TIME:-4}

[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is needed: apt-get install time"
command -v ffmpeg >/dev/null || die "ffmpeg is needed: apt-get install ffmpeg"

if [[ ! -s $INPUT ]]; then
  log "making $INPUT"
  ffmpeg -v error -y -f lavfi -i testsrc2=size=1280x720:rate=25 \
    -f lavfi -i sine=frequency=1000:sample_rate=48000 -t 60 \
    -c:v libx264 -preset ultrafast -b:v 4M -g 50 -keyint_min 50 -sc_threshold 0 -pix_fmt yuv420p \
    -c:a aac -b:a 128k -f mpegts "$INPUT"
fi
if [[ ${BUILD:-1} != 0 ]]; then
  log "compiling media"
  mvn -B -o -q compile -pl media
fi
rm -rf "$OUT" && mkdir -p "$OUT/ts" "$OUT/fmp4" "$OUT/ff"
J=(java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp media/target/classes
  io.hlspipeline.media.cli.SegmentCli)
INPUT_BYTES=$(stat -c %s "$INPUT")

# Runs a command once under GNU time; prints "wall_s rss_kb".
timed() {
  local t
  t=$(mktemp)
  /usr/bin/time -f "%e %M" -o "$t" "$@" >/dev/null
  cat "$t"
  rm -f "$t"
}

log "load average $(loadavg)"
read -r ts_s ts_kb < <(timed "${J[@]}" --hls-time "$HLS_TIME" -o "$OUT/ts" "$INPUT")
read -r f_s f_kb < <(timed "${J[@]}" --hls-time "$HLS_TIME" --segment-type fmp4 -o "$OUT/fmp4" "$INPUT")
read -r ff_s ff_kb < <(cd "$OUT/ff" && timed ffmpeg -v error -y -i "$INPUT" -c copy \
  -bsf:a aac_adtstoasc -f hls -hls_time "$HLS_TIME" -hls_playlist_type vod -hls_segment_type fmp4 \
  -hls_fmp4_init_filename init.mp4 -hls_segment_filename 'segment%d.m4s' index.m3u8)
log "load average $(loadavg)"

row() { # name seconds rss_kb dir pattern
  local n bytes
  n=$(find "$4" -name "$5" | wc -l)
  bytes=$(find "$4" -name '*.ts' -o -name '*.m4s' -o -name '*.mp4' | xargs cat | wc -c)
  printf '| %s | %s s | ~%.0f MB/s | %d MB | %d segments, %d B |\n' "$1" "$2" \
    "$(echo "$INPUT_BYTES / $2 / 1000000" | bc -l)" $(($3 / 1024)) "$n" "$bytes"
}
echo "| tool | wall (1 run) | throughput | peak RSS | output |"
echo "|---|---|---|---|---|"
row "SegmentCli TS" "$ts_s" "$ts_kb" "$OUT/ts" '*.ts'
row "SegmentCli --segment-type fmp4" "$f_s" "$f_kb" "$OUT/fmp4" '*.m4s'
row "ffmpeg -hls_segment_type fmp4" "$ff_s" "$ff_kb" "$OUT/ff" '*.m4s'

# Checks: the grids agree, the packet counts agree, our fMP4 decodes without a message.
playlist() { find "$1" -name '*.m3u8' | head -1; }
extinf() { grep '^#EXTINF' "$(playlist "$1")"; }
diff <(extinf "$OUT/ts") <(extinf "$OUT/fmp4") >/dev/null && echo "EXTINF: fMP4 = TS" ||
  echo "EXTINF: fMP4 differs from TS"
diff <(extinf "$OUT/ff") <(extinf "$OUT/fmp4") >/dev/null && echo "EXTINF: fMP4 = ffmpeg" ||
  echo "EXTINF: fMP4 differs from ffmpeg"
for dir in fmp4 ff; do
  for s in v:0 a:0; do
    printf '%s %s packets: %s\n' "$dir" "$s" "$(ffprobe -v error -select_streams "$s" \
      -show_entries packet=pts -of csv=p=0 "$(playlist "$OUT/$dir")" | wc -l)"
  done
done
errors=$(ffmpeg -v error -i "$(playlist "$OUT/fmp4")" -f null - 2>&1 | wc -l)
echo "ffmpeg -v error over our fMP4 playlist: $errors lines"
