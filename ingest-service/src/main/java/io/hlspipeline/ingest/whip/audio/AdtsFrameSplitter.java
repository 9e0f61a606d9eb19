package io.hlspipeline.ingest.whip.audio;

import java.util.Arrays;

/**
 * Cuts a byte stream of ADTS frames (ISO/IEC 13818-7 §6.2 adts_frame, what ffmpeg's {@code -f adts}
 * writes) into whole frames, whatever the read boundaries. Bytes that do not start a plausible
 * header (syncword 0xFFF, layer 0, a sampling_frequency_index in the table, an aac_frame_length
 * that holds the header) are skipped one at a time until the next one that does, and counted. Holds
 * at most one frame ({@link #MAX_FRAME_BYTES}). Not thread-safe.
 */
public final class AdtsFrameSplitter {
  /** aac_frame_length is 13 bits (§6.2.2), the header included. */
  public static final int MAX_FRAME_BYTES = (1 << 13) - 1;

  /** The fixed and variable header without the CRC (§6.2.1, protection_absent = 1). */
  static final int HEADER_BYTES = 7;

  /** Receives each whole frame, header included, in an array of its own. */
  public interface FrameSink {
    void frame(byte[] adtsFrame);
  }

  private final FrameSink sink;
  private final byte[] buffer = new byte[MAX_FRAME_BYTES];
  private int buffered;
  private long skippedBytes;
  private long frames;

  public AdtsFrameSplitter(FrameSink sink) {
    this.sink = sink;
  }

  /** Consumes {@code data[off..off+length)}; whole frames go to the sink before it returns. */
  public void push(byte[] data, int off, int length) {
    int p = off;
    int end = off + length;
    while (p < end) {
      int n = Math.min(end - p, buffer.length - buffered);
      System.arraycopy(data, p, buffer, buffered, n);
      buffered += n;
      p += n;
      drain();
    }
  }

  private void drain() {
    int start = 0;
    while (buffered - start >= HEADER_BYTES) {
      int frameLength = frameLength(buffer, start);
      if (frameLength < 0) {
        start++;
        skippedBytes++;
        continue;
      }
      if (buffered - start < frameLength) {
        break; // the rest of this frame is still to come
      }
      frames++;
      sink.frame(Arrays.copyOfRange(buffer, start, start + frameLength));
      start += frameLength;
    }
    System.arraycopy(buffer, start, buffer, 0, buffered - start);
    buffered -= start;
  }

  /** The aac_frame_length of a plausible header at {@code p}, or -1. */
  static int frameLength(byte[] b, int p) {
    if ((b[p] & 0xFF) != 0xFF || (b[p + 1] & 0xF6) != 0xF0) {
      return -1; // syncword (12 bits), then ID, layer = 00, protection_absent
    }
    int samplingIndex = (b[p + 2] >> 2) & 0xF; // sampling_frequency_index
    int frameLength = // aac_frame_length, 13 bits
        ((b[p + 3] & 0x3) << 11) | ((b[p + 4] & 0xFF) << 3) | ((b[p + 5] & 0xE0) >> 5);
    boolean crc = (b[p + 1] & 0x1) == 0; // protection_absent = 0: a 16-bit CRC follows
    int header = crc ? HEADER_BYTES + 2 : HEADER_BYTES;
    if (samplingIndex > 12 || frameLength <= header) {
      return -1;
    }
    return frameLength;
  }

  /** Bytes skipped while looking for a header. */
  public long skippedBytes() {
    return skippedBytes;
  }

  /** Whole frames handed to the sink. */
  public long frames() {
    return frames;
  }
}
