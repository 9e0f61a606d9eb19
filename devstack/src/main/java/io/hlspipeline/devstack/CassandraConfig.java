package io.hlspipeline.devstack;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The files and JVM flags a single-node, throw-away Cassandra 5.0 runs with. */
final class CassandraConfig {
  private CassandraConfig() {}

  /**
   * Module-system flags Cassandra needs on JDK 17: the JPMS section of Cassandra's own {@code
   * conf/jvm17-server.options}.
   */
  static final List<String> JPMS_ARGS = jpmsArgs();

  private static List<String> jpmsArgs() {
    List<String> args = new ArrayList<>();
    for (String export :
        List.of(
            "java.base/jdk.internal.misc",
            "java.management.rmi/com.sun.jmx.remote.internal.rmi",
            "java.rmi/sun.rmi.registry",
            "java.rmi/sun.rmi.server",
            "java.sql/java.sql",
            "java.base/java.lang.ref",
            "jdk.unsupported/sun.misc",
            "jdk.compiler/com.sun.tools.javac.file",
            "jdk.attach/sun.tools.attach")) {
      args.add("--add-exports");
      args.add(export + "=ALL-UNNAMED");
    }
    for (String open :
        List.of(
            "java.base/java.lang.module",
            "java.base/jdk.internal.loader",
            "java.base/jdk.internal.ref",
            "java.base/jdk.internal.reflect",
            "java.base/jdk.internal.math",
            "java.base/jdk.internal.module",
            "java.base/jdk.internal.util.jar",
            "jdk.management/com.sun.management.internal",
            "java.base/sun.nio.ch",
            "java.base/java.io",
            "java.base/java.lang.reflect",
            "jdk.compiler/com.sun.tools.javac",
            "java.base/java.lang",
            "java.base/java.util")) {
      args.add("--add-opens");
      args.add(open + "=ALL-UNNAMED");
    }
    return List.copyOf(args);
  }

  /** A minimal single-node cassandra.yaml with every directory under {@code dataDir}. */
  static String yaml(Path dataDir, int nativePort, int storagePort) {
    return """
        cluster_name: hls-devstack
        num_tokens: 1
        initial_token: 0
        partitioner: org.apache.cassandra.dht.Murmur3Partitioner
        endpoint_snitch: SimpleSnitch
        listen_address: 127.0.0.1
        rpc_address: 127.0.0.1
        storage_port: %2$d
        native_transport_port: %3$d
        start_native_transport: true
        seed_provider:
          - class_name: org.apache.cassandra.locator.SimpleSeedProvider
            parameters:
              - seeds: "127.0.0.1:%2$d"
        authenticator: AllowAllAuthenticator
        authorizer: AllowAllAuthorizer
        data_file_directories:
          - %1$s/data
        commitlog_directory: %1$s/commitlog
        saved_caches_directory: %1$s/saved_caches
        hints_directory: %1$s/hints
        cdc_raw_directory: %1$s/cdc_raw
        commitlog_sync: periodic
        commitlog_sync_period: 10000ms
        # Throw-away data: no snapshots on DROP/TRUNCATE (they slow tests that recreate schemas).
        auto_snapshot: false
        snapshot_before_compaction: false
        concurrent_reads: 8
        concurrent_writes: 8
        concurrent_counter_writes: 4
        """
        .formatted(dataDir, storagePort, nativePort);
  }

  /** Console logging (the child's stdout goes to its log file): INFO for lifecycle, else WARN. */
  static String logback() {
    return """
        <configuration>
          <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
            <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
          </appender>
          <logger name="org.apache.cassandra.service.CassandraDaemon" level="INFO"/>
          <logger name="org.apache.cassandra.service.StorageService" level="INFO"/>
          <logger name="org.apache.cassandra.transport" level="INFO"/>
          <root level="WARN"><appender-ref ref="STDOUT"/></root>
        </configuration>
        """;
  }
}
