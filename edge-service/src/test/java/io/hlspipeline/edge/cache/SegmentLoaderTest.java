package io.hlspipeline.edge.cache;

import static io.hlspipeline.edge.window.Segments.segment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hlspipeline.edge.window.Segments;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.storage.StorageException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SegmentLoaderTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final SegmentCache cache = new SegmentCache(1 << 20, registry);
  private final Clock clock = Clock.fixed(Segments.T0.plusSeconds(10), ZoneOffset.UTC);

  @Test
  void load_missThenHit_readsStorageOnce() throws Exception {
    AtomicInteger reads = new AtomicInteger();
    ObjectReader reader =
        (key, servers) -> {
          reads.incrementAndGet();
          return key.getBytes();
        };
    try (SegmentLoader loader =
        new SegmentLoader(reader, cache, 4, 0, Duration.ofMinutes(1), clock, registry)) {
      SegmentReady s = segment("s", "a", 1);
      assertThat(bytes(loader.load(s))).isEqualTo(s.storageKey().getBytes());
      assertThat(bytes(loader.load(s))).isEqualTo(s.storageKey().getBytes());
      assertThat(reads).hasValue(1);
    }
  }

  @Test
  void load_concurrentMisses_shareOneRead() throws Exception {
    AtomicInteger reads = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    ObjectReader reader =
        (key, servers) -> {
          reads.incrementAndGet();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            throw new StorageException("interrupted", e);
          }
          return new byte[] {7};
        };
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (SegmentLoader loader =
        new SegmentLoader(reader, cache, 4, 0, Duration.ofMinutes(1), clock, registry)) {
      SegmentReady s = segment("s", "a", 1);
      List<Thread> callers = new java.util.concurrent.CopyOnWriteArrayList<>();
      List<Future<byte[]>> results = new java.util.ArrayList<>();
      for (int i = 0; i < 3; i++) {
        results.add(
            pool.submit(
                () -> {
                  callers.add(Thread.currentThread());
                  return bytes(loader.load(s));
                }));
      }
      // Every caller is inside load() and parked (in the read, or waiting for it) before the
      // read may finish, so none can be served by the cache: only sharing keeps reads at 1.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  callers.size() == 3
                      && callers.stream()
                          .allMatch(
                              t ->
                                  t.getState() == Thread.State.WAITING
                                      || t.getState() == Thread.State.TIMED_WAITING));
      release.countDown();
      for (Future<byte[]> f : results) {
        assertThat(f.get(10, TimeUnit.SECONDS)).containsExactly(7);
      }
      assertThat(reads).hasValue(1);
    } finally {
      pool.shutdownNow();
    }
  }

  private static byte[] bytes(java.nio.ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }

  @Test
  void load_notFound_propagatesAndCachesNothing() {
    ObjectReader reader =
        (key, servers) -> {
          throw new StorageException("gone", true, null);
        };
    try (SegmentLoader loader =
        new SegmentLoader(reader, cache, 4, 0, Duration.ofMinutes(1), clock, registry)) {
      assertThatThrownBy(() -> loader.load(segment("s", "a", 1)))
          .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.notFound()).isTrue());
      assertThat(cache.entryCount()).isZero();
    }
  }

  @Test
  void prefetch_recentSegment_landsInCache_staleOneIsSkipped() {
    ObjectReader reader = (key, servers) -> new byte[] {1, 2, 3};
    try (SegmentLoader loader =
        new SegmentLoader(reader, cache, 4, 2, Duration.ofMinutes(1), clock, registry)) {
      SegmentReady recent = segment("s", "a", 2); // PDT T0+4s, clock T0+10s
      loader.prefetch(recent);
      await().atMost(Duration.ofSeconds(10)).until(() -> cache.contains(recent.storageKey()));

      Clock later = Clock.offset(clock, Duration.ofHours(1));
      try (SegmentLoader late =
          new SegmentLoader(reader, cache, 4, 2, Duration.ofMinutes(1), later, registry)) {
        SegmentReady old = segment("s", "a", 3);
        late.prefetch(old);
        assertThat(cache.contains(old.storageKey())).isFalse();
        assertThat(registry.get("hls.edge.prefetch").tag("result", "stale").counter().count())
            .isEqualTo(1);
      }
    }
  }
}
