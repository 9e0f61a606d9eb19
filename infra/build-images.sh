#!/bin/bash
# Builds every image the stack runs, with no image registry: a Debian base (debootstrap), a Java 17
# runtime on it, Kafka, Cassandra and S3Proxy from the project's own Maven artifacts, coturn from
# Debian's package, and the four services from their runnable jars (ingest with the ffmpeg of
# org.bytedeco:ffmpeg's LGPL build). Each image is rebuilt only when missing or when its recipe or
# content changed (label io.hlspipeline.recipe = hash of the build context).
#
#   infra/build-images.sh              # mvn package (tests skipped), then the images
#   infra/build-images.sh --no-maven   # the jars and libs are already built (the test fixture's way)
#
# Environment:
#   HLS_IMAGE_TAG (dev)     tag of the four service images hls-pipeline/<service>
#   HLS_BASE_IMAGE          use this Java 17 runtime instead of building hls-pipeline/jre:17 (e.g.
#                           eclipse-temurin:17-jre where a registry is at hand)
#   HLS_DEBIAN_MIRROR       debootstrap's mirror (default: the host's apt source, else deb.debian.org)
# Starts dockerd first when none answers (infra/docker/docker-up.sh). Prints each image's size and
# build time.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
D="$ROOT/infra/docker"
TAG=${HLS_IMAGE_TAG:-dev}
KAFKA_VERSION=4.3.1 CASSANDRA_VERSION=5.0.6 S3PROXY_VERSION=4.1.0

maven=1
for a in "$@"; do
  case "$a" in
    --no-maven) maven=0 ;;
    *) echo "usage: $0 [--no-maven]" >&2; exit 2 ;;
  esac
done

"$D/docker-up.sh"
if [ "$maven" = 1 ]; then
  (cd "$ROOT" && mvn -B -q -pl containers-it -am package -DskipTests)
fi

