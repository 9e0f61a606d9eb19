package io.hlspipeline.catalog;

import io.hlspipeline.catalog.http.CatalogHttpHandler;
import io.hlspipeline.catalog.retention.RetentionService;
import io.hlspipeline.catalog.store.CassandraCatalogStore;
import io.hlspipeline.catalog.store.CassandraSettings;
import io.hlspipeline.catalog.store.StoreUnavailableException;
import io.hlspipeline.catalog.stream.CatalogTopology;
import io.hlspipeline.events.TopicCreator;
import io.hlspipeline.events.Topics;
import io.hlspipeline.events.catalog.CatalogApi;
import io.hlspipeline.kit.http.AdminEndpoints;
import io.hlspipeline.kit.http.HttpService;
import io.hlspipeline.kit.http.HttpSettings;
import io.hlspipeline.kit.http.PendingHandler;
import io.hlspipeline.kit.http.ReadinessChecks;
import io.hlspipeline.kit.lifecycle.DependencyWait;
import io.hlspipeline.kit.lifecycle.Lifecycle;
import io.hlspipeline.kit.lifecycle.LifecycleGroup;
import io.hlspipeline.kit.metrics.KafkaMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Objects;
import java.util.stream.Stream;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * catalog-service: follows {@code hls.segments} with Kafka Streams into the Cassandra master record
 * and serves it over HTTP ({@link CatalogApi}, {@code HTTP_PORT}); {@code /health/live}, {@code
 * /health/ready} (Kafka Streams RUNNING and Cassandra up) and {@code /metrics} are on the admin
 * port ({@code ADMIN_PORT}) only.
 *
 * <p>Start order: admin HTTP, then the API's HTTP (so probes answer at once; readiness names {@code
 * cassandra}, {@code topics}, {@code kafka-streams} until each is up), Cassandra (schema applied),
 * the topic, Kafka Streams; Cassandra and the topic are awaited with backoff, and an interrupt ends
 * the wait. Stopped in reverse. Start and stop are idempotent; one instance starts at most once.
 */
public final class CatalogService implements Lifecycle {
  private static final Logger log = LoggerFactory.getLogger(CatalogService.class);
  private static final int HTTP_THREADS = 4;
  private static final Duration STREAMS_CLOSE_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration CASSANDRA_REQUEST_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

  private final CatalogConfig config;
  private final PrometheusMeterRegistry registry;
  private final ReadinessChecks readiness = new ReadinessChecks();
  private final LifecycleGroup group = new LifecycleGroup();
  private final HttpService http;
  private final HttpService admin;

  // Created by start(), released by stop(); guarded by the group's serialization of start/stop.
  private volatile CassandraCatalogStore store;
  private volatile KafkaStreams streams;
  private volatile boolean topicsReady;
  private final PendingHandler apiRoute = new PendingHandler(RETRY_AFTER);

  public CatalogService(CatalogConfig config, PrometheusMeterRegistry registry) {
    this.config = Objects.requireNonNull(config, "config");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.http =
        new HttpService(
            "public",
            HttpSettings.of(config.httpBind(), config.httpPort()).withWorkerThreads(HTTP_THREADS),
            registry);
    readiness.register("cassandra", () -> store != null && store.isAvailable());
    readiness.register("topics", () -> topicsReady);
    readiness.register(
        "kafka-streams", () -> streams != null && streams.state() == KafkaStreams.State.RUNNING);
    admin = AdminEndpoints.listener(config.httpBind(), config.adminPort(), registry, readiness);
    http.route(CatalogApi.STREAMS, apiRoute);
    // HTTP first: probes answer while Cassandra and Kafka are awaited (with backoff; a stop
    // interrupts the wait); the API is 503 + Retry-After until the store is connected.
    group.add("admin-http", admin);
    group.add("http", http);
    group.add("cassandra", new StoreLifecycle());
    group.add("topics", new TopicsLifecycle());
    group.add("kafka-streams", new StreamsLifecycle());
    if (config.retention() == null && config.s3Endpoints().isEmpty()) {
      log.info("no S3_ENDPOINTS: retention is off and low-latency part objects are never deleted");
    }
    if (config.retention() != null) {
      group.add(
          "retention",
          new RetentionService(config.retention(), config.s3Endpoints(), () -> store, registry));
    }
  }

