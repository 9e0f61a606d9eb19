package io.hlspipeline.catalog.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hlspipeline.catalog.SegmentEvents;
import io.hlspipeline.events.catalog.SegmentDto;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class SegmentBucketsTest {
  private final InMemoryCatalogStore store = new InMemoryCatalogStore();
  private final List<Long> bucketsRead = new ArrayList<>();

  private void store(long... msns) {
    for (long msn : msns) {
      store.upsertSegment(SegmentDto.from(SegmentEvents.segment("s", "a", msn)));
    }
  }

  private SegmentPage page(long fromMsn, int limit, long lastMsn) {
    var rows = store.segmentRows("s", "src");
    return SegmentBuckets.page(
        fromMsn,
        limit,
        lastMsn,
        (bucket, from, max) -> {
          bucketsRead.add(bucket);
          return rows
              .subMap(from, true, (bucket + 1) * SegmentBuckets.SEGMENTS_PER_BUCKET, false)
              .values()
              .stream()
              .limit(max)
              .toList();
        });
  }

  private static List<Long> msns(SegmentPage page) {
    return page.segments().stream().map(SegmentDto::msn).toList();
  }

  @Test
  void bucketOf_isMsnDividedByThousand() {
    assertThat(SegmentBuckets.bucketOf(0)).isZero();
    assertThat(SegmentBuckets.bucketOf(999)).isZero();
    assertThat(SegmentBuckets.bucketOf(1000)).isEqualTo(1);
    assertThat(SegmentBuckets.bucketOf(2500)).isEqualTo(2);
    assertThatThrownBy(() -> SegmentBuckets.bucketOf(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void page_whenPageFull_returnsNextMsn() {
    store(0, 1, 2, 3, 4);
    SegmentPage first = page(0, 2, 4);
    assertThat(msns(first)).containsExactly(0L, 1L);
    assertThat(first.nextMsn()).isEqualTo(2);
    SegmentPage last = page(4, 2, 4);
    assertThat(msns(last)).containsExactly(4L);
    assertThat(last.nextMsn()).isEqualTo(-1);
  }

  @Test
  void page_whenLastSegmentFillsPage_hasNoNextMsn() {
    store(0, 1);
    SegmentPage page = page(0, 2, 1);
    assertThat(msns(page)).containsExactly(0L, 1L);
    assertThat(page.nextMsn()).isEqualTo(-1);
  }

  @Test
  void page_acrossBucketBoundary_readsOnlyNeededBuckets() {
    store(LongStream.rangeClosed(995, 1004).toArray());
    SegmentPage page = page(997, 5, 1004);
    assertThat(msns(page)).containsExactly(997L, 998L, 999L, 1000L, 1001L);
    assertThat(page.nextMsn()).isEqualTo(1002);
    assertThat(bucketsRead).containsExactly(0L, 1L);
  }

  @Test
  void page_fromLaterBucket_startsThere() {
    store(0, 1, 2500);
    SegmentPage page = page(2400, 100, 2500);
    assertThat(msns(page)).containsExactly(2500L);
    assertThat(bucketsRead).containsExactly(2L);
    assertThat(page.nextMsn()).isEqualTo(-1);
  }

  @Test
  void page_overLongGap_stopsAtBucketCapWithNextMsn() {
    store(0, 20_000);
    SegmentPage page = page(1, 10, 20_000);
    assertThat(page.segments()).isEmpty();
    assertThat(bucketsRead).hasSize(SegmentBuckets.MAX_BUCKETS_PER_PAGE);
    assertThat(page.nextMsn()).isEqualTo(SegmentBuckets.MAX_BUCKETS_PER_PAGE * 1000L);
  }

  @Test
  void page_beyondLastMsnOrEmptyStream_isEmptyWithoutReading() {
    store(0);
    assertThat(page(5, 10, 4).segments()).isEmpty();
    assertThat(page(0, 10, -1).nextMsn()).isEqualTo(-1);
    assertThat(bucketsRead).isEmpty();
  }
}
