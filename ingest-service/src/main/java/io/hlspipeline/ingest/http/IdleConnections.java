package io.hlspipeline.ingest.http;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Disconnects publisher connections that sent nothing for the idle timeout, so a half-open
 * connection neither holds a handler thread nor keeps its stream "publishing" forever. The JDK HTTP
 * server has no per-read timeout; a watchdog thread checks every quarter of the timeout (at most
 * every second). Thread-safe.
 */
public final class IdleConnections implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IdleConnections.class);

  /** A watched connection; {@link #touch()} on every read that returned data. */
  public final class Watch implements AutoCloseable {
    private final AtomicLong lastActivityNanos = new AtomicLong(System.nanoTime());
    private final Runnable onIdle;

    private Watch(Runnable onIdle) {
      this.onIdle = onIdle;
    }

    public void touch() {
      lastActivityNanos.set(System.nanoTime());
    }

    /** Stops watching (the connection is done). */
    @Override
    public void close() {
      watches.remove(this);
    }
  }

  private final Duration timeout;
  private final Map<Watch, Boolean> watches = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer;

  public IdleConnections(Duration timeout) {
    this.timeout = timeout;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ingest-idle-watchdog");
              t.setDaemon(true);
              return t;
            });
    long periodMs = Math.max(10, Math.min(1000, timeout.toMillis() / 4));
    timer.scheduleWithFixedDelay(this::check, periodMs, periodMs, TimeUnit.MILLISECONDS);
  }

  /**
   * Starts watching a connection.
   *
   * @param onIdle run once (on the watchdog thread) when the connection has been idle too long
   */
  public Watch watch(Runnable onIdle) {
    Watch w = new Watch(onIdle);
    watches.put(w, Boolean.TRUE);
    return w;
  }

  private void check() {
    long now = System.nanoTime();
    for (Watch w : watches.keySet()) {
      if (now - w.lastActivityNanos.get() >= timeout.toNanos() && watches.remove(w) != null) {
        try {
          w.onIdle.run();
        } catch (RuntimeException e) {
          log.warn("closing an idle ingest connection failed", e);
        }
      }
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