  /** The admin port: probes and {@code /metrics} (useful with port 0). */
  public int adminPort() {
    return admin.port();
  }

  /** The HTTP port of the API (useful with port 0). */
  public int httpPort() {
    return http.port();
  }

  /** Whether every readiness check passes (Cassandra up, Kafka Streams RUNNING). */
  public boolean isReady() {
    return readiness.allReady();
  }

  @Override
  public void start() throws Exception {
    log.info("Starting catalog-service with {}", config);
    group.start();
  }

  @Override
  public void stop() throws Exception {
    group.stop();
  }

  /**
   * A store outage that outlasted the in-place retries ({@link
   * io.hlspipeline.catalog.stream.StoreRetry}) replaces the thread, which re-applies from the last
   * commit; anything else is a bug and stops this client (readiness goes down, a person must act)
   * rather than skipping events.
   */
  static StreamThreadExceptionResponse onStreamThreadFailure(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof StoreUnavailableException) {
        log.warn("Catalog store still unavailable, replacing the stream thread: {}", c.toString());
        return StreamThreadExceptionResponse.REPLACE_THREAD;
      }
    }
    log.error("Catalog stream thread failed on a bug; stopping the Kafka Streams client", e);
    return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
  }

  private final class StoreLifecycle implements Lifecycle {
    @Override
    public void start() throws InterruptedException {
      CassandraSettings settings =
          new CassandraSettings(
              config.cassandraContactPoints(),
              config.cassandraLocalDc(),
              config.cassandraKeyspace(),
              config.cassandraReplicationFactor(),
              CASSANDRA_REQUEST_TIMEOUT);
      CassandraCatalogStore s =
          DependencyWait.DEFAULT.untilValue(
              "cassandra", () -> CassandraCatalogStore.connect(settings));
      store = s;
      apiRoute.set(exchange -> new CatalogHttpHandler(s).handle(exchange));
    }

    @Override
    public void stop() {
      apiRoute.clear();
      CassandraCatalogStore s = store;
      if (s != null) {
        s.close();
      }
    }
  }

  private final class TopicsLifecycle implements Lifecycle {
    @Override
    public void start() throws InterruptedException {
      DependencyWait.DEFAULT.until(
          "kafka topic " + Topics.SEGMENTS.name(),
          () ->
              TopicCreator.ensure(
                  config.kafkaBootstrapServers(),
                  config.kafkaTopicPartitions(),
                  config.kafkaReplicationFactor(),
                  Topics.SEGMENTS));
      topicsReady = true;
    }

    @Override
    public void stop() {
      topicsReady = false;
    }
  }

  private final class StreamsLifecycle implements Lifecycle {
    private AutoCloseable metrics;
    private Path tempStateDir;

    @Override
    public void start() throws IOException {
      Path stateDir = config.stateDir();
      if (stateDir == null) {
        tempStateDir = Files.createTempDirectory("hls-catalog-streams-");
        stateDir = tempStateDir;
      }
      KafkaStreams ks =
          new KafkaStreams(
              CatalogTopology.buildTopology(store, registry),
              CatalogTopology.streamsProperties(
                  config.applicationId(), config.kafkaBootstrapServers(), stateDir.toString()));
      ks.setUncaughtExceptionHandler(CatalogService::onStreamThreadFailure);
      ks.setStateListener((now, before) -> log.info("Kafka Streams state {} -> {}", before, now));
      metrics = KafkaMetrics.bindStreams(ks, registry);
      streams = ks;
      ks.start();
    }

    @Override
    public void stop() throws Exception {
      KafkaStreams ks = streams;
      if (ks != null) {
        // Leave the group: a replacement replica (rolling update, restart) gets the partitions at
        // once instead of after the session timeout.
        if (!ks.close(
            CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(STREAMS_CLOSE_TIMEOUT))) {
          log.warn("Kafka Streams did not close within {}", STREAMS_CLOSE_TIMEOUT);
        }
      }
      if (metrics != null) {
        metrics.close();
        metrics = null;
      }
      if (tempStateDir != null) {
        deleteRecursively(tempStateDir);
        tempStateDir = null;
      }
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.debug("cannot delete {}", dir, e);
    }
  }
}
