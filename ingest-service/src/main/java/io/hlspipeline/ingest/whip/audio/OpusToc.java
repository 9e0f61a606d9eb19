package io.hlspipeline.ingest.whip.audio;

/**
 * Reads an Opus packet's table-of-contents byte (RFC 6716 §3.1) for its duration: the frame size of
 * its configuration times its frame count (code 0: one frame, 1 and 2: two, 3: the count in the
 * second byte, §3.2.5). Stateless.
 */
public final class OpusToc {
  /** The longest packet RFC 6716 §3.2.5 allows: 120 ms at 48 kHz. */
  public static final int MAX_SAMPLES_48K = 5760;

  /** §3.1 Table 2, frame sizes at 48 kHz: SILK-only configs 0..11 (10/20/40/60 ms). */
  private static final int[] SILK_FRAME_SAMPLES = {480, 960, 1920, 2880};

  /** Hybrid configs 12..15 (10/20 ms). */
  private static final int[] HYBRID_FRAME_SAMPLES = {480, 960};

  /** CELT-only configs 16..31 (2.5/5/10/20 ms). */
  private static final int[] CELT_FRAME_SAMPLES = {120, 240, 480, 960};

  private OpusToc() {}

  /**
   * The packet's duration in 48 kHz samples (whatever rate it was coded at), or -1 when it cannot
   * be an Opus packet (empty, a code-3 packet without its frame count byte, a count of 0, or more
   * than {@link #MAX_SAMPLES_48K}).
   */
  public static int samples48k(byte[] packet, int off, int length) {
    if (length < 1) {
      return -1;
    }
    int toc = packet[off] & 0xFF;
    int config = toc >> 3; // config: 5 bits
    int frameSamples;
    if (config < 12) {
      frameSamples = SILK_FRAME_SAMPLES[config & 3];
    } else if (config < 16) {
      frameSamples = HYBRID_FRAME_SAMPLES[config & 1];
    } else {
      frameSamples = CELT_FRAME_SAMPLES[config & 3];
    }
    int frames;
    switch (toc & 3) { // c: frame count code
      case 0 -> frames = 1;
      case 1, 2 -> frames = 2;
      default -> {
        if (length < 2) {
          return -1;
        }
        frames = packet[off + 1] & 0x3F; // M: frame count, 6 bits
      }
    }
    int samples = frames * frameSamples;
    return samples == 0 || samples > MAX_SAMPLES_48K ? -1 : samples;
  }
}
