package io.hlspipeline.catalog.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How the time index ({@code segments_by_time}) is split into partitions: bucket = floor(start ns /
 * bucket ns), one partition per (stream, rendition, bucket). The bucket size is part of the data
 * layout: a keyspace must be read with the size it was written with.
 *
 * <p>A segment is never longer than a bucket, so the segment holding an instant t starts in t's
 * bucket or in the one before it: finding it reads at most two index partitions.
 */
public final class TimeBuckets {
  /** Bucket size of a production keyspace: one hour (900 rows of 4 s segments). */
  public static final Duration DEFAULT_BUCKET = Duration.ofHours(1);

  /** Earliest instant the store can hold (epoch nanoseconds must not overflow a long). */
  public static final Instant MIN_INSTANT = Instant.EPOCH;

  /** Latest instant the store can hold, exclusive. */
  public static final Instant MAX_INSTANT = Instant.ofEpochSecond(Long.MAX_VALUE / 1_000_000_000L);

  /** One row of the time index: a segment's start (epoch ns), msn and duration (µs). */
  public record Entry(long startNs, long msn, long durationUs) {
    /** True if {@code tNs} lies in [start, start + duration). */
    public boolean holds(long tNs) {
      return startNs <= tNs && tNs - startNs < durationUs * 1000;
    }
  }

  /** Reads one index partition: its last entry starting at or before {@code tNs}. */
  @FunctionalInterface
  public interface LastStartReader {
    Optional<Entry> lastStartingAtOrBefore(long bucket, long tNs);
  }

  private final long bucketNs;

  /**
   * @param bucket at least one second, and at least the longest segment ever written
   */
  public TimeBuckets(Duration bucket) {
    if (bucket.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("time bucket must be at least 1 s: " + bucket);
    }
    this.bucketNs = bucket.toNanos();
  }

  /** The bucket size in nanoseconds. */
  public long bucketNs() {
    return bucketNs;
  }

  /** The bucket holding epoch nanosecond {@code tNs} (floor division, so negatives are fine). */
  public long bucketOf(long tNs) {
    return Math.floorDiv(tNs, bucketNs);
  }

  /**
   * The last segment starting at or before {@code tNs} within t's bucket and the one before it
   * (reading one partition, two if t's bucket has none); it holds t if any segment does. Empty if
   * neither bucket has a segment starting at or before t (a gap longer than a bucket).
   */
  public Optional<Entry> lastStartingAtOrBefore(long tNs, LastStartReader reader) {
    long bucket = bucketOf(tNs);
    Optional<Entry> found = reader.lastStartingAtOrBefore(bucket, tNs);
    return found.isPresent() ? found : reader.lastStartingAtOrBefore(bucket - 1, tNs);
  }

  /** Epoch nanoseconds of {@code t}, which must lie in [MIN_INSTANT, MAX_INSTANT). */
  public static long toNanos(Instant t) {
    if (t.isBefore(MIN_INSTANT) || !t.isBefore(MAX_INSTANT)) {
      throw new IllegalArgumentException("instant out of range: " + t);
    }
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }
}
