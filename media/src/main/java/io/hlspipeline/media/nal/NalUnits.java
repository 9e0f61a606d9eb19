package io.hlspipeline.media.nal;

/**
 * Byte-stream NAL unit scanning (ITU-T H.264 Annex B / H.265 Annex B): NAL units are preceded by a
 * start code prefix 0x000001 (optionally with a leading zero byte).
 */
public final class NalUnits {
  private NalUnits() {}

  /**
   * Offset of the first byte after the next start code prefix at or after {@code from}, or -1 if
   * none begins before {@code end}.
   */
  public static int nextNalStart(byte[] buf, int from, int end) {
    for (int i = from; i + 2 < end; i++) {
      // Skip fast: a start code needs a zero at i+2 or is not here.
      if (buf[i + 2] > 1) {
        i += 2;
      } else if (buf[i] == 0 && buf[i + 1] == 0 && buf[i + 2] == 1) {
        return i + 3;
      }
    }
    return -1;
  }

  /**
   * End of the NAL unit starting at {@code nalStart}: the offset of the next start code prefix
   * (trailing zero bytes excluded), or {@code end}.
   */
  public static int nalEnd(byte[] buf, int nalStart, int end) {
    int next = nextNalStart(buf, nalStart, end);
    if (next < 0) {
      return end;
    }
    int e = next - 3;
    while (e > nalStart && buf[e - 1] == 0) {
      e--; // trailing_zero_8bits / the zero_byte of a 4-byte start code
    }
    return e;
  }

  /**
   * Copies a NAL unit's bytes with the emulation_prevention_three_byte removed (H.264 §7.4.1 /
   * H.265 §7.4.2): the RBSP plus the NAL header.
   */
  public static byte[] unescapeRbsp(byte[] buf, int off, int end) {
    byte[] out = new byte[end - off];
    int length = 0;
    int zeros = 0;
    for (int i = off; i < end; i++) {
      byte b = buf[i];
      if (zeros >= 2 && b == 3) {
        zeros = 0;
        continue;
      }
      out[length++] = b;
      zeros = b == 0 ? zeros + 1 : 0;
    }
    return length == out.length ? out : java.util.Arrays.copyOf(out, length);
  }
}
