package io.hlspipeline.segmenter.stream;

import java.time.Instant;

/**
 * Program-date-time of one session's segments, monotonic and re-anchored at each discontinuity.
 *
 * <p>Between discontinuities a segment's program-date-time is the anchor's wall time plus the PTS
 * distance from the anchor's PTS, so segments of one continuous run are exactly as far apart as
 * their timestamps say. At a discontinuity (a timestamp jump, an encoder restart, a cutter reset)
 * the PTS distance means nothing, so the clock re-anchors: the new anchor is the wall-clock
 * estimate of the segment's start, but never earlier than the end of the previous segment (RFC
 * 8216bis §4.4.4.6 lets program-date-time jump only at a discontinuity; keeping it monotonic means
 * seeking by wall time always finds one segment).
 *
 * <p>The wall-clock estimate must come from the input (the ingest records' timestamps), never from
 * this process's clock, so that a replay after a take-over computes the same values. Not
 * thread-safe.
 */
public final class ProgramClock {
  private Instant anchorAt;
  private long anchorPts90k;
  private Instant endOfLast;

  /**
   * A clock anchored at the session's start wall time; the first segment's PTS becomes the anchor's
   * PTS.
   */
  public ProgramClock(Instant sessionStartedAt) {
    this(sessionStartedAt, Long.MIN_VALUE, null);
  }

  /**
   * A clock resumed from saved values.
   *
   * @param anchorAt wall time of the anchor
   * @param anchorPts90k PTS of the anchor, {@link Long#MIN_VALUE} before the first segment
   * @param endOfLast program-date-time plus duration of the last segment, null before the first
   */
  public ProgramClock(Instant anchorAt, long anchorPts90k, Instant endOfLast) {
    this.anchorAt = anchorAt;
    this.anchorPts90k = anchorPts90k;
    this.endOfLast = endOfLast;
  }

  /**
   * Program-date-time of the next segment, which advances the clock.
   *
   * @param startPts90k unwrapped PTS of the segment's first frame
   * @param durationUs the segment's duration
   * @param discontinuity true when the segment starts a discontinuity
   * @param wallStartEstimate wall-clock estimate of the segment's start from the input, null when
   *     there is none (the clock then continues from the previous segment's end)
   */
  public Instant next(
      long startPts90k, long durationUs, boolean discontinuity, Instant wallStartEstimate) {
    Instant pdt = peek(startPts90k, discontinuity, wallStartEstimate);
    if (anchorPts90k == Long.MIN_VALUE || discontinuity) {
      anchorAt = anchorFor(discontinuity, wallStartEstimate);
      anchorPts90k = startPts90k;
    }
    endOfLast = pdt.plusNanos(durationUs * 1000);
    return pdt;
  }

  /**
   * What {@link #next} would give a segment starting at {@code startPts90k}, without advancing the
   * clock: the program-date-time of a segment whose parts are announced before it ends. {@code
   * next} with the same arguments then gives the same value.
   */
  public Instant peek(long startPts90k, boolean discontinuity, Instant wallStartEstimate) {
    Instant pdt;
    if (anchorPts90k == Long.MIN_VALUE || discontinuity) {
      // The session's first segment is anchored at the session start; a discontinuity re-anchors.
      pdt = anchorFor(discontinuity, wallStartEstimate);
    } else {
      pdt = SegmentTiming.programDateTime(anchorAt, anchorPts90k, startPts90k);
    }
    if (endOfLast != null && pdt.isBefore(endOfLast)) {
      // PTS went backwards without a discontinuity flag (a tolerated small gap): never go back.
      pdt = endOfLast;
    }
    return pdt;
  }

  private Instant anchorFor(boolean discontinuity, Instant wallStartEstimate) {
    if (anchorPts90k == Long.MIN_VALUE) {
      return anchorAt;
    }
    Instant at = wallStartEstimate == null ? endOfLast : wallStartEstimate;
    if (endOfLast != null && (at == null || at.isBefore(endOfLast))) {
      at = endOfLast;
    }
    return at == null ? anchorAt : at;
  }

  /** Wall time of the current anchor. */
  public Instant anchorAt() {
    return anchorAt;
  }

  /** PTS of the current anchor, {@link Long#MIN_VALUE} before the first segment. */
  public long anchorPts90k() {
    return anchorPts90k;
  }

  /** End of the last segment (its program-date-time plus duration), null before the first. */
  public Instant endOfLast() {
    return endOfLast;
  }
}
