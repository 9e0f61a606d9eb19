package io.hlspipeline.edge;

import io.hlspipeline.edge.auth.PlaybackTokens;
import io.hlspipeline.edge.auth.SignedPath;
import io.hlspipeline.edge.auth.SignedPlaybackHandler;
import io.hlspipeline.edge.cache.SegmentCache;
import io.hlspipeline.edge.cache.SegmentLoader;
import io.hlspipeline.edge.catalog.CatalogBootstrap;
import io.hlspipeline.edge.catalog.CatalogClient;
import io.hlspipeline.edge.follow.SegmentsFollower;
import io.hlspipeline.edge.http.HlsHandler;
import io.hlspipeline.edge.http.HlsPathParser;
import io.hlspipeline.edge.http.PlayerHandler;
import io.hlspipeline.edge.http.RecordingHandler;
import io.hlspipeline.edge.playlist.PlaylistBuilder;
import io.hlspipeline.edge.recording.RecordingIndex;
import io.hlspipeline.edge.recording.RecordingPlaylists;
import io.hlspipeline.edge.window.WindowStore;
import io.hlspipeline.kit.http.AdminEndpoints;
import io.hlspipeline.kit.http.HttpService;
import io.hlspipeline.kit.http.ReadinessChecks;
import io.hlspipeline.kit.http.RouteOptions;
import io.hlspipeline.kit.lifecycle.Lifecycle;
import io.hlspipeline.kit.lifecycle.LifecycleGroup;
import io.hlspipeline.storage.SegmentStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge: follows {@code hls.segments} into in-memory rendition windows, bootstraps unknown
 * streams from the catalog, and serves HLS playlists and segments (from its cache or storage) on
 * {@code /hls/} and a browser player on {@code /player/} (the viewer port, {@code HTTP_PORT});
 * {@code /health/live}, {@code /health/ready} (ready once the segments backlog is applied) and
 * {@code /metrics} are on the admin port ({@code ADMIN_PORT}) only.
 *
 * <p>The admin listener starts first, so probes answer while the rest starts. Start and stop are
 * idempotent; children stop in reverse order (viewer HTTP first, admin last). Not restartable after
 * stop.
 */
public final class EdgeService implements Lifecycle {
  private static final Logger log = LoggerFactory.getLogger(EdgeService.class);

  /** Segments older than this when announced are not prefetched. */
  static final Duration PREFETCH_MAX_AGE = Duration.ofMinutes(1);

  private final EdgeConfig config;
  private final LifecycleGroup group = new LifecycleGroup();
  private final HttpService http;
  private final HttpService admin;

  public EdgeService(EdgeConfig config, PrometheusMeterRegistry registry) {
    this(config, registry, Clock.systemUTC());
  }

  public EdgeService(EdgeConfig config, PrometheusMeterRegistry registry, Clock clock) {
    this.config = config;
    SegmentStore store = new SegmentStore(config.s3Endpoints(), 1, registry);
    SegmentCache cache = new SegmentCache(config.cacheBytes(), registry);
    SegmentLoader loader =
        new SegmentLoader(
            store::get,
            cache,
            config.httpThreads(),
            config.prefetchConcurrency(),
            PREFETCH_MAX_AGE,
            clock,
            registry);
    WindowStore windows =
        new WindowStore(
            config.windowMaxSegments(), config.maxWindows(), config.idleRetention(), clock);
    Gauge.builder("hls.edge.windows", windows, WindowStore::size).register(registry);
    CatalogClient catalog = new CatalogClient(config.catalogUrl(), config.catalogTimeout());
    CatalogBootstrap bootstrap =
        new CatalogBootstrap(catalog, windows, config.windowMaxSegments(), clock);
    SegmentsFollower follower =
        new SegmentsFollower(
            config.kafkaBootstrapServers(),
            "edge-" + UUID.randomUUID(),
            config.followWindow(),
            windows,
            loader,
            clock,
            registry);
    ReadinessChecks readiness = new ReadinessChecks();
    readiness.register("segments-follower", follower::healthy);
    admin = AdminEndpoints.listener(config.httpBind(), config.adminPort(), registry, readiness);
    http = new HttpService("public", config.http(), registry);
    HlsHandler live =
        new HlsHandler(
            windows, bootstrap, new PlaylistBuilder(config.liveWindowSegments()), loader, registry);
    EdgeConfig.Recordings rec = config.recordings();
    RecordingHandler hls =
        new RecordingHandler(
            live,
            new RecordingIndex(catalog, rec.maxSegments(), 4L * rec.maxSegments(), clock),
            new RecordingPlaylists(rec.dvrWindow(), rec.readAheadSegments()),
            loader,
            rec.readAheadSegments(),
            registry);
    if (config.playbackSecret().isPresent()) {
      SignedPlaybackHandler signed =
          new SignedPlaybackHandler(
              hls, new PlaybackTokens(config.playbackSecret().get()), clock, registry);
      http.route(HlsPathParser.PREFIX, signed, RouteOptions.inline());
      // The token is a credential: logs show "/s/[hidden]".
      http.route(SignedPath.PREFIX, signed, RouteOptions.inline().withSecretPathTail());
    } else {
      http.route(HlsPathParser.PREFIX, hls, RouteOptions.inline());
    }
    http.route(PlayerHandler.PREFIX, new PlayerHandler(registry), RouteOptions.inline());

    group.add("admin-http", admin);
    group.add("segment-store", closing(store));
    group.add("segment-loader", closing(loader));
    group.add("segments-follower", follower);
    group.add("window-evictor", evictor(windows, config.idleRetention()));
    group.add("http", http);
  }

  @Override
  public void start() throws Exception {
    log.info("starting edge with {}", config);
    group.start();
  }

  @Override
  public void stop() throws Exception {
    group.stop();
  }

  /**
   * The port viewers connect to.
   *
   * @throws IllegalStateException before {@link #start()}
   */
  public int httpPort() {
    return http.port();
  }

  /**
   * The port of the probes and {@code /metrics}.
   *
   * @throws IllegalStateException before {@link #start()}
   */
  public int adminPort() {
    return admin.port();
  }

  /** Viewer requests in flight now, held ones included. */
  public long activeHttpRequests() {
    return http.activeRequests();
  }

  private static Lifecycle closing(AutoCloseable resource) {
    return new Lifecycle() {
      @Override
      public void start() {}

      @Override
      public void stop() throws Exception {
        resource.close();
      }
    };
  }

  /** Drops idle windows periodically: every half retention, at most every 30 s. */
  private static Lifecycle evictor(WindowStore windows, Duration retention) {
    long periodMs = Math.max(100, Math.min(retention.toMillis() / 2, 30_000));
    return new Lifecycle() {
      private ScheduledExecutorService timer;

      @Override
      public synchronized void start() {
        if (timer != null) {
          return;
        }
        timer =
            Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "edge-window-evictor");
                  t.setDaemon(true);
                  return t;
                });
        timer.scheduleWithFixedDelay(
            () -> {
              int dropped = windows.evictIdle();
              if (dropped > 0) {
                log.info("dropped {} idle renditions", dropped);
              }
            },
            periodMs,
            periodMs,
            TimeUnit.MILLISECONDS);
      }

      @Override
      public synchronized void stop() throws InterruptedException {
        if (timer == null) {
          return;
        }
        timer.shutdownNow();
        timer.awaitTermination(5, TimeUnit.SECONDS);
        timer = null;
      }
    };
  }
}
