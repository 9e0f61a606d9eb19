package io.hlspipeline.segmenter;

import io.hlspipeline.kit.config.CommonSettings;
import io.hlspipeline.kit.config.ConfigDef;
import io.hlspipeline.kit.config.ConfigException;
import io.hlspipeline.kit.config.ConfigType;
import io.hlspipeline.kit.config.ParsedConfig;
import io.hlspipeline.kit.config.Validator;
import io.hlspipeline.storage.S3Endpoint;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The configuration of segmenter-service, parsed once from the environment at start.
 *
 * @param kafkaBootstrapServers {@code host:port[,host:port]}
 * @param httpBind address of the admin HTTP server
 * @param httpPort admin port (health, metrics); 0 picks a free port
 * @param s3Endpoints the storage servers (their keys are never logged)
 * @param s3Replication servers each segment is written to
 * @param segmentTargetDuration segment target duration
 * @param groupId consumer group of the workers
 * @param kafkaTopicPartitions partitions when this service creates topics
 * @param kafkaReplicationFactor replication factor of created topics, -1 for the broker default
 * @param idleTimeout an open stream with no record for this long is closed
 */
public record SegmenterConfig(
    String kafkaBootstrapServers,
    String httpBind,
    int httpPort,
    List<S3Endpoint> s3Endpoints,
    int s3Replication,
    Duration segmentTargetDuration,
    String groupId,
    int kafkaTopicPartitions,
    short kafkaReplicationFactor,
    Duration idleTimeout) {

  public static final String KAFKA_BOOTSTRAP_SERVERS = CommonSettings.KAFKA_BOOTSTRAP_SERVERS;
  public static final String HTTP_BIND = CommonSettings.HTTP_BIND;
  public static final String HTTP_PORT = CommonSettings.HTTP_PORT;
  public static final String S3_ENDPOINTS = "S3_ENDPOINTS";
  public static final String S3_REPLICATION = "S3_REPLICATION";
  public static final String SEGMENT_TARGET_DURATION = "SEGMENT_TARGET_DURATION";
  public static final String SEGMENTER_GROUP_ID = "SEGMENTER_GROUP_ID";
  public static final String KAFKA_TOPIC_PARTITIONS = CommonSettings.KAFKA_TOPIC_PARTITIONS;
  public static final String KAFKA_REPLICATION_FACTOR = CommonSettings.KAFKA_REPLICATION_FACTOR;
  public static final String SEGMENTER_IDLE_TIMEOUT = "SEGMENTER_IDLE_TIMEOUT";

  public SegmenterConfig {
    s3Endpoints = List.copyOf(s3Endpoints);
  }

  public static ConfigDef definition() {
    ConfigDef def = CommonSettings.defineKafkaBootstrap(new ConfigDef());
    CommonSettings.defineHttp(def, 8083, "admin HTTP port (/health/live, /health/ready, /metrics)");
    def.defineSecret(
            S3_ENDPOINTS,
            null,
            "storage servers: id=a,url=http://..,bucket=hls,region=..,accessKey=..,secretKey=..;id=b,...")
        .define(
            S3_REPLICATION,
            ConfigType.INT,
            1,
            Validator.range(1, 16),
            "servers each segment is written to (at most the number of endpoints)")
        .define(
            SEGMENT_TARGET_DURATION,
            ConfigType.DURATION,
            "4s",
            Validator.durationRange(Duration.ofMillis(500), Duration.ofSeconds(60)),
            "segment target duration; segments cut at the first keyframe at or after each multiple")
        .define(
            SEGMENTER_GROUP_ID,
            ConfigType.STRING,
            "hls-segmenter",
            Validator.pattern("[A-Za-z0-9._-]{1,200}"),
            "Kafka consumer group of the segmenter workers");
    CommonSettings.defineTopicCreation(
        def, 24, 1, "partitions of topics this service creates (keep equal to hls.ingest's)");
    return def.define(
        SEGMENTER_IDLE_TIMEOUT,
        ConfigType.DURATION,
        "30s",
        Validator.durationRange(Duration.ofSeconds(1), Duration.ofHours(1)),
        "an open stream without data for this long is closed (its ingest died)");
  }

  /**
   * @throws ConfigException naming the variable at fault (never echoing S3 keys)
   */
  public static SegmenterConfig fromEnv(Map<String, String> env) {
    ParsedConfig c = definition().parse(env);
    List<S3Endpoint> endpoints = c.getString(S3_ENDPOINTS, S3Endpoint::parseList);
    int replication = c.getInt(S3_REPLICATION);
    if (replication > endpoints.size()) {
      throw new ConfigException(
          S3_REPLICATION,
          "must not exceed the number of S3 endpoints ("
              + endpoints.size()
              + "), got "
              + replication);
    }
    CommonSettings.Http http = CommonSettings.http(c);
    CommonSettings.TopicCreation topics = CommonSettings.topicCreation(c);
    return new SegmenterConfig(
        CommonSettings.kafkaBootstrapServers(c),
        http.bind(),
        http.port(),
        endpoints,
        replication,
        c.getDuration(SEGMENT_TARGET_DURATION),
        c.getString(SEGMENTER_GROUP_ID),
        topics.partitions(),
        topics.replicationFactor(),
        c.getDuration(SEGMENTER_IDLE_TIMEOUT));
  }
}
