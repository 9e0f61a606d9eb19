package io.hlspipeline.segmenter;

import io.hlspipeline.events.segments.SegmentFormat;
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
 * @param instanceId this worker's stable slot name (a pod name, a StatefulSet ordinal), or null for
 *     none: with one, the worker's {@code transactional.id} and {@code group.instance.id} are
 *     derived from it, so the same worker restarted aborts its predecessor's open transaction at
 *     once and gets its partitions back without a rebalance
 * @param segmentFormat the container of a stream's segments unless its publisher asked for one
 * @param partTarget the requested low-latency part target (LL-HLS PART-TARGET); each session uses
 *     the largest whole number of its frames not above it; zero for no parts
 * @param sessionTimeout how long a worker that stopped answering keeps its partitions (group
 *     session timeout) and its open transaction (transaction timeout) before another worker may
 *     take over
 * @param reconnectGrace how long a stream whose publisher dropped (not a clean end) waits for a
 *     reconnect before it ends; zero ends it at once ({@code ReconnectGrace})
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
    Duration idleTimeout,
    String instanceId,
    SegmentFormat segmentFormat,
    Duration partTarget,
    Duration sessionTimeout,
    Duration reconnectGrace) {

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
  public static final String SEGMENTER_SESSION_TIMEOUT = "SEGMENTER_SESSION_TIMEOUT";
  public static final String SEGMENTER_INSTANCE_ID = "SEGMENTER_INSTANCE_ID";
  public static final String HLS_SEGMENT_FORMAT = "HLS_SEGMENT_FORMAT";
  public static final String HLS_PART_TARGET = "HLS_PART_TARGET";
  public static final String SEGMENTER_RECONNECT_GRACE = "SEGMENTER_RECONNECT_GRACE";

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
            "an open stream without data for this long is closed (its ingest died)")
        .define(
            SEGMENTER_SESSION_TIMEOUT,
            ConfigType.DURATION,
            "10s",
            // Kafka's group.min.session.timeout.ms is 6 s; transaction.max.timeout.ms 15 min.
            Validator.durationRange(Duration.ofSeconds(6), Duration.ofMinutes(5)),
            "a worker that stops answering (killed, hung) keeps its partitions and its open"
                + " transaction this long before another worker takes over; the same worker"
                + " restarted with its SEGMENTER_INSTANCE_ID takes them back at once")
        .define(
            SEGMENTER_INSTANCE_ID,
            ConfigType.STRING,
            "",
            Validator.pattern("[A-Za-z0-9._-]{1,100}"),
            "stable name of this worker slot, unique per replica (Kubernetes: the pod name); when"
                + " set, a restarted worker fences its predecessor at once and rejoins with its"
                + " partitions (static membership); unset: a random id per start")
        .define(
            HLS_SEGMENT_FORMAT,
            ConfigType.STRING,
            "ts",
            Validator.oneOf("ts", "fmp4"),
            "segment container of streams whose publisher did not ask for one: ts (MPEG-TS) or"
                + " fmp4 (CMAF, init segment + .m4s)")
        .define(
            HLS_PART_TARGET,
            ConfigType.DURATION,
            "334ms",
            Validator.durationRange(Duration.ZERO, Duration.ofSeconds(60)),
            "low-latency HLS part target; each stream's parts last the largest whole number of its"
                + " frames not above it (334ms: 8 frames at 25 fps, 10 at 29.97/30, 20 at 60);"
                + " at most SEGMENT_TARGET_DURATION; 0s publishes no parts")
        .define(
            SEGMENTER_RECONNECT_GRACE,
            ConfigType.DURATION,
            "10s",
            Validator.durationRange(Duration.ZERO, Duration.ofMinutes(10)),
            "a stream whose publisher dropped without ending (connection cut, ingest idle timeout"
                + " or shutdown) waits this long for a new session, which then continues it with a"
                + " discontinuity; a clean end (RTMP deleteStream, HTTP body complete, WHIP DELETE)"
                + " ends it at once; 0s ends every session at once");
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
    Duration segmentTarget = c.getDuration(SEGMENT_TARGET_DURATION);
    Duration partTarget = c.getDuration(HLS_PART_TARGET);
    if (partTarget.compareTo(segmentTarget) > 0) {
      throw new ConfigException(
          HLS_PART_TARGET,
          "must not exceed "
              + SEGMENT_TARGET_DURATION
              + " ("
              + segmentTarget
              + "), got "
              + partTarget);
    }
    CommonSettings.Http http = CommonSettings.http(c);
    CommonSettings.TopicCreation topics = CommonSettings.topicCreation(c);
    return new SegmenterConfig(
        CommonSettings.kafkaBootstrapServers(c),
        http.bind(),
        http.port(),
        endpoints,
        replication,
        segmentTarget,
        c.getString(SEGMENTER_GROUP_ID),
        topics.partitions(),
        topics.replicationFactor(),
        c.getDuration(SEGMENTER_IDLE_TIMEOUT),
        c.getString(SEGMENTER_INSTANCE_ID).isEmpty() ? null : c.getString(SEGMENTER_INSTANCE_ID),
        SegmentFormat.parse(c.getString(HLS_SEGMENT_FORMAT)),
        partTarget,
        c.getDuration(SEGMENTER_SESSION_TIMEOUT),
        c.getDuration(SEGMENTER_RECONNECT_GRACE));
  }
}
