#!/bin/bash
# A single-node KRaft Kafka (broker + controller) from the project's Kafka jars: writes
# server.properties into /tmp (the root filesystem is read-only), formats the data directory on first
# start, then execs the broker (so SIGTERM reaches it and it shuts down in order).
#
# Environment (defaults):
#   KAFKA_DATA_DIR (/var/lib/kafka/data)  a volume or tmpfs
#   KAFKA_CLUSTER_ID (hls-pipeline-kafka0) 22 characters, base64url
#   KAFKA_LISTENERS (PLAINTEXT://:9092,CONTROLLER://:9093)
#   KAFKA_ADVERTISED_LISTENERS (PLAINTEXT://<container hostname>:9092)
#   KAFKA_LISTENER_SECURITY_PROTOCOL_MAP (PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT)
#   KAFKA_NUM_PARTITIONS (1)
#   KAFKA_EXTRA_PROPERTIES  more server.properties lines, newline-separated
#   JAVA_OPTS (container-sized heap, see the Dockerfile)
set -euo pipefail
data=${KAFKA_DATA_DIR:-/var/lib/kafka/data}
props=/tmp/kafka-server.properties
cat > "$props" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:9093
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listeners=${KAFKA_LISTENERS:-PLAINTEXT://:9092,CONTROLLER://:9093}
advertised.listeners=${KAFKA_ADVERTISED_LISTENERS:-PLAINTEXT://$(hostname):9092}
listener.security.protocol.map=${KAFKA_LISTENER_SECURITY_PROTOCOL_MAP:-PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT}
log.dirs=${data}
num.partitions=${KAFKA_NUM_PARTITIONS:-1}
# One node: every internal topic with one replica (transactions need these).
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
# The log cleaner's dedupe buffer is allocated on the heap at start (128 MiB by default): too much for
# a heap sized from a small container limit (a 192 MiB heap died of OutOfMemoryError at start).
log.cleaner.dedupe.buffer.size=33554432
# The services create their topics (events.TopicCreator); never by accident from a typo.
auto.create.topics.enable=false
${KAFKA_EXTRA_PROPERTIES:-}
PROPS
cp=/opt/hls/lib/*
if [ ! -f "$data/meta.properties" ]; then
  java -Xmx256m -cp "$cp" -Dlogback.configurationFile=/opt/hls/logback.xml kafka.tools.StorageTool format \
    -t "${KAFKA_CLUSTER_ID:-hls-pipeline-kafka0}" -c "$props" --ignore-formatted
fi
# shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
exec java $JAVA_OPTS -cp "$cp" -Dlogback.configurationFile=/opt/hls/logback.xml kafka.Kafka "$props"
