package io.hlspipeline.catalog.retention;

import io.hlspipeline.catalog.CatalogConfig;
import io.hlspipeline.catalog.store.CatalogStore;
import io.hlspipeline.kit.lifecycle.Lifecycle;
import io.hlspipeline.storage.S3Endpoint;
import io.hlspipeline.storage.SegmentStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link RetentionSweeper} every {@code sweepInterval} on one daemon thread, the first sweep
 * one interval after start. A sweep that fails (Cassandra or S3 down) is logged and the next one
 * tries again. Every catalog replica sweeps: deletes are idempotent, so replicas only repeat each
 * other's work.
 */
public final class RetentionService implements Lifecycle {
  private static final Logger log = LoggerFactory.getLogger(RetentionService.class);

  private final CatalogConfig.Retention settings;
  private final List<S3Endpoint> endpoints;
  private final Supplier<CatalogStore> store;
  private final MeterRegistry registry;
  private ScheduledExecutorService timer;
  private SegmentStore objects;

  /**
   * @param store the master record once connected (null before: the sweep is skipped)
   */
  public RetentionService(
      CatalogConfig.Retention settings,
      List<S3Endpoint> endpoints,
      Supplier<CatalogStore> store,
      MeterRegistry registry) {
    this.settings = settings;
    this.endpoints = List.copyOf(endpoints);
    this.store = store;
    this.registry = registry;
  }

  @Override
  public synchronized void start() {
    if (timer != null) {
      return;
    }
    objects = new SegmentStore(endpoints, 1, registry);
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "catalog-retention");
              t.setDaemon(true);
              return t;
            });
    long everyMs = settings.sweepInterval().toMillis();
    timer.scheduleWithFixedDelay(this::sweep, everyMs, everyMs, TimeUnit.MILLISECONDS);
    log.info(
        "retention on: {} over S3 servers {}",
        settings,
        endpoints.stream().map(S3Endpoint::id).toList());
  }

  private void sweep() {
    CatalogStore s = store.get();
    if (s == null) {
      return;
    }
    try {
      RetentionSweeper.Result r =
          new RetentionSweeper(
                  s,
                  objects,
                  settings.maxAge(),
                  settings.orphanGrace(),
                  settings.partMaxAge(),
                  Clock.systemUTC(),
                  registry)
              .sweepOnce();
      if (r.recordings() + r.orphans() + r.parts() > 0) {
        log.info(
            "retention sweep: {} recordings ({} objects), {} orphans and {} parts deleted",
            r.recordings(),
            r.objects(),
            r.orphans(),
            r.parts());
      }
    } catch (RuntimeException e) {
      log.warn("retention sweep failed; the next one tries again: {}", e.toString());
    }
  }

  @Override
  public synchronized void stop() throws InterruptedException {
    if (timer == null) {
      return;
    }
    timer.shutdownNow();
    timer.awaitTermination(30, TimeUnit.SECONDS);
    timer = null;
    objects.close();
    objects = null;
  }
}
