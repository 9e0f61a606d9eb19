package io.hlspipeline.catalog;

import io.hlspipeline.kit.config.CommonSettings;
import io.hlspipeline.kit.config.ConfigDef;
import io.hlspipeline.kit.config.ConfigException;
import io.hlspipeline.kit.config.ConfigType;
import io.hlspipeline.kit.config.ParsedConfig;
import io.hlspipeline.kit.config.Validator;
import io.hlspipeline.storage.S3Endpoint;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The configuration of catalog-service, parsed once from the environment at start.
 *
 * @param kafkaBootstrapServers {@code host:port[,host:port]} of the Kafka cluster
 * @param httpBind address the HTTP server binds to
 * @param httpPort HTTP port of the catalog API; 0 picks a free port
 * @param adminPort port of the admin endpoints (probes, metrics); 0 picks a free port
 * @param cassandraContactPoints Cassandra nodes to contact first (unresolved addresses)
 * @param cassandraLocalDc the driver's local datacenter
 * @param cassandraKeyspace keyspace of the master record
 * @param cassandraReplicationFactor replication factor of the keyspace in the local datacenter,
 *     used only when the keyspace is created
 * @param applicationId Kafka Streams {@code application.id} (also its consumer group)
 * @param stateDir Kafka Streams state directory; null means a fresh temporary directory per start
 * @param kafkaTopicPartitions partitions of {@code hls.segments} if this service creates it, 0 for
 *     the topic's default
 * @param kafkaReplicationFactor replication factor when creating topics, -1 for the broker default
 * @param s3Endpoints the storage servers (for retention and storage repair), empty when not given
 * @param retention what the retention sweeper deletes, null when recordings are kept forever
 */
