package io.hlspipeline.ingest.http;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Disconnects publisher connections that sent nothing for the idle timeout, so a half-open
 * connection neither holds a handler thread nor keeps its stream "publishing" forever. Only time
 * spent waiting for the publisher's bytes counts: a connection is idle when one read of its body
 * has been blocked for the timeout. Time the handler spends on its own work (opening the session,
 * waiting for Kafka to acknowledge) never does, so a publisher that has sent its whole body is not
 * cut off because Kafka is slow. A watchdog thread checks every quarter of the timeout (at most
 * every second). Thread-safe.
 */
public final class IdleConnections implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IdleConnections.class);

  /** A watched connection: its body is read through {@link #body(InputStream)}. */
  public final class Watch implements AutoCloseable {
    private static final long NOT_READING = Long.MIN_VALUE;

    /** When the read in progress began, or {@link #NOT_READING}. */
    private final AtomicLong readingSinceNanos = new AtomicLong(NOT_READING);

    private final Runnable onIdle;

    private Watch(Runnable onIdle) {
      this.onIdle = onIdle;
    }

    /**
     * {@code in}, with every read timed: a read blocked for the timeout makes the connection idle.
     */
    public InputStream body(InputStream in) {
      return new FilterInputStream(in) {
        @Override
        public int read() throws IOException {
          readingSinceNanos.set(nanoTime.getAsLong());
          try {
            return super.read();
          } finally {
            readingSinceNanos.set(NOT_READING);
          }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          readingSinceNanos.set(nanoTime.getAsLong());
          try {
            return super.read(b, off, len);
          } finally {
            readingSinceNanos.set(NOT_READING);
          }
        }
      };
    }

    boolean idleAt(long nowNanos) {
      long since = readingSinceNanos.get();
      return since != NOT_READING && nowNanos - since >= timeout.toNanos();
    }

    /** Stops watching (the connection is done). */
    @Override
    public void close() {
      watches.remove(this);
    }
  }

  private final Duration timeout;
  private final Map<Watch, Boolean> watches = new ConcurrentHashMap<>();
  private final LongSupplier nanoTime;
  private final ScheduledExecutorService timer;

  public IdleConnections(Duration timeout) {
    this(timeout, System::nanoTime);
    long periodMs = Math.max(10, Math.min(1000, timeout.toMillis() / 4));
    timer.scheduleWithFixedDelay(this::check, periodMs, periodMs, TimeUnit.MILLISECONDS);
  }

  /** Without the periodic check: the caller runs {@link #check()} (tests, on their own clock). */
  IdleConnections(Duration timeout, LongSupplier nanoTime) {
    this.timeout = timeout;
    this.nanoTime = nanoTime;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ingest-idle-watchdog");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts watching a connection; it counts as idle only while a read of {@link
   * Watch#body(InputStream)} is blocked.
   *
   * @param onIdle run once (on the watchdog thread) when the connection has been idle too long
   */
  public Watch watch(Runnable onIdle) {
    Watch w = new Watch(onIdle);
    watches.put(w, Boolean.TRUE);
    return w;
  }

  /** Runs {@code onIdle} of every connection idle now, once each. */
  void check() {
    long now = nanoTime.getAsLong();
    for (Watch w : watches.keySet()) {
      if (w.idleAt(now) && watches.remove(w) != null) {
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
