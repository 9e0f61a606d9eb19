package io.hlspipeline.edge.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class SegmentCacheTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Test
  void put_beyondBudget_evictsLeastRecentlyUsed() {
    SegmentCache cache = new SegmentCache(800, registry);
    cache.put("a", new byte[100]);
    cache.put("b", new byte[100]);
    assertThat(cache.get("a")).isPresent(); // a is now more recent than b
    for (int i = 0; i < 7; i++) { // 900 bytes offered: one must go
      cache.put("f" + i, new byte[100]);
    }
    assertThat(cache.sizeBytes()).isLessThanOrEqualTo(800);
    assertThat(cache.contains("b")).isFalse();
    assertThat(cache.contains("a")).isTrue();
  }

  @Test
  void put_sameKey_replacesWithoutDoubleCounting() {
    SegmentCache cache = new SegmentCache(800, registry);
    cache.put("a", new byte[100]);
    cache.put("a", new byte[50]);
    assertThat(cache.sizeBytes()).isEqualTo(50);
    assertThat(cache.entryCount()).isEqualTo(1);
  }

  @Test
  void put_objectOverEighthOfBudget_isNotCached() {
    SegmentCache cache = new SegmentCache(800, registry);
    assertThat(cache.put("big", new byte[101])).isFalse();
    assertThat(cache.contains("big")).isFalse();
    assertThat(cache.sizeBytes()).isZero();
  }

  @Test
  void zeroBudget_cachesNothing() {
    SegmentCache cache = new SegmentCache(0, registry);
    assertThat(cache.put("a", new byte[1])).isFalse();
    assertThat(cache.get("a")).isEmpty();
  }

  @Test
  void get_countsHitsAndMisses() {
    SegmentCache cache = new SegmentCache(800, registry);
    cache.put("a", new byte[10]);
    cache.get("a");
    cache.get("b");
    cache.get("b");
    assertThat(registry.get("hls.edge.cache.requests").tag("result", "hit").counter().count())
        .isEqualTo(1);
    assertThat(registry.get("hls.edge.cache.requests").tag("result", "miss").counter().count())
        .isEqualTo(2);
  }
}
