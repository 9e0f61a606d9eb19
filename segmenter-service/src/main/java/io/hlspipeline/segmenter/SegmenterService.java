package io.hlspipeline.segmenter;

import io.hlspipeline.events.TopicCreator;
import io.hlspipeline.events.Topics;
import io.hlspipeline.kit.http.AdminEndpoints;
import io.hlspipeline.kit.http.HttpService;
import io.hlspipeline.kit.http.HttpSettings;
import io.hlspipeline.kit.http.ReadinessChecks;
import io.hlspipeline.kit.lifecycle.DependencyWait;
import io.hlspipeline.kit.lifecycle.Lifecycle;
import io.hlspipeline.segmenter.worker.SegmenterWorker;
import io.hlspipeline.storage.SegmentStore;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * segmenter-service: cuts the streams of {@code hls.ingest} into segments, stores them on the S3
 * servers and announces them on {@code hls.segments}, exactly once per segment (see {@link
 * SegmenterWorker}). Admin endpoints only on HTTP.
 *
 * <p>{@link #start()} opens the admin HTTP first ({@code /health/ready} 503 naming {@code topics},
 * {@code storage}, {@code kafka-consumer} until each is up), then waits with backoff (an interrupt
 * ends the wait) to create missing topics and buckets, then starts the worker; {@link #stop()}
 * stops them in reverse order. Both are idempotent.
 */
public final class SegmenterService implements Lifecycle {
  private static final Logger log = LoggerFactory.getLogger(SegmenterService.class);
  private static final int ADMIN_HTTP_THREADS = 2;

  private final SegmenterConfig config;
  private final PrometheusMeterRegistry registry;
  private final Clock clock;

  private SegmentStore store;
  private volatile SegmenterWorker worker;
  private HttpService http;
  private volatile boolean topicsReady;
  private volatile boolean bucketsReady;

  public SegmenterService(SegmenterConfig config, PrometheusMeterRegistry registry) {
    this(config, registry, Clock.systemUTC());
  }

  public SegmenterService(SegmenterConfig config, PrometheusMeterRegistry registry, Clock clock) {
    this.config = config;
    this.registry = registry;
    this.clock = clock;
  }

  @Override
  public synchronized void start() throws Exception {
    if (http != null) {
      return;
    }
    log.info("starting segmenter with {}", config);
    try {
      // Admin HTTP first, so probes answer while Kafka or storage is still out of reach.
      HttpService server =
          new HttpService(
              "admin",
              HttpSettings.of(config.httpBind(), config.httpPort())
                  .withWorkerThreads(ADMIN_HTTP_THREADS),
              registry);
      ReadinessChecks readiness = new ReadinessChecks();
      readiness.register("topics", () -> topicsReady);
      readiness.register("storage", () -> bucketsReady);
      readiness.register(
          "kafka-consumer",
          () -> {
            SegmenterWorker w = worker;
            return w != null && w.ready();
          });
      AdminEndpoints.install(server, registry, readiness);
      server.start();
      http = server;

      DependencyWait.DEFAULT.until(
          "kafka topics",
          () ->
              TopicCreator.ensure(
                  config.kafkaBootstrapServers(),
                  config.kafkaTopicPartitions(),
                  config.kafkaReplicationFactor(),
                  Topics.INGEST,
                  Topics.SEGMENTS,
                  Topics.SEGMENTER_STATE));
      // one partition whatever KAFKA_TOPIC_PARTITIONS says: every ingest replica reads it whole
      DependencyWait.DEFAULT.until(
          "kafka topic " + Topics.INGEST_SUPERSEDED.name(),
          () ->
              TopicCreator.ensure(
                  config.kafkaBootstrapServers(),
                  0,
                  config.kafkaReplicationFactor(),
                  Topics.INGEST_SUPERSEDED));
      topicsReady = true;
      SegmentStore s = new SegmentStore(config.s3Endpoints(), config.s3Replication(), registry);
      store = s;
      DependencyWait.DEFAULT.until("storage buckets", s::ensureBuckets);
      bucketsReady = true;
      SegmenterWorker w =
          new SegmenterWorker(
              config, store, new SegmenterMetrics(registry, () -> openStreams()), clock);
      worker = w;
      w.start();
    } catch (Exception | Error e) {
      stop();
      throw e;
    }
  }

  private int openStreams() {
    SegmenterWorker w = worker;
    return w == null ? 0 : w.openStreams();
  }

  /** The {@code hls.ingest} partitions the worker holds now; empty before it joined. */
  public synchronized java.util.Set<Integer> assignedIngestPartitions() {
    SegmenterWorker w = worker;
    return w == null ? java.util.Set.of() : w.assignedPartitions();
  }

  /** The bound admin HTTP port. */
  public synchronized int httpPort() {
    if (http == null) {
      throw new IllegalStateException("segmenter-service not started");
    }
    return http.port();
  }

  @Override
  public synchronized void stop() throws Exception {
    if (http != null) {
      http.stop();
      http = null;
    }
    if (worker != null) {
      worker.stop();
      worker = null;
    }
    if (store != null) {
      store.close();
      store = null;
    }
    topicsReady = false;
    bucketsReady = false;
  }
}
