package io.hlspipeline.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hlspipeline.kit.config.ConfigException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CatalogConfigTest {
  private static Map<String, String> minimal() {
    Map<String, String> env = new HashMap<>();
    env.put(CatalogConfig.KAFKA_BOOTSTRAP_SERVERS, "kafka:9092");
    env.put(CatalogConfig.CASSANDRA_CONTACT_POINTS, "cass-1:9042, cass-2:9043");
    return env;
  }

  @Test
  void fromEnv_minimal_appliesDefaults() {
    CatalogConfig c = CatalogConfig.fromEnv(minimal());

    assertThat(c.kafkaBootstrapServers()).isEqualTo("kafka:9092");
    assertThat(c.httpBind()).isEqualTo("0.0.0.0");
    assertThat(c.httpPort()).isEqualTo(8082);
    assertThat(c.adminPort()).isEqualTo(9082);
    assertThat(c.cassandraContactPoints())
        .containsExactly(
            InetSocketAddress.createUnresolved("cass-1", 9042),
            InetSocketAddress.createUnresolved("cass-2", 9043));
    assertThat(c.cassandraLocalDc()).isEqualTo("datacenter1");
    assertThat(c.cassandraKeyspace()).isEqualTo("hls");
    assertThat(c.cassandraReplicationFactor()).isEqualTo(1);
    assertThat(c.applicationId()).isEqualTo("hls-catalog");
    assertThat(c.stateDir()).isNull();
    assertThat(c.kafkaTopicPartitions()).isZero();
    assertThat(c.kafkaReplicationFactor()).isEqualTo((short) -1);
  }

  @Test
  void fromEnv_overrides_areParsed() {
    Map<String, String> env = minimal();
    env.put(CatalogConfig.HTTP_PORT, "0");
    env.put(CatalogConfig.CASSANDRA_KEYSPACE, "hls_test");
    env.put(CatalogConfig.CATALOG_STATE_DIR, "/var/lib/catalog");
    env.put(CatalogConfig.KAFKA_REPLICATION_FACTOR, "3");

    CatalogConfig c = CatalogConfig.fromEnv(env);

    assertThat(c.httpPort()).isZero();
    assertThat(c.cassandraKeyspace()).isEqualTo("hls_test");
    assertThat(c.stateDir()).isEqualTo(Path.of("/var/lib/catalog"));
    assertThat(c.kafkaReplicationFactor()).isEqualTo((short) 3);
  }

  @Test
  void retention_isOffByDefault_andNeedsStorageWhenOn() {
    assertThat(CatalogConfig.fromEnv(minimal()).retention()).isNull();
    Map<String, String> on = minimal();
    on.put(CatalogConfig.RETENTION_MAX_AGE, "30d");
    assertThatThrownBy(() -> CatalogConfig.fromEnv(on))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(CatalogConfig.S3_ENDPOINTS);
    on.put(
        CatalogConfig.S3_ENDPOINTS,
        "id=a,url=http://127.0.0.1:9000,bucket=hls,region=us-east-1,accessKey=k,secretKey=s3cr3t");
    CatalogConfig c = CatalogConfig.fromEnv(on);
    CatalogConfig.Retention r = c.retention();
    assertThat(r.maxAge()).isEqualTo(java.time.Duration.ofDays(30));
    assertThat(r.sweepInterval()).isEqualTo(java.time.Duration.ofMinutes(15));
    assertThat(r.orphanGrace()).isEqualTo(java.time.Duration.ofHours(1));
    assertThat(r.partMaxAge()).isEqualTo(java.time.Duration.ofMinutes(10));
    assertThat(c.s3Endpoints()).extracting(e -> e.id()).containsExactly("a");
    assertThat(c.toString()).doesNotContain("s3cr3t");
  }

  @Test
  void partsAreDeleted_wheneverStorageIsGiven_evenWithRecordingsKeptForever() {
    Map<String, String> env = minimal();
    env.put(
        CatalogConfig.S3_ENDPOINTS,
        "id=a,url=http://127.0.0.1:9000,bucket=hls,region=us-east-1,accessKey=k,secretKey=s");
    CatalogConfig.Retention r = CatalogConfig.fromEnv(env).retention();
    assertThat(r.maxAge()).isZero();
    assertThat(r.partMaxAge()).isEqualTo(java.time.Duration.ofMinutes(10));
    env.put(CatalogConfig.RETENTION_PART_MAX_AGE, "0s");
    assertThat(CatalogConfig.fromEnv(env).retention()).as("nothing to delete").isNull();
    env.put(CatalogConfig.RETENTION_PART_MAX_AGE, "-1s");
    assertThatThrownBy(() -> CatalogConfig.fromEnv(env))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(CatalogConfig.RETENTION_PART_MAX_AGE);
  }

  @Test
  void fromEnv_missingRequired_namesEveryVariable() {
    assertThatThrownBy(() -> CatalogConfig.fromEnv(Map.of()))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> {
              assertThat(e.variable()).isEqualTo(CatalogConfig.KAFKA_BOOTSTRAP_SERVERS);
              assertThat(e.getSuppressed())
                  .extracting(s -> ((ConfigException) s).variable())
                  .containsExactly(CatalogConfig.CASSANDRA_CONTACT_POINTS);
            });
  }

  @Test
  void fromEnv_badContactPointOrKeyspace_isRejected() {
    Map<String, String> noPort = minimal();
    noPort.put(CatalogConfig.CASSANDRA_CONTACT_POINTS, "cass-1");
    assertThatThrownBy(() -> CatalogConfig.fromEnv(noPort))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> assertThat(e.variable()).isEqualTo(CatalogConfig.CASSANDRA_CONTACT_POINTS));

    Map<String, String> badPort = minimal();
    badPort.put(CatalogConfig.CASSANDRA_CONTACT_POINTS, "cass-1:70000");
    assertThatThrownBy(() -> CatalogConfig.fromEnv(badPort))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("port out of range");

    Map<String, String> injection = minimal();
    injection.put(CatalogConfig.CASSANDRA_KEYSPACE, "hls; DROP KEYSPACE x");
    assertThatThrownBy(() -> CatalogConfig.fromEnv(injection))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> assertThat(e.variable()).isEqualTo(CatalogConfig.CASSANDRA_KEYSPACE));
  }

  @Test
  void definition_documentsEveryKey() {
    assertThat(CatalogConfig.definition().describe())
        .contains("`CASSANDRA_CONTACT_POINTS`", "`CATALOG_STATE_DIR`", "*required*");
  }
}
