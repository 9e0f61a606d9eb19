#!/bin/bash
# A single-node Cassandra 5.0 from the project's cassandra-all jars (as devstack-cassandra resolves
# them): writes cassandra.yaml into /tmp (the root filesystem is read-only), then execs the daemon in
# the foreground (SIGTERM drains it).
#
# Environment (defaults):
#   CASSANDRA_DATA_DIR (/var/lib/cassandra)   a volume or tmpfs
# /tmp must be writable and allow exec (tmpfs /tmp:exec): native libraries (JNA, lz4) load from it.
#   CASSANDRA_CLUSTER_NAME (hls)
#   CASSANDRA_BROADCAST_RPC_ADDRESS (this container's address) what clients are told
#   JAVA_OPTS (container-sized heap, see the Dockerfile)
set -euo pipefail
data=${CASSANDRA_DATA_DIR:-/var/lib/cassandra}
mkdir -p "$data"
ip=${CASSANDRA_BROADCAST_RPC_ADDRESS:-$(getent hosts "$(hostname)" | awk '{print $1; exit}')}
yaml=/tmp/cassandra.yaml
cat > "$yaml" <<YAML
cluster_name: ${CASSANDRA_CLUSTER_NAME:-hls}
num_tokens: 1
initial_token: 0
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
endpoint_snitch: SimpleSnitch
listen_address: 127.0.0.1
rpc_address: 0.0.0.0
broadcast_rpc_address: ${ip}
native_transport_port: 9042
start_native_transport: true
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "127.0.0.1:7000"
authenticator: AllowAllAuthenticator
authorizer: AllowAllAuthorizer
data_file_directories:
  - ${data}/data
commitlog_directory: ${data}/commitlog
saved_caches_directory: ${data}/saved_caches
hints_directory: ${data}/hints
cdc_raw_directory: ${data}/cdc_raw
commitlog_sync: periodic
commitlog_sync_period: 10000ms
concurrent_reads: 8
concurrent_writes: 8
concurrent_counter_writes: 4
YAML
jpms=()
for e in java.base/jdk.internal.misc java.management.rmi/com.sun.jmx.remote.internal.rmi \
    java.rmi/sun.rmi.registry java.rmi/sun.rmi.server java.sql/java.sql java.base/java.lang.ref \
    jdk.unsupported/sun.misc jdk.compiler/com.sun.tools.javac.file jdk.attach/sun.tools.attach; do
  jpms+=(--add-exports "$e=ALL-UNNAMED")
done
for o in java.base/java.lang.module java.base/jdk.internal.loader java.base/jdk.internal.ref \
    java.base/jdk.internal.reflect java.base/jdk.internal.math java.base/jdk.internal.module \
    java.base/jdk.internal.util.jar jdk.management/com.sun.management.internal java.base/sun.nio.ch \
    java.base/java.io java.base/java.lang.reflect jdk.compiler/com.sun.tools.javac java.base/java.lang \
    java.base/java.util; do
  jpms+=(--add-opens "$o=ALL-UNNAMED")
done
# shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
exec java $JAVA_OPTS "${jpms[@]}" -Djdk.attach.allowAttachSelf=true -Dio.netty.tryReflectionSetAccessible=true \
  -Dcassandra.config="file://$yaml" -Dcassandra-foreground=yes -Dcassandra.storagedir="$data" \
  -Dcassandra.logdir=/tmp -Dlogback.configurationFile=/opt/hls/logback.xml \
  -Dcassandra.skip_wait_for_gossip_to_settle=0 -Dcassandra.ring_delay_ms=100 \
  -Dcassandra.superuser_setup_delay_ms=0 -cp '/opt/hls/lib/*' org.apache.cassandra.service.CassandraDaemon
