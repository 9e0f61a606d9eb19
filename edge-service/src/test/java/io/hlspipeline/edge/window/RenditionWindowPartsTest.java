package io.hlspipeline.edge.window;

import static io.hlspipeline.edge.window.Segments.T0;
import static io.hlspipeline.edge.window.Segments.part;
import static io.hlspipeline.edge.window.Segments.segment;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class RenditionWindowPartsTest {
  private final RenditionWindow window = new RenditionWindow(6, T0);

  /** Segments 0..n-1 complete, each with its four parts, in log order. */
  private void complete(int n) {
    for (long msn = 0; msn < n; msn++) {
      for (int i = 0; i < 4; i++) {
        assertThat(window.applyPart(part("s", "a", msn, i), T0)).isTrue();
      }
      assertThat(window.applyLive(segment("s", "a", msn), T0)).isTrue();
    }
  }

  @Test
  void applyPart_keepsOnlyTheNextPartOfAnOpenSegment() {
    complete(2);
    assertThat(window.applyPart(part("s", "a", 1, 0), T0)).as("segment complete").isFalse();
    assertThat(window.applyPart(part("s", "a", 2, 1), T0)).as("gap").isFalse();
    assertThat(window.applyPart(part("s", "a", 2, 0), T0)).isTrue();
    assertThat(window.applyPart(part("s", "a", 2, 0), T0)).as("replay").isFalse();
    assertThat(window.snapshot(T0).partsOf(2)).hasSize(1);
    assertThat(window.snapshot(T0).listableOpenParts()).hasSize(1);
  }

  @Test
  void partsOfDroppedSegments_areDropped_andOpenMsnsAreBounded() {
    complete(9);
    WindowSnapshot s = window.snapshot(T0);
    assertThat(s.parts().keySet()).containsExactly(3L, 4L, 5L, 6L, 7L, 8L);
    for (long msn = 9; msn < 9 + RenditionWindow.MAX_OPEN_MSNS + 2; msn++) {
      window.applyPart(part("s", "a", msn, 0), T0);
    }
    assertThat(window.snapshot(T0).parts().keySet().stream().filter(m -> m > 8))
        .hasSize(RenditionWindow.MAX_OPEN_MSNS);
  }

  @Test
  void awaitPlaylist_completesWhenThePartIsListed() {
    complete(2);
    CompletableFuture<Boolean> part1 = window.awaitPlaylist(2, 1, 10);
    assertThat(part1).isNotDone();
    window.applyPart(part("s", "a", 2, 0), T0);
    assertThat(part1).isNotDone();
    window.applyPart(part("s", "a", 2, 1), T0);
    assertThat(part1).isCompletedWithValue(true);
  }

  @Test
  void awaitPlaylist_pastTheLastPartOfACompleteSegment_meansPartZeroOfTheNext() {
    complete(2);
    // Segment 1 has parts 0..3: part 4 of it is part 0 of segment 2 (rfc8216bis §6.2.5.2).
    CompletableFuture<Boolean> beyond = window.awaitPlaylist(1, 4, 10);
    assertThat(beyond).isNotDone();
    window.applyPart(part("s", "a", 2, 0), T0);
    assertThat(beyond).isCompletedWithValue(true);
    assertThat(window.awaitPlaylist(1, 3, 10)).isCompletedWithValue(true);
    assertThat(window.awaitPlaylist(0, 9, 10)).isCompletedWithValue(true);
  }

  @Test
  void awaitPlaylist_withoutPart_waitsForTheWholeSegment() {
    complete(2);
    CompletableFuture<Boolean> segment2 = window.awaitPlaylist(2, -1, 10);
    for (int i = 0; i < 4; i++) {
      window.applyPart(part("s", "a", 2, i), T0);
    }
    assertThat(segment2).isNotDone();
    window.applyLive(segment("s", "a", 2), T0);
    assertThat(segment2).isCompletedWithValue(true);
  }

  @Test
  void awaitPlaylist_openSegmentStartingADiscontinuity_waitsForItToComplete() {
    complete(2);
    CompletableFuture<Boolean> f = window.awaitPlaylist(2, 0, 10);
    window.applyPart(part("s", "a", 2, 0, true), T0);
    assertThat(window.snapshot(T0).listableOpenParts()).isEmpty();
    assertThat(f).as("not listed while open").isNotDone();
    window.applyLive(segment("s", "a", 2, 500_000, 1, true), T0);
    assertThat(f).isCompletedWithValue(true);
  }

  @Test
  void awaitPart_completesOnThePart_orOnItsSegmentCompletingWithoutIt() {
    complete(2);
    CompletableFuture<Boolean> part0 = window.awaitPart(2, 0, 10);
    CompletableFuture<Boolean> part4 = window.awaitPart(2, 4, 10);
    window.applyPart(part("s", "a", 2, 0), T0);
    assertThat(part0).isCompletedWithValue(true);
    assertThat(window.findPart(2, 0, T0)).isPresent();
    assertThat(part4).isNotDone();
    window.applyLive(segment("s", "a", 2), T0);
    assertThat(part4).isCompletedWithValue(true);
    assertThat(window.findPart(2, 4, T0)).isEmpty();
  }

  @Test
  void position_isTheLastListedPart() {
    complete(2);
    assertThat(window.position()).containsExactly(1, 3);
    window.applyPart(part("s", "a", 2, 0), T0);
    assertThat(window.position()).containsExactly(2, 0);
  }
}
