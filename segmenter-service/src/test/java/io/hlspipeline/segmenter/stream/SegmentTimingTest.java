package io.hlspipeline.segmenter.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SegmentTimingTest {
  private static final Instant START = Instant.parse("2026-01-01T12:00:00Z");

  @Test
  void programDateTime_addsPtsDistanceFromSessionStart() {
    long first = 1_000_000L;
    assertThat(SegmentTiming.programDateTime(START, first, first)).isEqualTo(START);
    assertThat(SegmentTiming.programDateTime(START, first, first + 4 * 90_000))
        .isEqualTo(START.plusSeconds(4));
    // one 25 fps frame = 3600 ticks = 40 ms
    assertThat(SegmentTiming.programDateTime(START, first, first + 3600))
        .isEqualTo(START.plusMillis(40));
  }

  @Test
  void programDateTime_whenOneTick_keepsSubMillisecondPrecision() {
    assertThat(SegmentTiming.programDateTime(START, 0, 1)).isEqualTo(START.plusNanos(11_111));
  }

  @Test
  void targetDuration_roundsConfiguredUp() {
    assertThat(SegmentTiming.targetDurationSec(Duration.ofSeconds(4), 0, 4_000_000)).isEqualTo(4);
    assertThat(SegmentTiming.targetDurationSec(Duration.ofMillis(2500), 0, 2_000_000)).isEqualTo(3);
  }

  @Test
  void targetDuration_whenSegmentLongerThanTarget_growsToItsRoundedDuration() {
    assertThat(SegmentTiming.targetDurationSec(Duration.ofSeconds(4), 4, 4_499_999)).isEqualTo(4);
    assertThat(SegmentTiming.targetDurationSec(Duration.ofSeconds(4), 4, 4_500_000)).isEqualTo(5);
    assertThat(SegmentTiming.targetDurationSec(Duration.ofSeconds(4), 0, 8_000_000)).isEqualTo(8);
  }

  @Test
  void targetDuration_neverDecreasesWithinASession() {
    assertThat(SegmentTiming.targetDurationSec(Duration.ofSeconds(4), 8, 2_000_000)).isEqualTo(8);
  }
}
