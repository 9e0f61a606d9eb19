package io.hlspipeline.ingest;

import io.hlspipeline.ingest.keys.KeyEpochs;
import io.hlspipeline.ingest.rtmp.RtmpConfig;
import io.hlspipeline.kit.config.CommonSettings;
import io.hlspipeline.kit.config.ConfigDef;
import io.hlspipeline.kit.config.ConfigException;
import io.hlspipeline.kit.config.ConfigType;
import io.hlspipeline.kit.config.ParsedConfig;
import io.hlspipeline.kit.config.Validator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The configuration of ingest-service, parsed once from the environment at start.
 *
 * @param kafkaBootstrapServers {@code host:port[,host:port]} of the Kafka cluster
 * @param httpServer the publisher listener: bind, port, one worker per publisher, TLS ({@code
 *     HTTP_TLS_CERT}/{@code HTTP_TLS_KEY}), timeouts and limits
 * @param httpBind address the HTTP server binds to
 * @param httpPort HTTP port of the MPEG-TS push; 0 picks a free port
 * @param adminPort port of the admin endpoints (probes, metrics); 0 picks a free port
 * @param streamKeySecret HMAC secret of the stream keys (never logged)
 * @param kafkaTopicPartitions partitions of {@code hls.ingest} when ingest creates it
 * @param kafkaReplicationFactor replication factor when creating topics, -1 for the broker default
 * @param maxStreams most streams publishing at the same time on this instance
 * @param idleTimeout a publisher that sends no byte for this long is disconnected
 * @param rtmp the RTMP listener (RTMP_* keys)
 * @param keyEpochs per-stream key epochs (STREAM_KEY_EPOCHS)
 * @param httpServer the public listener's settings
 * @param previousStreamKeySecret the secret being rotated out (never logged), or null
 * @param previousSecretUntil until when keys of the previous secret are accepted; null when there
 *     is no previous secret
 * @param segmentTargetDuration the segmenter's target segment duration: a publisher's keyframe
 *     interval longer than it is warned about
 * @param whip the WHIP (WebRTC) ingest (WHIP_* keys); off unless {@code WHIP_UDP_PORT} is set
 */
