package io.hlspipeline.media.flv;

import io.hlspipeline.media.MalformedMediaException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a length-prefixed video stream needs to become Annex B: the size of its NAL unit length
 * fields and its parameter sets, from an AVCDecoderConfigurationRecord (ISO/IEC 14496-15 §5.3.3.1)
 * or an HEVCDecoderConfigurationRecord (§8.3.3.1), as FLV sequence headers carry them.
 *
 * @param nalLengthSize 1, 2 or 4 bytes
 * @param parameterSets NAL units in record order (VPS, SPS, PPS), without start codes
 */
public record NalDecoderConfig(int nalLengthSize, List<byte[]> parameterSets) {
  /** HEVCDecoderConfigurationRecord fields before numOfArrays (§8.3.3.1.1). */
  private static final int HVCC_FIXED_SIZE = 22;

  public NalDecoderConfig {
    parameterSets = List.copyOf(parameterSets);
  }

  /** Parses an AVCDecoderConfigurationRecord. */
  public static NalDecoderConfig fromAvcC(byte[] buf, int off, int length)
      throws MalformedMediaException {
    Cursor c = new Cursor(buf, off, length);
    int version = c.u8(); // configurationVersion
    if (version != 1) {
      throw MalformedMediaException.atOffset(off, "avcC configurationVersion " + version);
    }
    c.skip(3); // AVCProfileIndication, profile_compatibility, AVCLevelIndication
    int nalLengthSize = (c.u8() & 0x3) + 1; // lengthSizeMinusOne
    List<byte[]> sets = new ArrayList<>();
    int spsCount = c.u8() & 0x1F; // numOfSequenceParameterSets
    for (int i = 0; i < spsCount; i++) {
      sets.add(c.bytes(c.u16()));
    }
    int ppsCount = c.u8(); // numOfPictureParameterSets
    for (int i = 0; i < ppsCount; i++) {
      sets.add(c.bytes(c.u16()));
    }
    return checked(nalLengthSize, sets, off);
  }

  /** Parses an HEVCDecoderConfigurationRecord. */
  public static NalDecoderConfig fromHvcC(byte[] buf, int off, int length)
      throws MalformedMediaException {
    Cursor c = new Cursor(buf, off, length);
    int version = c.u8(); // configurationVersion
    if (version != 1) {
      throw MalformedMediaException.atOffset(off, "hvcC configurationVersion " + version);
    }
    c.skip(HVCC_FIXED_SIZE - 2);
    int nalLengthSize = (c.u8() & 0x3) + 1; // lengthSizeMinusOne
    List<byte[]> sets = new ArrayList<>();
    int arrays = c.u8(); // numOfArrays
    for (int i = 0; i < arrays; i++) {
      c.skip(1); // array_completeness, reserved, NAL_unit_type
      int count = c.u16(); // numNalus
      for (int j = 0; j < count; j++) {
        sets.add(c.bytes(c.u16()));
      }
    }
    return checked(nalLengthSize, sets, off);
  }

  private static NalDecoderConfig checked(int nalLengthSize, List<byte[]> sets, int off)
      throws MalformedMediaException {
    if (nalLengthSize == 3) {
      throw MalformedMediaException.atOffset(off, "lengthSizeMinusOne 2 is reserved");
    }
    for (byte[] set : sets) {
      if (set.length == 0) {
        throw MalformedMediaException.atOffset(off, "empty parameter set");
      }
    }
    return new NalDecoderConfig(nalLengthSize, sets);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof NalDecoderConfig other) || other.nalLengthSize != nalLengthSize) {
      return false;
    }
    if (other.parameterSets.size() != parameterSets.size()) {
      return false;
    }
    for (int i = 0; i < parameterSets.size(); i++) {
      if (!Arrays.equals(parameterSets.get(i), other.parameterSets.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = nalLengthSize;
    for (byte[] set : parameterSets) {
      h = 31 * h + Arrays.hashCode(set);
    }
    return h;
  }

  /** Bounds-checked big-endian reads over one record. */
  private static final class Cursor {
    private final byte[] buf;
    private final int start;
    private final int end;
    private int p;

    Cursor(byte[] buf, int off, int length) {
      this.buf = buf;
      this.start = off;
      this.p = off;
      this.end = off + length;
    }

    private void need(int n) throws MalformedMediaException {
      if (n > end - p) {
        throw MalformedMediaException.atOffset(p - start, "decoder configuration record truncated");
      }
    }

    int u8() throws MalformedMediaException {
      need(1);
      return buf[p++] & 0xFF;
    }

    int u16() throws MalformedMediaException {
      need(2);
      int v = ((buf[p] & 0xFF) << 8) | (buf[p + 1] & 0xFF);
      p += 2;
      return v;
    }

    void skip(int n) throws MalformedMediaException {
      need(n);
      p += n;
    }

    byte[] bytes(int n) throws MalformedMediaException {
      need(n);
      byte[] b = Arrays.copyOfRange(buf, p, p + n);
      p += n;
      return b;
    }
  }
}