have() { docker image inspect "$1" >/dev/null 2>&1; }
recipe_of() { docker image inspect -f '{{index .Config.Labels "io.hlspipeline.recipe"}}' "$1" 2>/dev/null || true; }
# Hash of a staged build context: file names, modes and contents.
context_hash() { (cd "$1" && find . -type f -printf '%p %m\n' | sort && find . -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16; }
report() { docker image inspect -f "$1 {{.Size}}" "$1" | awk '{printf "  %-34s %6.1f MB", $1, $2/1e6}'; echo " ($2)"; }

# build IMAGE CONTEXT DOCKERFILE [build args...]
build() {
  local image=$1 ctx=$2 dockerfile=$3; shift 3
  cp "$dockerfile" "$ctx/Dockerfile"
  local hash; hash=$(context_hash "$ctx")
  if [ "$(recipe_of "$image")" = "$hash" ]; then report "$image" "cached"; return; fi
  local t0=$SECONDS
  docker build -q --label "io.hlspipeline.recipe=$hash" "$@" -t "$image" "$ctx" >/dev/null 2> "$ctx/build.log" \
    || { cat "$ctx/build.log" >&2; echo "build of $image failed" >&2; exit 1; }
  report "$image" "built in $((SECONDS - t0)) s"
}

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/hls-images.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
echo "images:"

# 1. Base: Debian bookworm by debootstrap (~60-95 s, once), then the JRE on it.
if [ -n "${HLS_BASE_IMAGE:-}" ]; then
  BASE=$HLS_BASE_IMAGE
else
  BASE=hls-pipeline/jre:17
  if ! have hls-pipeline/debian:bookworm; then
    command -v debootstrap >/dev/null || { echo "debootstrap not found: apt-get install debootstrap" >&2; exit 1; }
    mirror=${HLS_DEBIAN_MIRROR:-$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}
    t0=$SECONDS
    debootstrap --variant=minbase bookworm "$STAGE/rootfs" "${mirror:-http://deb.debian.org/debian}" > "$STAGE/debootstrap.log" 2>&1 \
      || { tail -20 "$STAGE/debootstrap.log" >&2; exit 1; }
    rm -rf "$STAGE"/rootfs/var/cache/apt/archives/*.deb "$STAGE"/rootfs/var/lib/apt/lists/*
    tar -C "$STAGE/rootfs" -c . | docker import - hls-pipeline/debian:bookworm >/dev/null
    rm -rf "$STAGE/rootfs"
    report hls-pipeline/debian:bookworm "debootstrap in $((SECONDS - t0)) s"
  fi
  mkdir -p "$STAGE/jre"
  build "$BASE" "$STAGE/jre" "$D/jre.Dockerfile" --build-arg DEBIAN_IMAGE=hls-pipeline/debian:bookworm
fi

# 2. Infrastructure from the project's Maven artifacts.
libs="$ROOT/containers-it/target/image-libs/devstack"
cassandra_libs="$ROOT/devstack-cassandra/target/cassandra-lib"
ffmpeg_dir="$ROOT/containers-it/target/image-libs/ffmpeg/org/bytedeco/ffmpeg/linux-x86_64"
for dir in "$libs" "$cassandra_libs" "$ffmpeg_dir"; do
  [ -d "$dir" ] || { echo "$dir is missing: run without --no-maven (or mvn -B -pl containers-it -am package -DskipTests)" >&2; exit 1; }
done
stage_infra() { # NAME LIBDIR START_SCRIPT
  mkdir -p "$STAGE/$1"
  cp -r "$2" "$STAGE/$1/lib"
  cp "$D/$1/$3" "$D/probe.sh" "$STAGE/$1/"
  cp "$D/infra-logback.xml" "$STAGE/$1/logback.xml"
}
stage_infra kafka "$libs" kafka-start.sh
build "hls-pipeline/kafka:$KAFKA_VERSION" "$STAGE/kafka" "$D/kafka/Dockerfile" --build-arg "BASE_IMAGE=$BASE"
stage_infra cassandra "$cassandra_libs" cassandra-start.sh
build "hls-pipeline/cassandra:$CASSANDRA_VERSION" "$STAGE/cassandra" "$D/cassandra/Dockerfile" --build-arg "BASE_IMAGE=$BASE"
stage_infra s3proxy "$libs" s3proxy-start.sh
build "hls-pipeline/s3proxy:$S3PROXY_VERSION" "$STAGE/s3proxy" "$D/s3proxy/Dockerfile" --build-arg "BASE_IMAGE=$BASE"

# coturn (TURN for WHIP publishers) from Debian's package, on the same Debian base as the JRE.
COTURN_VERSION=4.6.1
mkdir -p "$STAGE/coturn"
cp "$D/coturn/coturn-start.sh" "$STAGE/coturn/"
if have hls-pipeline/debian:bookworm; then
  build "hls-pipeline/coturn:$COTURN_VERSION" "$STAGE/coturn" "$D/coturn/Dockerfile" --build-arg DEBIAN_IMAGE=hls-pipeline/debian:bookworm
else
  build "hls-pipeline/coturn:$COTURN_VERSION" "$STAGE/coturn" "$D/coturn/Dockerfile"
fi

# 3. The four services from their runnable jars.
for svc in ingest segmenter catalog edge; do
  jar="$ROOT/$svc-service/target/$svc-service.jar"
  [ -f "$jar" ] || { echo "$jar is missing: run without --no-maven" >&2; exit 1; }
  mkdir -p "$STAGE/$svc"
  cp "$jar" "$STAGE/$svc/service.jar"
  cp "$D/healthcheck.sh" "$STAGE/$svc/"
  mkdir -p "$STAGE/$svc/tools"
  if [ "$svc" = ingest ]; then # WHIP's Opus → AAC transcoder (see the Dockerfile)
    mkdir -p "$STAGE/$svc/tools/ffmpeg" "$STAGE/$svc/tools/bin"
    cp "$ffmpeg_dir"/ffmpeg "$ffmpeg_dir"/lib*.so* "$STAGE/$svc/tools/ffmpeg/"
    chmod 755 "$STAGE/$svc/tools/ffmpeg/ffmpeg"
    install -m 755 "$D/ffmpeg.sh" "$STAGE/$svc/tools/bin/ffmpeg"
  fi
  build "hls-pipeline/$svc:$TAG" "$STAGE/$svc" "$D/Dockerfile" --build-arg "BASE_IMAGE=$BASE" --build-arg "SERVICE=$svc"
done