public record IngestConfig(
    String kafkaBootstrapServers,
    String httpBind,
    int httpPort,
    int adminPort,
    String streamKeySecret,
    int kafkaTopicPartitions,
    short kafkaReplicationFactor,
    int maxStreams,
    Duration idleTimeout,
    RtmpConfig rtmp,
    KeyEpochs keyEpochs,
    io.hlspipeline.kit.http.HttpSettings httpServer,
    String previousStreamKeySecret,
    java.time.Instant previousSecretUntil,
    Duration segmentTargetDuration,
    io.hlspipeline.ingest.whip.WhipConfig whip) {

  public static final String KAFKA_BOOTSTRAP_SERVERS = CommonSettings.KAFKA_BOOTSTRAP_SERVERS;
  public static final String HTTP_BIND = CommonSettings.HTTP_BIND;
  public static final String HTTP_PORT = CommonSettings.HTTP_PORT;
  public static final String ADMIN_PORT = CommonSettings.ADMIN_PORT;
  public static final String STREAM_KEY_SECRET = "STREAM_KEY_SECRET";
  public static final String KAFKA_TOPIC_PARTITIONS = CommonSettings.KAFKA_TOPIC_PARTITIONS;
  public static final String KAFKA_REPLICATION_FACTOR = CommonSettings.KAFKA_REPLICATION_FACTOR;
  public static final String INGEST_MAX_STREAMS = "INGEST_MAX_STREAMS";
  public static final String INGEST_IDLE_TIMEOUT = "INGEST_IDLE_TIMEOUT";
  public static final String STREAM_KEY_PREVIOUS_SECRET = "STREAM_KEY_PREVIOUS_SECRET";
  public static final String STREAM_KEY_PREVIOUS_SECRET_UNTIL = "STREAM_KEY_PREVIOUS_SECRET_UNTIL";
  public static final String SEGMENT_TARGET_DURATION = "SEGMENT_TARGET_DURATION";

  /** Smallest accepted stream-key secret, as {@code StreamKeys} requires. */
  static final int MIN_SECRET_BYTES = 16;

  public IngestConfig {
    Objects.requireNonNull(kafkaBootstrapServers, "kafkaBootstrapServers");
    Objects.requireNonNull(httpBind, "httpBind");
    Objects.requireNonNull(streamKeySecret, "streamKeySecret");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(rtmp, "rtmp");
    Objects.requireNonNull(keyEpochs, "keyEpochs");
    Objects.requireNonNull(httpServer, "httpServer");
    Objects.requireNonNull(segmentTargetDuration, "segmentTargetDuration");
    Objects.requireNonNull(whip, "whip");
    if ((previousStreamKeySecret == null) != (previousSecretUntil == null)) {
      throw new IllegalArgumentException("previous secret and its end go together");
    }
  }

  /** Handler threads beyond one per publisher (answers to rejected or failed publishes). */
  static final int SPARE_HTTP_THREADS = 8;

  /** The declared keys, for parsing and for the generated configuration docs. */
  public static ConfigDef definition() {
    ConfigDef def = CommonSettings.defineKafkaBootstrap(new ConfigDef());
    CommonSettings.defineHttp(
        def, 8081, "HTTP port for MPEG-TS push (PUT/POST /ingest/{streamKey})");
    CommonSettings.defineAdmin(def, 9081);
    CommonSettings.defineHttpServer(def);
    def.defineSecret(
        STREAM_KEY_SECRET, null, "HMAC-SHA256 secret that signs stream keys, at least 16 bytes");
    CommonSettings.defineTopicCreation(
        def, 24, 1, "partitions of hls.ingest when this service creates it");
    def.defineSecret(
        STREAM_KEY_PREVIOUS_SECRET,
        "",
        "during a rotation of STREAM_KEY_SECRET, the old secret: keys it signed stay valid until"
            + " STREAM_KEY_PREVIOUS_SECRET_UNTIL");
    def.define(
        STREAM_KEY_PREVIOUS_SECRET_UNTIL,
        ConfigType.STRING,
        "",
        null,
        "ISO-8601 instant (2026-12-01T00:00:00Z) until which STREAM_KEY_PREVIOUS_SECRET is"
            + " accepted; required with it");
    def.define(
        SEGMENT_TARGET_DURATION,
        ConfigType.DURATION,
        "4s",
        Validator.durationRange(Duration.ofMillis(500), Duration.ofSeconds(60)),
        "the segmenter's target segment duration: a publisher's keyframe interval longer than it"
            + " is warned about and shown on GET /streams/{streamId} (admin port); WHIP"
            + " publishers are asked for a keyframe (PLI) when one is due on its grid");
    RtmpConfig.define(def);
    io.hlspipeline.ingest.whip.WhipConfig.define(def);
    KeyEpochs.define(def);
    return def.define(
            INGEST_MAX_STREAMS,
            ConfigType.INT,
            200,
            Validator.range(1, 10_000),
            "most streams publishing at once on this instance; more get 503")
        .define(
            INGEST_IDLE_TIMEOUT,
            ConfigType.DURATION,
            "10s",
            Validator.durationRange(Duration.ofMillis(100), Duration.ofHours(1)),
            "a publisher sending no byte for this long is disconnected");
  }

  /**
   * Parses and validates the environment.
   *
   * @throws ConfigException naming the variable at fault
   */
  public static IngestConfig fromEnv(Map<String, String> env) {
    ParsedConfig c = definition().parse(env);
    String secret = c.getString(STREAM_KEY_SECRET);
    if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
      throw new ConfigException(
          STREAM_KEY_SECRET, "must be at least " + MIN_SECRET_BYTES + " bytes long");
    }
    String previous = c.getString(STREAM_KEY_PREVIOUS_SECRET);
    String untilText = c.getString(STREAM_KEY_PREVIOUS_SECRET_UNTIL);
    java.time.Instant until = null;
    if (previous.isEmpty() != untilText.isEmpty()) {
      throw new ConfigException(
          previous.isEmpty() ? STREAM_KEY_PREVIOUS_SECRET : STREAM_KEY_PREVIOUS_SECRET_UNTIL,
          "STREAM_KEY_PREVIOUS_SECRET and STREAM_KEY_PREVIOUS_SECRET_UNTIL go together");
    }
    if (!previous.isEmpty()) {
      if (previous.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
        throw new ConfigException(
            STREAM_KEY_PREVIOUS_SECRET, "must be at least " + MIN_SECRET_BYTES + " bytes long");
      }
      try {
        until = java.time.Instant.parse(untilText);
      } catch (java.time.format.DateTimeParseException e) {
        throw new ConfigException(
            STREAM_KEY_PREVIOUS_SECRET_UNTIL,
            "expected an ISO-8601 instant such as 2026-12-01T00:00:00Z, got '" + untilText + "'");
      }
    }
    CommonSettings.Http http = CommonSettings.http(c);
    CommonSettings.TopicCreation topics = CommonSettings.topicCreation(c);
    return new IngestConfig(
        CommonSettings.kafkaBootstrapServers(c),
        http.bind(),
        http.port(),
        CommonSettings.adminPort(c),
        secret,
        topics.partitions(),
        topics.replicationFactor(),
        c.getInt(INGEST_MAX_STREAMS),
        c.getDuration(INGEST_IDLE_TIMEOUT),
        RtmpConfig.from(c),
        KeyEpochs.from(c),
        // One worker per upload (its body is read on it), no queue: past the pool, 503 at once.
        CommonSettings.httpSettings(c, c.getInt(INGEST_MAX_STREAMS) + SPARE_HTTP_THREADS)
            .withLimits(
                c.getInt(CommonSettings.HTTP_MAX_CONNECTIONS),
                0,
                io.hlspipeline.kit.http.HttpSettings.DEFAULT_MAX_BODY_BYTES),
        previous.isEmpty() ? null : previous,
        until,
        c.getDuration(SEGMENT_TARGET_DURATION),
        io.hlspipeline.ingest.whip.WhipConfig.from(c));
  }

  /** Safe to log: the secret prints as {@code [hidden]}. */
  @Override
  public String toString() {
    return "IngestConfig[kafkaBootstrapServers="
        + kafkaBootstrapServers
        + ", httpBind="
        + httpBind
        + ", httpPort="
        + httpPort
        + ", adminPort="
        + adminPort
        + ", streamKeySecret="
        + ConfigDef.HIDDEN
        + ", kafkaTopicPartitions="
        + kafkaTopicPartitions
        + ", kafkaReplicationFactor="
        + kafkaReplicationFactor
        + ", maxStreams="
        + maxStreams
        + ", idleTimeout="
        + idleTimeout
        + ", rtmp="
        + rtmp
        + ", whip="
        + whip
        + ", keyEpochs="
        + keyEpochs.epochs()
        + ", previousStreamKeySecret="
        + (previousStreamKeySecret == null
            ? "none"
            : ConfigDef.HIDDEN + " until " + previousSecretUntil)
        + ", segmentTargetDuration="
        + segmentTargetDuration
        + ", tls="
        + httpServer.tls().isPresent()
        + ", headerTimeout="
        + httpServer.headerTimeout()
        + "]";
  }
}
