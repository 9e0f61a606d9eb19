package io.hlspipeline.ingest.gop;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures one publish session's keyframe interval (GOP length) from the decode timestamps of its
 * video keyframes. The segmenter can cut only at a keyframe, so an interval longer than the target
 * segment duration makes segments that long: the first time it happens in a session this logs one
 * WARN saying what to set on the encoder, and {@link #overTarget()} stays true. An interval at most
 * {@link #slackUs(long) a little} over the target does not count: a keyframe asked for at the
 * target (WebRTC's keyframe requests) arrives a frame or two after it, and such a segment's
 * duration still rounds to the target duration in the playlist (RFC 8216 §4.3.3.1).
 *
 * <p>Timestamps are 90 kHz MPEG-TS values (33 bits, wrapping); a step backwards or of more than
 * {@link #MAX_INTERVAL_90K} is a timestamp discontinuity and starts measuring afresh. Written by
 * one thread (the connection's), read by any (the status endpoint): the fields read are volatile.
 */
public final class KeyframeIntervals {
  private static final Logger log = LoggerFactory.getLogger(KeyframeIntervals.class);

  /** 33-bit PTS/DTS (ISO/IEC 13818-1 §2.4.3.7). */
  private static final long TIMESTAMP_MODULUS = 1L << 33;

  /** Intervals past this (60 s) are taken as a timestamp jump, not a GOP. */
  static final long MAX_INTERVAL_90K = 60L * 90_000;

  private final long targetUs;
  private final long slackUs;
  private long lastDts90k = -1;
  private volatile long keyframes;
  private volatile long lastIntervalUs = -1;
  private volatile long maxIntervalUs = -1;
  private volatile boolean overTarget;

  /**
   * @param target the target segment duration the intervals are compared with
   */
  public KeyframeIntervals(Duration target) {
    this.targetUs = target.toNanos() / 1000;
    this.slackUs = slackUs(targetUs);
  }

  /** How far past the target an interval may go unflagged: 10 % of it, at most 0.4 s. */
  static long slackUs(long targetUs) {
    return Math.min(targetUs / 10, 400_000);
  }

  /** A video keyframe with this decode timestamp (90 kHz, 33 bits) arrived. */
  public void onKeyframe(long dts90k) {
    long dts = dts90k & (TIMESTAMP_MODULUS - 1);
    keyframes++;
    long previous = lastDts90k;
    lastDts90k = dts;
    if (previous < 0) {
      return;
    }
    long interval90k = Math.floorMod(dts - previous, TIMESTAMP_MODULUS);
    if (interval90k == 0 || interval90k > MAX_INTERVAL_90K) {
      return; // a timestamp jump (or a repeat): no interval to measure
    }
    long intervalUs = interval90k * 1000 / 90;
    lastIntervalUs = intervalUs;
    if (intervalUs > maxIntervalUs) {
      maxIntervalUs = intervalUs;
    }
    if (intervalUs > targetUs + slackUs && !overTarget) {
      overTarget = true;
      log.warn(
          "keyframe interval {} s is longer than the target segment duration {} s: segments will"
              + " be as long as the keyframe interval; set the encoder's keyframe interval to {} s"
              + " or less (OBS: Settings > Output > Keyframe Interval; ffmpeg: -g frames)",
          seconds(intervalUs),
          seconds(targetUs),
          seconds(targetUs));
    }
  }

  /** Keyframes seen so far. */
  public long keyframes() {
    return keyframes;
  }

  /** The most recent interval in microseconds, -1 before two keyframes were seen. */
  public long lastIntervalUs() {
    return lastIntervalUs;
  }

  /** The longest interval in microseconds, -1 before two keyframes were seen. */
  public long maxIntervalUs() {
    return maxIntervalUs;
  }

  /** The target segment duration in microseconds. */
  public long targetUs() {
    return targetUs;
  }

  /** Whether an interval was ever longer than the target and its slack (the WARN was logged). */
  public boolean overTarget() {
    return overTarget;
  }

  private static String seconds(long us) {
    return String.format(java.util.Locale.ROOT, "%.2f", us / 1e6);
  }
}
