#!/usr/bin/env bash
# The one-command demo: builds the project (tests skipped), then starts real Kafka, Cassandra and two
# S3 servers plus the four services, and prints the ffmpeg command to publish and the URL to play.
# Pass --demo to also start an ffmpeg test broadcast; see StandaloneMain for the other options.
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q install -DskipTests
exec java -cp "standalone/target/classes:$(cat standalone/target/runtime-classpath.txt)" \
  io.hlspipeline.standalone.StandaloneMain "$@"
