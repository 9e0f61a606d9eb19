package io.hlspipeline.segmenter.stream;

import java.time.Duration;
import java.time.Instant;

/** Timing rules of segment events: program-date-time and EXT-X-TARGETDURATION. */
public final class SegmentTiming {
  private static final long PTS_CLOCK_HZ = 90_000;

  private SegmentTiming() {}

  /**
   * Program-date-time of a segment: the session's start wall time plus the segment's PTS distance
   * from the session's first PTS (DESIGN "Contracts"), to the microsecond.
   *
   * @param sessionStartedAt wall time the publish session started
   * @param sessionFirstPts90k PTS of the session's first segment, unwrapped 90 kHz
   * @param startPts90k PTS of this segment's first frame, unwrapped 90 kHz
   */
  public static Instant programDateTime(
      Instant sessionStartedAt, long sessionFirstPts90k, long startPts90k) {
    long delta90k = startPts90k - sessionFirstPts90k;
    // 1 tick of 90 kHz = 100_000 / 9 ns; multiply first so no precision is lost before dividing.
    long deltaNanos = Math.floorDiv(Math.multiplyExact(delta90k, 100_000L), 9L);
    return sessionStartedAt.plusNanos(deltaNanos);
  }

  /**
   * EXT-X-TARGETDURATION in whole seconds: the configured target rounded up, raised to any
   * segment's duration rounded to the nearest second (RFC 8216bis §4.4.3.1: every segment's
   * duration, rounded, must not exceed it). Never decreases within a session.
   *
   * @param configuredTarget the configured segment target duration
   * @param currentTargetSec the session's target so far, 0 before its first segment
   * @param segmentDurationUs this segment's duration in microseconds
   */
  public static int targetDurationSec(
      Duration configuredTarget, int currentTargetSec, long segmentDurationUs) {
    long configuredSec = (configuredTarget.toNanos() + 999_999_999L) / 1_000_000_000L;
    long roundedSegmentSec = (segmentDurationUs + 500_000L) / 1_000_000L;
    long target = Math.max(Math.max(configuredSec, roundedSegmentSec), currentTargetSec);
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, target));
  }

  /** PTS ticks per second (ISO/IEC 13818-1 §2.4.3.7: PTS counts a 90 kHz clock). */
  public static long ptsClockHz() {
    return PTS_CLOCK_HZ;
  }
}
