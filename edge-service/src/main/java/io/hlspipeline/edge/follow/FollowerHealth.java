package io.hlspipeline.edge.follow;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The follower's readiness: {@link #healthy()} once the initial backlog has been applied ({@link
 * #markCaughtUp()}), and then while the consumer is up, its last poll ended less than {@code
 * maxPollGap} ago and its lag is known and less than {@code maxLagRecords}.
 *
 * <p>Written by the follower thread, read by any thread (readiness probe, metrics).
 */
final class FollowerHealth {
  private final Duration maxPollGap;
  private final long maxLagRecords;
  private final LongSupplier nanoTime;

  private volatile boolean caughtUp;
  private volatile boolean consumerUp;
  private volatile long lastPollNanos;
  private volatile long lagRecords = -1;

  /**
   * @param maxPollGap not healthy when no poll ended for this long (stuck or failing loop)
   * @param maxLagRecords not healthy at this many records behind or more, over all partitions
   * @param nanoTime a monotonic clock in nanoseconds ({@code System::nanoTime})
   */
  FollowerHealth(Duration maxPollGap, long maxLagRecords, LongSupplier nanoTime) {
    this.maxPollGap = maxPollGap;
    this.maxLagRecords = maxLagRecords;
    this.nanoTime = nanoTime;
  }

  /** The backlog present at the first assignment has been applied; stays true. */
  void markCaughtUp() {
    caughtUp = true;
  }

  boolean caughtUp() {
    return caughtUp;
  }

  /**
   * A poll of the current consumer ended.
   *
   * @param lagRecords records behind the end offsets over all partitions, -1 if not known
   */
  void polled(long lagRecords) {
    this.lagRecords = lagRecords;
    lastPollNanos = nanoTime.getAsLong();
    consumerUp = true;
  }

  /** The consumer failed or was closed: not healthy until the next one has polled. */
  void consumerDown() {
    consumerUp = false;
    lagRecords = -1;
  }

  /** Records behind after the last poll, -1 while not known. */
  long lagRecords() {
    return lagRecords;
  }

  boolean healthy() {
    long lag = lagRecords;
    return caughtUp
        && consumerUp
        && nanoTime.getAsLong() - lastPollNanos < maxPollGap.toNanos()
        && lag >= 0
        && lag < maxLagRecords;
  }
}
