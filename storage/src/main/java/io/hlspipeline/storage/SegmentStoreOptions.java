package io.hlspipeline.storage;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of a {@link SegmentStore}. Timeouts bound how long one dead or slow server can hold up a
 * write or a read before the store moves on to the next server.
 *
 * @param connectTimeout TCP connect timeout per request
 * @param readTimeout socket read timeout: the longest silence while waiting for bytes
 * @param attemptTimeout the longest one HTTP attempt may take, transfer included
 * @param maxAttemptsPerServer HTTP attempts on one server before it counts as failed (1 = no SDK
 *     retry; failover to the next server is the retry)
 * @param minSuccessfulWrites a put fails when fewer servers than this hold the object; 1..R
 * @param ioThreads threads doing parallel writes, shared by all puts of this store
 */
public record SegmentStoreOptions(
    Duration connectTimeout,
    Duration readTimeout,
    Duration attemptTimeout,
    int maxAttemptsPerServer,
    int minSuccessfulWrites,
    int ioThreads) {

  public SegmentStoreOptions {
    requirePositive(connectTimeout, "connectTimeout");
    requirePositive(readTimeout, "readTimeout");
    requirePositive(attemptTimeout, "attemptTimeout");
    if (maxAttemptsPerServer < 1) {
      throw new IllegalArgumentException(
          "maxAttemptsPerServer must be >= 1: " + maxAttemptsPerServer);
    }
    if (minSuccessfulWrites < 1) {
      throw new IllegalArgumentException(
          "minSuccessfulWrites must be >= 1: " + minSuccessfulWrites);
    }
    if (ioThreads < 1) {
      throw new IllegalArgumentException("ioThreads must be >= 1: " + ioThreads);
    }
  }

  /**
   * Connect 1 s, read 5 s, attempt 20 s (a 5 MB segment over a slow link), 2 attempts per server, a
   * put succeeds on one server, 8 write threads.
   */
  public static SegmentStoreOptions defaults() {
    return new SegmentStoreOptions(
        Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(20), 2, 1, 8);
  }

  public SegmentStoreOptions withTimeouts(
      Duration connectTimeout, Duration readTimeout, Duration attemptTimeout) {
    return new SegmentStoreOptions(
        connectTimeout,
        readTimeout,
        attemptTimeout,
        maxAttemptsPerServer,
        minSuccessfulWrites,
        ioThreads);
  }

  public SegmentStoreOptions withMaxAttemptsPerServer(int maxAttemptsPerServer) {
    return new SegmentStoreOptions(
        connectTimeout,
        readTimeout,
        attemptTimeout,
        maxAttemptsPerServer,
        minSuccessfulWrites,
        ioThreads);
  }

  public SegmentStoreOptions withMinSuccessfulWrites(int minSuccessfulWrites) {
    return new SegmentStoreOptions(
        connectTimeout,
        readTimeout,
        attemptTimeout,
        maxAttemptsPerServer,
        minSuccessfulWrites,
        ioThreads);
  }

  public SegmentStoreOptions withIoThreads(int ioThreads) {
    return new SegmentStoreOptions(
        connectTimeout,
        readTimeout,
        attemptTimeout,
        maxAttemptsPerServer,
        minSuccessfulWrites,
        ioThreads);
  }

  private static void requirePositive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
  }
}
