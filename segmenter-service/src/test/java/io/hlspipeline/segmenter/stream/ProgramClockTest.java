package io.hlspipeline.segmenter.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ProgramClockTest {
  private static final Instant START = Instant.parse("2026-01-01T12:00:00Z");
  private static final long SECOND_90K = 90_000;

  @Test
  void next_withoutDiscontinuity_followsPtsFromSessionStart() {
    ProgramClock clock = new ProgramClock(START);
    assertThat(clock.next(10 * SECOND_90K, 2_000_000, false, null)).isEqualTo(START);
    assertThat(clock.next(12 * SECOND_90K, 2_000_000, false, START.plusSeconds(99)))
        .isEqualTo(START.plusSeconds(2));
  }

  @Test
  void next_whenPtsJumpsForwardAtDiscontinuity_reanchorsToWallClock() {
    ProgramClock clock = new ProgramClock(START);
    clock.next(0, 2_000_000, false, null);
    clock.next(2 * SECOND_90K, 2_000_000, false, null);
    // The encoder jumped 1000 s ahead; the wall clock says the segment started 4.1 s in.
    Instant jumped = clock.next(1004 * SECOND_90K, 2_000_000, true, START.plusMillis(4100));
    assertThat(jumped).isEqualTo(START.plusMillis(4100));
    // and the run after the jump follows its PTS from the new anchor
    assertThat(clock.next(1006 * SECOND_90K, 2_000_000, false, null))
        .isEqualTo(START.plusMillis(6100));
  }

  @Test
  void next_whenPtsJumpsBackwardAtDiscontinuity_staysMonotonic() {
    ProgramClock clock = new ProgramClock(START);
    clock.next(1000 * SECOND_90K, 2_000_000, false, null);
    clock.next(1002 * SECOND_90K, 2_000_000, false, null);
    // An encoder restart: PTS back to 0, and a wall estimate earlier than the last segment's end.
    Instant restarted = clock.next(0, 2_000_000, true, START.plusMillis(3500));
    assertThat(restarted).isEqualTo(START.plusSeconds(4));
  }

  @Test
  void next_atDiscontinuityWithoutWallEstimate_continuesFromLastEnd() {
    ProgramClock clock = new ProgramClock(START);
    clock.next(0, 2_000_000, false, null);
    assertThat(clock.next(500 * SECOND_90K, 1_500_000, true, null)).isEqualTo(START.plusSeconds(2));
    assertThat(clock.endOfLast()).isEqualTo(START.plusMillis(3500));
  }

  @Test
  void resumedClock_computesWhatTheOriginalWould() {
    ProgramClock original = new ProgramClock(START);
    original.next(0, 2_000_000, false, null);
    original.next(900 * SECOND_90K, 2_000_000, true, START.plusSeconds(5));
    ProgramClock resumed =
        new ProgramClock(original.anchorAt(), original.anchorPts90k(), original.endOfLast());
    assertThat(resumed.next(902 * SECOND_90K, 2_000_000, false, null))
        .isEqualTo(original.next(902 * SECOND_90K, 2_000_000, false, null))
        .isEqualTo(START.plusSeconds(7));
  }
}
