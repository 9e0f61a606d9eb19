package io.hlspipeline.media.ts;

/**
 * Extends 33-bit 90 kHz PTS/DTS values (ISO/IEC 13818-1 §2.4.3.7) to a 64-bit timeline: each value
 * is placed on the 2^33 period closest to the previous one, so a wrap (every ~26.5 h) continues
 * upwards and small backward steps (B-frames, audio/video interleave) stay small. Not thread-safe.
 */
public final class TimestampUnwrapper {
  /** PTS/DTS are 33-bit counters. */
  public static final long PTS_WRAP_90K = 1L << 33;

  private boolean first = true;
  private long last;

  /** An unwrapper whose first value is taken as it comes (the period 0 unless it wraps later). */
  public TimestampUnwrapper() {}

  /**
   * An unwrapper that continues a timeline: the first value is placed on the 2^33 period closest to
   * {@code reference90k}, an already unwrapped timestamp (e.g. a segment's unwrapped start PTS when
   * the segment's own 33-bit timestamps are read again).
   */
  public TimestampUnwrapper(long reference90k) {
    this.first = false;
    this.last = reference90k;
  }

  /** Returns the unwrapped value of a raw 33-bit timestamp. */
  public long unwrap(long raw90k) {
    long value = raw90k & (PTS_WRAP_90K - 1);
    if (first) {
      first = false;
      last = value;
      return value;
    }
    long delta = value - Math.floorMod(last, PTS_WRAP_90K);
    if (delta > PTS_WRAP_90K / 2) {
      delta -= PTS_WRAP_90K;
    } else if (delta < -PTS_WRAP_90K / 2) {
      delta += PTS_WRAP_90K;
    }
    last += delta;
    return last;
  }
}
