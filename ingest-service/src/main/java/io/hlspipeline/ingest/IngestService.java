package io.hlspipeline.ingest;

import io.hlspipeline.events.TopicCreator;
import io.hlspipeline.events.Topics;
import io.hlspipeline.ingest.admin.IngestAdminHandler;
import io.hlspipeline.ingest.http.HttpIngestHandler;
import io.hlspipeline.ingest.http.IdleConnections;
import io.hlspipeline.ingest.keys.KeyAdmin;
import io.hlspipeline.ingest.keys.KeyEpochFollower;
import io.hlspipeline.ingest.keys.StreamKeyVerifier;
import io.hlspipeline.ingest.publish.IngestPublisher;
import io.hlspipeline.ingest.rtmp.RtmpServer;
import io.hlspipeline.ingest.session.PublishSessions;
import io.hlspipeline.ingest.session.SessionIds;
import io.hlspipeline.ingest.session.SupersededFollower;
import io.hlspipeline.ingest.whip.GoLivePage;
import io.hlspipeline.ingest.whip.WhipHandler;
import io.hlspipeline.ingest.whip.WhipMediaServer;
import io.hlspipeline.kit.http.AdminEndpoints;
import io.hlspipeline.kit.http.HttpService;
import io.hlspipeline.kit.http.PendingHandler;
import io.hlspipeline.kit.http.ReadinessChecks;
import io.hlspipeline.kit.http.RouteOptions;
import io.hlspipeline.kit.kafka.KafkaProps;
import io.hlspipeline.kit.lifecycle.DependencyWait;
import io.hlspipeline.kit.lifecycle.Lifecycle;
import io.hlspipeline.kit.metrics.KafkaMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ingest-service: accepts MPEG-TS pushed over HTTP ({@code HTTP_PORT}), and RTMP on its own port
 * ({@link RtmpServer}, opened once Kafka is ready), and writes it to {@code hls.ingest}; the admin
 * endpoints ({@code /health/live}, {@code /health/ready}, {@code /metrics}) are on a port of their
 * own ({@code ADMIN_PORT}).
 *
 * <p>{@link #start()} opens the admin and public listeners first ({@code /health/live} answers at
 * once, {@code /health/ready} is 503 naming {@code topics} and {@code kafka-producer}, {@code
 * /ingest/} is 503 with {@code Retry-After}), then waits for Kafka with backoff (an interrupt ends
 * the wait) to create the topic if missing and open the producer; {@link #stop()} ends every open
 * session (reason {@code shutdown}), stops the public HTTP, flushes the producer and stops the
 * admin HTTP last. Both are idempotent.
 */
public final class IngestService implements Lifecycle {
  private static final Logger log = LoggerFactory.getLogger(IngestService.class);

  /** Handler threads besides one per publishing stream: admin endpoints, rejected requests. */
  private static final Duration PRODUCER_CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

  private final IngestConfig config;
  private final PrometheusMeterRegistry registry;
  private final Clock clock;

  private volatile KafkaProducer<String, byte[]> producer;
  private AutoCloseable producerMetrics;
  private PublishSessions sessions;
  private IdleConnections idleConnections;
  private HttpService http;
  private HttpService admin;
  private RtmpServer rtmp; // RTMP listener, opened once Kafka is ready
  private WhipMediaServer whip; // WHIP UDP port, opened once Kafka is ready (when enabled)
  private volatile boolean topicsReady;
  private volatile KeyEpochFollower keyEpochs;
  private volatile SupersededFollower superseded;

  /** {@code /ingest/}: 503 + Retry-After until Kafka is reachable and the producer open. */
  private final PendingHandler ingestRoute = new PendingHandler(RETRY_AFTER);

  /** {@code /whip/} (when WHIP is on): 503 + Retry-After until Kafka is reachable. */
  private final PendingHandler whipRoute = new PendingHandler(RETRY_AFTER);

  /** Admin {@code /streams}: status and keys, 503 until Kafka is reachable. */
  private final PendingHandler adminRoute = new PendingHandler(RETRY_AFTER);

  public IngestService(IngestConfig config, PrometheusMeterRegistry registry) {
    this(config, registry, Clock.systemUTC());
  }

  public IngestService(IngestConfig config, PrometheusMeterRegistry registry, Clock clock) {
    this.config = config;
    this.registry = registry;
    this.clock = clock;
  }

  @Override
  public synchronized void start() throws Exception {
    if (http != null) {
      return;
    }
    log.info("starting ingest with {}", config);
    try {
      ReadinessChecks readiness = new ReadinessChecks();
      readiness.register("topics", () -> topicsReady);
      readiness.register("kafka-producer", () -> producer != null);
      readiness.register("key-epochs", () -> keyEpochs != null && keyEpochs.caughtUp());
      readiness.register("superseded", () -> superseded != null && superseded.started());
      // Admin and public HTTP first, so probes answer while Kafka is still out of reach; /ingest/
      // is 503 until then.
      HttpService adminServer =
          AdminEndpoints.listener(config.httpBind(), config.adminPort(), registry, readiness);
      adminServer.route(IngestAdminHandler.PATH, adminRoute);
      adminServer.start();
      admin = adminServer;

      HttpService server = new HttpService("public", config.httpServer(), registry);
      server.route(
          HttpIngestHandler.PATH_PREFIX,
          ingestRoute,
          RouteOptions.streamingUpload().withSecretPathTail());
      if (config.whip().enabled()) {
        // SDP bodies are small: collected, then handled on a worker (ICE set-up may block)
        server.route(WhipHandler.PATH_PREFIX, whipRoute, RouteOptions.blocking());
        server.route(GoLivePage.PATH, new GoLivePage(), RouteOptions.blocking());
      }
      server.start();
      http = server;

      DependencyWait.DEFAULT.until(
          "kafka topic " + Topics.INGEST.name(),
          () ->
              TopicCreator.ensure(
                  config.kafkaBootstrapServers(),
                  config.kafkaTopicPartitions(),
                  config.kafkaReplicationFactor(),
                  Topics.INGEST));
      // one partition whatever KAFKA_TOPIC_PARTITIONS says: every replica reads it whole
      DependencyWait.DEFAULT.until(
          "kafka topic " + Topics.KEY_EPOCHS.name(),
          () ->
              TopicCreator.ensure(
                  config.kafkaBootstrapServers(),
                  0,
                  config.kafkaReplicationFactor(),
                  Topics.KEY_EPOCHS));
      DependencyWait.DEFAULT.until(
          "kafka topic " + Topics.INGEST_SUPERSEDED.name(),
          () ->
              TopicCreator.ensure(
                  config.kafkaBootstrapServers(),
                  0,
                  config.kafkaReplicationFactor(),
                  Topics.INGEST_SUPERSEDED));
      topicsReady = true;
      KafkaProducer<String, byte[]> p =
          new KafkaProducer<>(producerProps(), new StringSerializer(), new ByteArraySerializer());
      producerMetrics = KafkaMetrics.bindProducer(p, registry);
      sessions =
          new PublishSessions(
              new IngestPublisher(p), new SessionIds(clock), clock, config.maxStreams(), registry);
      IngestMetrics metrics = new IngestMetrics(registry, sessions::size);
      PublishSessions publishing = sessions;
      KeyEpochFollower epochs =
          new KeyEpochFollower(
              config.kafkaBootstrapServers(),
              config.keyEpochs(),
              (streamId, epoch) -> publishing.endStream(streamId, "revoked"));
      keyEpochs = epochs;
      DependencyWait.DEFAULT.until("stream-key epochs", epochs::catchUp);
      SupersededFollower supersededFollower =
          new SupersededFollower(
              config.kafkaBootstrapServers(),
              (streamId, sessionId) -> {
                if (publishing.endSession(streamId, sessionId, "replaced")) {
                  log.info(
                      "stream {}: session {} superseded by a newer publisher elsewhere; ended",
                      streamId,
                      sessionId);
                }
              });
      superseded = supersededFollower;
      DependencyWait.DEFAULT.until("superseded sessions", supersededFollower::start);
      if (config.previousSecretUntil() != null
          && !clock.instant().isBefore(config.previousSecretUntil())) {
        log.warn(
            "STREAM_KEY_PREVIOUS_SECRET_UNTIL ({}) has passed: keys of the previous secret are"
                + " refused; remove STREAM_KEY_PREVIOUS_SECRET",
            config.previousSecretUntil());
      }
      StreamKeyVerifier streamKeys =
          new StreamKeyVerifier(
              config.streamKeySecret(),
              config.previousStreamKeySecret(),
              config.previousSecretUntil(),
              epochs::epochOf,
              clock);
      idleConnections = new IdleConnections(config.idleTimeout());
      ingestRoute.set(
          new HttpIngestHandler(
              streamKeys, sessions, idleConnections, metrics, config.segmentTargetDuration()));
      adminRoute.set(new IngestAdminHandler(sessions, new KeyAdmin(streamKeys, epochs, p, clock)));
      producer = p;
      // RTMP: its own port, the same sessions
      rtmp =
          new RtmpServer(
              config.rtmp(),
              config.idleTimeout(),
              streamKeys::verify,
              sessions,
              metrics,
              config.segmentTargetDuration());
      rtmp.start();
      if (config.whip().enabled()) {
        // WHIP: its own UDP port, the same sessions
        whip =
            new WhipMediaServer(
                config.whip(),
                sessions,
                metrics,
                config.idleTimeout(),
                config.segmentTargetDuration());
        whip.start();
        whipRoute.set(
            new WhipHandler(streamKeys, whip, config.whip(), metrics, clock, config.maxStreams()));
      }
    } catch (Exception | Error e) {
      stop();
      throw e;
    }
  }

  /** The bound admin port (useful with {@code ADMIN_PORT=0}). */
  public synchronized int adminPort() {
    if (admin == null) {
      throw new IllegalStateException("ingest-service not started");
    }
    return admin.port();
  }

  /** The bound HTTP port (useful with {@code HTTP_PORT=0}). */
  public synchronized int httpPort() {
    if (http == null) {
      throw new IllegalStateException("ingest-service not started");
    }
    return http.port();
  }

  /** The bound RTMP port (useful with {@code RTMP_PORT=0}); started once Kafka is reachable. */
  public synchronized int rtmpPort() {
    if (rtmp == null) {
      throw new IllegalStateException("RTMP server not started");
    }
    return rtmp.port();
  }

  /** The bound WHIP UDP port (useful with {@code WHIP_UDP_PORT=0}); when WHIP is on. */
  public synchronized int whipUdpPort() {
    if (whip == null) {
      throw new IllegalStateException("WHIP not started");
    }
    return whip.port();
  }

  /** WHIP peers open now (connecting or publishing); 0 when WHIP is off. */
  public synchronized int whipPeers() {
    return whip == null ? 0 : whip.peers();
  }

  @Override
  public synchronized void stop() throws Exception {
    ingestRoute.clear();
    adminRoute.clear();
    whipRoute.clear();
    if (whip != null) {
      whip.stop(); // its peers end their sessions with reason shutdown
      whip = null;
    }
    if (sessions != null) {
      sessions.endAll();
    }
    if (rtmp != null) {
      rtmp.stop();
      rtmp = null;
    }
    if (http != null) {
      http.stop();
      http = null;
    }
    if (idleConnections != null) {
      idleConnections.close();
      idleConnections = null;
    }
    if (superseded != null) {
      superseded.close();
      superseded = null;
    }
    if (keyEpochs != null) {
      keyEpochs.close();
      keyEpochs = null;
    }
    if (producer != null) {
      producer.close(PRODUCER_CLOSE_TIMEOUT);
      producer = null;
    }
    if (producerMetrics != null) {
      producerMetrics.close();
      producerMetrics = null;
    }
    if (admin != null) {
      admin.stop();
      admin = null;
    }
    sessions = null;
    topicsReady = false;
  }

  private Properties producerProps() {
    Properties p =
        KafkaProps.producer(
            config.kafkaBootstrapServers(),
            "ingest-" + UUID.randomUUID().toString().substring(0, 8));
    // Media must reach the segmenter promptly: batch for at most a few milliseconds.
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(1024 * 1024));
    // Back-pressure instead of unbounded memory: a full buffer blocks the publisher's thread.
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64L * 1024 * 1024));
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
    return p;
  }
}
