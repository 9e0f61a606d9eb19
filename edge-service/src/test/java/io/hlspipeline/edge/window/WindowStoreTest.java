package io.hlspipeline.edge.window;

import static io.hlspipeline.edge.window.Segments.ended;
import static io.hlspipeline.edge.window.Segments.segment;
import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.events.segments.SegmentReady;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class WindowStoreTest {
  /** A clock the test moves by hand. */
  static final class MutableClock extends Clock {
    Instant now = Segments.T0;

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final MutableClock clock = new MutableClock();
  private final WindowKey key = new WindowKey("s", "src");

  private List<Long> msns(WindowStore store) {
    return store.snapshot(key).orElseThrow().segments().stream().map(SegmentReady::msn).toList();
  }

  @Test
  void apply_duplicateOrOlderMsn_isDropped() {
    WindowStore store = new WindowStore(10, 10, Duration.ofMinutes(1), clock);
    assertThat(store.apply(segment("s", "a", 5))).isPresent();
    assertThat(store.apply(segment("s", "a", 5))).isEmpty();
    assertThat(store.apply(segment("s", "a", 3))).isEmpty();
    assertThat(store.apply(segment("s", "a", 6))).isPresent();
    assertThat(msns(store)).containsExactly(5L, 6L);
  }

  @Test
  void apply_beyondBound_dropsOldest() {
    WindowStore store = new WindowStore(3, 10, Duration.ofMinutes(1), clock);
    for (long msn = 0; msn < 10; msn++) {
      store.apply(segment("s", "a", msn));
    }
    assertThat(msns(store)).containsExactly(7L, 8L, 9L);
  }

  @Test
  void streamEnded_ofCurrentSession_endsIt_ofOldSession_doesNot() {
    WindowStore store = new WindowStore(10, 10, Duration.ofMinutes(1), clock);
    store.apply(segment("s", "old", 1));
    store.apply(segment("s", "new", 2));
    store.apply(ended("s", "old", 1));
    assertThat(store.snapshot(key).orElseThrow().ended()).isFalse();
    store.apply(ended("s", "new", 2));
    assertThat(store.snapshot(key).orElseThrow().ended()).isTrue();
  }

  @Test
  void newSession_afterEnd_isLiveAgain() {
    WindowStore store = new WindowStore(10, 10, Duration.ofMinutes(1), clock);
    store.apply(segment("s", "a", 1));
    store.apply(ended("s", "a", 1));
    store.apply(segment("s", "b", 2));
    WindowSnapshot snapshot = store.snapshot(key).orElseThrow();
    assertThat(snapshot.ended()).isFalse();
    assertThat(snapshot.currentSessionId()).isEqualTo("b");
  }

  @Test
  void merge_fillsMissingMsns_andKafkaThenDropsReplays() {
    WindowStore store = new WindowStore(10, 10, Duration.ofMinutes(1), clock);
    store.apply(segment("s", "a", 5));
    store.merge(
        key, List.of(segment("s", "a", 3), segment("s", "a", 4), segment("s", "a", 5)), null);
    assertThat(msns(store)).containsExactly(3L, 4L, 5L);
    assertThat(store.apply(segment("s", "a", 4))).isEmpty();
  }

  @Test
  void merge_catalogReportsEnded_marksEnded() {
    WindowStore store = new WindowStore(10, 10, Duration.ofMinutes(1), clock);
    store.merge(key, List.of(segment("s", "a", 1), segment("s", "a", 2)), "a");
    assertThat(store.snapshot(key).orElseThrow().ended()).isTrue();
  }

  @Test
  void evictIdle_dropsOnlyWindowsWithoutActivity() {
    WindowStore store = new WindowStore(10, 10, Duration.ofMinutes(1), clock);
    store.apply(segment("idle", "a", 1));
    clock.now = clock.now.plusSeconds(50);
    store.apply(segment("s", "a", 1));
    clock.now = clock.now.plusSeconds(20);
    assertThat(store.evictIdle()).isEqualTo(1);
    assertThat(store.renditions("idle")).isEmpty();
    assertThat(store.renditions("s")).containsExactly("src");
  }

  @Test
  void maxWindows_dropsTheLongestIdle() {
    WindowStore store = new WindowStore(10, 2, Duration.ofMinutes(1), clock);
    store.apply(segment("first", "a", 1));
    clock.now = clock.now.plusSeconds(1);
    store.apply(segment("second", "a", 1));
    clock.now = clock.now.plusSeconds(1);
    store.apply(segment("third", "a", 1));
    assertThat(store.size()).isEqualTo(2);
    assertThat(store.renditions("first")).isEmpty();
    assertThat(store.renditions("third")).containsExactly("src");
  }

  @Test
  void view_isRenderedOncePerChange() {
    WindowStore store = new WindowStore(10, 10, Duration.ofMinutes(1), clock);
    store.apply(segment("s", "a", 0));
    java.util.concurrent.atomic.AtomicInteger renders =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.function.Function<WindowSnapshot, String> render =
        w -> renders.incrementAndGet() + ":" + w.segments().size();
    assertThat(store.view(key, render)).contains("1:1");
    assertThat(store.view(key, render)).contains("1:1");
    store.apply(segment("s", "a", 1));
    assertThat(store.view(key, render)).contains("2:2");
    store.apply(segment("s", "a", 1)); // a replay changes nothing
    assertThat(store.view(key, render)).contains("2:2");
    store.apply(ended("s", "a", 1));
    assertThat(store.view(key, render)).contains("3:2");
    assertThat(store.view(new WindowKey("other", "src"), render)).isEmpty();
  }

  @Test
  void await_completesWhenTheMsnArrivesOrTheSessionEnds_andIsBounded() {
    WindowStore store = new WindowStore(10, 10, Duration.ofMinutes(1), clock);
    assertThat(store.await(key, 0, 10)).isCompletedWithValue(false); // unknown window
    store.apply(segment("s", "a", 0));
    assertThat(store.await(key, 0, 10)).isCompletedWithValue(true); // already held
    var next = store.await(key, 1, 10);
    var later = store.await(key, 2, 10);
    assertThat(next).isNotDone();
    store.apply(segment("s", "a", 1));
    assertThat(next).isCompletedWithValue(true);
    assertThat(later).isNotDone();
    store.apply(ended("s", "a", 1));
    assertThat(later).isCompletedWithValue(true);

    WindowKey other = new WindowKey("t", "src");
    store.apply(segment("t", "a", 0));
    var first = store.await(other, 1, 1);
    assertThat(store.await(other, 1, 1)).as("over the bound").isCompletedWithValue(false);
    first.cancel(false);
    assertThat(store.await(other, 1, 1)).as("a cancelled waiter frees its place").isNotDone();
  }
}