public record CatalogConfig(
    String kafkaBootstrapServers,
    String httpBind,
    int httpPort,
    int adminPort,
    List<InetSocketAddress> cassandraContactPoints,
    String cassandraLocalDc,
    String cassandraKeyspace,
    int cassandraReplicationFactor,
    String applicationId,
    Path stateDir,
    int kafkaTopicPartitions,
    short kafkaReplicationFactor,
    List<S3Endpoint> s3Endpoints,
    Retention retention) {

  /**
   * Retention of recordings and low-latency parts (see {@code catalog.retention.RetentionSweeper}).
   *
   * @param maxAge recordings that ended longer ago are deleted; zero keeps them forever
   * @param sweepInterval time between two sweeps
   * @param orphanGrace objects younger than this are never taken for orphans
   * @param partMaxAge LL-HLS part objects older than this are deleted (their segment holds the same
   *     media); zero keeps them
   */
  public record Retention(
      Duration maxAge, Duration sweepInterval, Duration orphanGrace, Duration partMaxAge) {}

  public static final String KAFKA_BOOTSTRAP_SERVERS = CommonSettings.KAFKA_BOOTSTRAP_SERVERS;
  public static final String HTTP_BIND = CommonSettings.HTTP_BIND;
  public static final String HTTP_PORT = CommonSettings.HTTP_PORT;
  public static final String ADMIN_PORT = CommonSettings.ADMIN_PORT;
  public static final String CASSANDRA_CONTACT_POINTS = "CASSANDRA_CONTACT_POINTS";
  public static final String CASSANDRA_LOCAL_DC = "CASSANDRA_LOCAL_DC";
  public static final String CASSANDRA_KEYSPACE = "CASSANDRA_KEYSPACE";
  public static final String CASSANDRA_REPLICATION_FACTOR = "CASSANDRA_REPLICATION_FACTOR";
  public static final String CATALOG_APPLICATION_ID = "CATALOG_APPLICATION_ID";
  public static final String CATALOG_STATE_DIR = "CATALOG_STATE_DIR";
  public static final String KAFKA_TOPIC_PARTITIONS = CommonSettings.KAFKA_TOPIC_PARTITIONS;
  public static final String KAFKA_REPLICATION_FACTOR = CommonSettings.KAFKA_REPLICATION_FACTOR;
  public static final String RETENTION_MAX_AGE = "RETENTION_MAX_AGE";
  public static final String RETENTION_PART_MAX_AGE = "RETENTION_PART_MAX_AGE";
  public static final String RETENTION_SWEEP_INTERVAL = "RETENTION_SWEEP_INTERVAL";
  public static final String RETENTION_ORPHAN_GRACE = "RETENTION_ORPHAN_GRACE";
  public static final String S3_ENDPOINTS = "S3_ENDPOINTS";

  /** CQL identifiers we accept unquoted: lowercase, so the keyspace name never needs quoting. */
  private static final String KEYSPACE_PATTERN = "[a-z][a-z0-9_]{0,47}";

  public CatalogConfig {
    s3Endpoints = List.copyOf(s3Endpoints);
    Objects.requireNonNull(kafkaBootstrapServers, "kafkaBootstrapServers");
    Objects.requireNonNull(httpBind, "httpBind");
    cassandraContactPoints = List.copyOf(cassandraContactPoints);
    Objects.requireNonNull(cassandraLocalDc, "cassandraLocalDc");
    Objects.requireNonNull(cassandraKeyspace, "cassandraKeyspace");
    Objects.requireNonNull(applicationId, "applicationId");
    if (cassandraContactPoints.isEmpty()) {
      throw new IllegalArgumentException("no Cassandra contact point");
    }
  }

  /** The declared keys, for parsing and for the generated configuration docs. */
  public static ConfigDef definition() {
    ConfigDef def = CommonSettings.defineKafkaBootstrap(new ConfigDef());
    CommonSettings.defineHttp(def, 8082, "HTTP port of the catalog API (/api/v1)");
    CommonSettings.defineAdmin(def, 9082);
    def.define(
            CASSANDRA_CONTACT_POINTS,
            ConfigType.LIST,
            null,
            Validator.pattern("[^:\\s]+:\\d{1,5}"),
            "Cassandra contact points, host:port[,host:port]")
        .define(
            CASSANDRA_LOCAL_DC,
            ConfigType.STRING,
            "datacenter1",
            Validator.nonEmpty(),
            "the Cassandra datacenter this instance reads and writes through")
        .define(
            CASSANDRA_KEYSPACE,
            ConfigType.STRING,
            "hls",
            Validator.pattern(KEYSPACE_PATTERN),
            "keyspace of the master record, created at start if missing")
        .define(
            CASSANDRA_REPLICATION_FACTOR,
            ConfigType.INT,
            1,
            Validator.range(1, 15),
            "replication factor in the local datacenter when the keyspace is created")
        .define(
            CATALOG_APPLICATION_ID,
            ConfigType.STRING,
            "hls-catalog",
            Validator.pattern("[A-Za-z0-9._-]{1,200}"),
            "Kafka Streams application.id (its consumer group and transactional id prefix)")
        .define(
            CATALOG_STATE_DIR,
            ConfigType.STRING,
            "",
            null,
            "Kafka Streams state directory; empty for a fresh temporary directory");
    def.define(
            RETENTION_MAX_AGE,
            ConfigType.DURATION,
            "0s",
            Validator.durationRange(Duration.ZERO, Duration.ofDays(36_500)),
            "recordings that ended longer ago are deleted from storage and the master record;"
                + " 0s keeps them forever")
        .define(
            RETENTION_PART_MAX_AGE,
            ConfigType.DURATION,
            "10m",
            Validator.durationRange(Duration.ZERO, Duration.ofDays(30)),
            "low-latency part objects older than this are deleted (the segment holds the same"
                + " media; playlists list parts for seconds); 0s keeps them. Needs S3_ENDPOINTS")
        .define(
            RETENTION_SWEEP_INTERVAL,
            ConfigType.DURATION,
            "15m",
            Validator.durationRange(Duration.ofSeconds(1), Duration.ofDays(1)),
            "time between two retention sweeps")
        .define(
            RETENTION_ORPHAN_GRACE,
            ConfigType.DURATION,
            "1h",
            Validator.durationRange(Duration.ofSeconds(1), Duration.ofDays(30)),
            "objects younger than this are never deleted as orphans (exceed the catalog's lag)")
        .defineSecret(
            S3_ENDPOINTS,
            "",
            "storage servers, as segmenter-service's S3_ENDPOINTS; required when"
                + " RETENTION_MAX_AGE is set, needed to delete parts, and by the storage repair"
                + " command");
    return CommonSettings.defineTopicCreation(
        def, 0, 0, "partitions of hls.segments if this service creates it, 0 for the default (24)");
  }

  /**
   * Parses and validates the environment.
   *
   * @throws ConfigException naming the variable at fault
   */
  public static CatalogConfig fromEnv(Map<String, String> env) {
    ParsedConfig c = definition().parse(env);
    String stateDir = c.getString(CATALOG_STATE_DIR);
    CommonSettings.Http http = CommonSettings.http(c);
    CommonSettings.TopicCreation topics = CommonSettings.topicCreation(c);
    return new CatalogConfig(
        CommonSettings.kafkaBootstrapServers(c),
        http.bind(),
        http.port(),
        CommonSettings.adminPort(c),
        contactPoints(c.getList(CASSANDRA_CONTACT_POINTS)),
        c.getString(CASSANDRA_LOCAL_DC),
        c.getString(CASSANDRA_KEYSPACE),
        c.getInt(CASSANDRA_REPLICATION_FACTOR),
        c.getString(CATALOG_APPLICATION_ID),
        stateDir.isEmpty() ? null : Path.of(stateDir),
        topics.partitions(),
        topics.replicationFactor(),
        c.getString(S3_ENDPOINTS).isEmpty()
            ? List.of()
            : c.getString(S3_ENDPOINTS, S3Endpoint::parseList),
        retention(c));
  }

  private static Retention retention(ParsedConfig c) {
    Duration maxAge = c.getDuration(RETENTION_MAX_AGE);
    Duration partMaxAge = c.getDuration(RETENTION_PART_MAX_AGE);
    String spec = c.getString(S3_ENDPOINTS);
    if (!maxAge.isZero() && spec.isEmpty()) {
      throw new ConfigException(
          S3_ENDPOINTS, "is required when " + RETENTION_MAX_AGE + " is set (objects to delete)");
    }
    if (spec.isEmpty() || (maxAge.isZero() && partMaxAge.isZero())) {
      return null; // nothing to delete, or no storage to delete it from
    }
    return new Retention(
        maxAge,
        c.getDuration(RETENTION_SWEEP_INTERVAL),
        c.getDuration(RETENTION_ORPHAN_GRACE),
        partMaxAge);
  }

  private static List<InetSocketAddress> contactPoints(List<String> hostPorts) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (String hostPort : hostPorts) {
      int colon = hostPort.lastIndexOf(':');
      int port = Integer.parseInt(hostPort.substring(colon + 1));
      if (port < 1 || port > 65535) {
        throw new ConfigException(CASSANDRA_CONTACT_POINTS, "port out of range in " + hostPort);
      }
      // Unresolved: the driver resolves at connect time, so a DNS name may point elsewhere later.
      out.add(InetSocketAddress.createUnresolved(hostPort.substring(0, colon), port));
    }
    return out;
  }
}
