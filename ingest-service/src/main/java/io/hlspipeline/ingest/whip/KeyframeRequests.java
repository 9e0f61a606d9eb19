package io.hlspipeline.ingest.whip;

import java.time.Duration;

/**
 * When to ask a WHIP publisher for a keyframe so that the segmenter can cut its segments on time.
 * The segmenter cuts at the first keyframe at or past each multiple of the target duration from the
 * session's first keyframe (its grid); browsers' WebRTC encoders send a keyframe only when asked
 * (Chromium: one at the start, then none in a 30 s publish), so without requests a browser's whole
 * broadcast is one segment and nothing plays live. A request is due from the first access unit at
 * or past the next grid point that is not a keyframe, until a keyframe comes (the caller
 * rate-limits the PLIs it sends); a keyframe asked for that way lands just past the grid point, so
 * segments last the target plus the publisher's reaction time. A publisher that sends keyframes on
 * the grid by itself (an encoder GOP equal to the target) is never asked.
 *
 * <p>Timestamps are unwrapped 90 kHz values. A keyframe before the previous one or more than {@link
 * #MAX_JUMP_90K} after it (an encoder restart, a timestamp jump) starts a new grid; an access unit
 * before the last keyframe asks for a keyframe at once. Not thread-safe: the peer connection's
 * thread owns it.
 */
final class KeyframeRequests {
  /** A keyframe this far (60 s) after the previous one is a timestamp jump: a new grid. */
  static final long MAX_JUMP_90K = 60L * 90_000;

  private final long target90k;
  private boolean started;
  private long origin90k;
  private long lastKeyframe90k;
  private long nextGrid90k;

  /**
   * @param segmentTarget the segmenter's target segment duration (ingest's {@code
   *     SEGMENT_TARGET_DURATION})
   * @throws IllegalArgumentException if it is not positive
   */
  KeyframeRequests(Duration segmentTarget) {
    if (segmentTarget.isNegative() || segmentTarget.isZero()) {
      throw new IllegalArgumentException("segment target must be positive: " + segmentTarget);
    }
    target90k = Math.max(1, segmentTarget.toNanos() * 9 / 100_000);
  }

  /**
   * An access unit of the video with this PTS arrived.
   *
   * @return whether a keyframe should be asked for now
   */
  boolean accessUnit(long pts90k, boolean keyframe) {
    if (keyframe) {
      if (!started || pts90k < lastKeyframe90k || pts90k - lastKeyframe90k > MAX_JUMP_90K) {
        started = true;
        origin90k = pts90k;
      }
      lastKeyframe90k = pts90k;
      nextGrid90k = origin90k + (Math.floorDiv(pts90k - origin90k, target90k) + 1) * target90k;
      return false;
    }
    return started && (pts90k >= nextGrid90k || pts90k < lastKeyframe90k);
  }
}
