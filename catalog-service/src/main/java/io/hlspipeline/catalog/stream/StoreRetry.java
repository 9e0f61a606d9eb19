package io.hlspipeline.catalog.stream;

import io.hlspipeline.catalog.store.StoreUnavailableException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries store work while the store is unavailable, in place, waiting with capped exponential
 * backoff ({@code initial}, 2×, 4×, … up to {@code max}), for at most {@code maxBlock} in total;
 * then the {@link StoreUnavailableException} propagates. Waiting in place keeps the stream thread
 * in its consumer group (no rebalance per failed event) as long as {@code maxBlock} stays well
 * below the consumer's {@code max.poll.interval.ms}. Only {@link StoreUnavailableException} is
 * retried: any other exception is a bug and propagates at once. Not thread-safe (one per stream
 * thread's processor is fine: it keeps no state between calls).
 */
public final class StoreRetry {
  /** First wait after a failure. */
  public static final Duration DEFAULT_INITIAL = Duration.ofMillis(100);

  /** Longest single wait. */
  public static final Duration DEFAULT_MAX = Duration.ofSeconds(5);

  /**
   * Longest total wait for one event before giving up (the thread is then replaced); well below the
   * {@code max.poll.interval.ms} set by {@link CatalogTopology#streamsProperties}.
   */
  public static final Duration DEFAULT_MAX_BLOCK = Duration.ofSeconds(60);

  /** Waits; in production {@code Thread.sleep}. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private static final Logger log = LoggerFactory.getLogger(StoreRetry.class);

  private final Duration initial;
  private final Duration max;
  private final Duration maxBlock;
  private final Sleeper sleeper;

  public StoreRetry(Duration initial, Duration max, Duration maxBlock, Sleeper sleeper) {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("backoff initial " + initial + ", max " + max);
    }
    this.initial = initial;
    this.max = max;
    this.maxBlock = Objects.requireNonNull(maxBlock, "maxBlock");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
  }

  /** The production policy: 100 ms doubling to 5 s, at most 60 s per event, real sleeps. */
  public static StoreRetry defaults() {
    return new StoreRetry(
        DEFAULT_INITIAL, DEFAULT_MAX, DEFAULT_MAX_BLOCK, d -> Thread.sleep(d.toMillis()));
  }

  /** The wait before retry number {@code retry} (0-based): initial × 2^retry, capped at max. */
  public Duration delay(int retry) {
    if (retry < 0) {
      throw new IllegalArgumentException("retry " + retry);
    }
    // 2^31 × 1 ns overflows nothing; past 30 doublings any real max has long been reached.
    Duration d = retry >= 30 ? max : initial.multipliedBy(1L << retry);
    return d.compareTo(max) > 0 ? max : d;
  }

  /**
   * Runs {@code work}, again after each {@link StoreUnavailableException} until it succeeds or the
   * total wait reached {@code maxBlock}.
   *
   * @param onRetry called before each wait (a metric)
   * @throws StoreUnavailableException the last failure, once the budget is spent or the thread is
   *     interrupted (the interrupt flag is then set again)
   */
  public <T> T call(Supplier<T> work, Runnable onRetry) {
    Duration waited = Duration.ZERO;
    for (int retry = 0; ; retry++) {
      try {
        return work.get();
      } catch (StoreUnavailableException e) {
        if (waited.compareTo(maxBlock) >= 0) {
          throw e;
        }
        Duration wait = delay(retry);
        if (retry == 0) {
          log.warn("Catalog store unavailable, retrying with backoff: {}", e.getMessage());
        }
        onRetry.run();
        try {
          sleeper.sleep(wait);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
        waited = waited.plus(wait);
      }
    }
  }
}
