package io.hlspipeline.catalog.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TimeBucketsTest {
  private static final long S = 1_000_000_000L;
  private final TimeBuckets buckets = new TimeBuckets(Duration.ofSeconds(10));

  @Test
  void bucketOf_floorsByBucketSize() {
    assertThat(buckets.bucketOf(0)).isZero();
    assertThat(buckets.bucketOf(10 * S - 1)).isZero();
    assertThat(buckets.bucketOf(10 * S)).isEqualTo(1);
    assertThat(buckets.bucketOf(-1)).isEqualTo(-1);
    assertThat(buckets.bucketOf(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE / (10 * S));
  }

  @Test
  void constructor_refusesBucketsUnderASecond() {
    assertThatThrownBy(() -> new TimeBuckets(Duration.ofMillis(999)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void entryHolds_isHalfOpen() {
    TimeBuckets.Entry e = new TimeBuckets.Entry(5 * S, 7, 4_000_000);
    assertThat(e.holds(5 * S)).isTrue();
    assertThat(e.holds(9 * S - 1)).isTrue();
    assertThat(e.holds(9 * S)).isFalse();
    assertThat(e.holds(5 * S - 1)).isFalse();
  }

  /** An index of 4 s segments from 3 s to 31 s (msn 0..7), bucketed by 10 s. */
  private final TreeMap<Long, TimeBuckets.Entry> index = new TreeMap<>();

  private final List<Long> bucketsRead = new ArrayList<>();

  private Optional<TimeBuckets.Entry> lookup(long tNs) {
    for (long msn = 0; msn < 8; msn++) {
      long start = (3 + 4 * msn) * S;
      index.put(start, new TimeBuckets.Entry(start, msn, 4_000_000));
    }
    return buckets.lastStartingAtOrBefore(
        tNs,
        (bucket, before) -> {
          bucketsRead.add(bucket);
          return index.subMap(bucket * 10 * S, true, before, true).values().stream()
              .reduce((a, b) -> b);
        });
  }

  @Test
  void lastStart_inTheSameBucket_readsOnePartition() {
    assertThat(lookup(12 * S)).map(TimeBuckets.Entry::msn).contains(2L); // 11 s..15 s
    assertThat(bucketsRead).containsExactly(1L);
  }

  @Test
  void lastStart_inThePreviousBucket_readsTwoPartitions() {
    // 20 s is in bucket 2, whose first segment starts at 23 s; its holder started at 19 s.
    assertThat(lookup(20 * S)).map(TimeBuckets.Entry::msn).contains(4L);
    assertThat(bucketsRead).containsExactly(2L, 1L);
  }

  @Test
  void lastStart_beforeEverything_isEmptyAfterTwoPartitions() {
    assertThat(lookup(2 * S)).isEmpty();
    assertThat(bucketsRead).containsExactly(0L, -1L);
  }

  @Test
  void toNanos_refusesWhatALongCannotHold() {
    assertThat(TimeBuckets.toNanos(Instant.ofEpochSecond(1, 5))).isEqualTo(S + 5);
    assertThatThrownBy(() -> TimeBuckets.toNanos(TimeBuckets.MAX_INSTANT))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TimeBuckets.toNanos(Instant.EPOCH.minusNanos(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
