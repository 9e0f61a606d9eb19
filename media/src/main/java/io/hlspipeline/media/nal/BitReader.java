package io.hlspipeline.media.nal;

import io.hlspipeline.media.MalformedMediaException;

/**
 * Reads bits MSB-first from an RBSP (emulation prevention already removed), with the Exp-Golomb
 * codes of ITU-T H.264 §9.1 / H.265 §9.2. Reading past the end throws {@link
 * MalformedMediaException}.
 */
public final class BitReader {
  private final byte[] data;
  private final int endBit;
  private final long inputOffset;
  private int bit;

  /**
   * @param inputOffset byte offset in the input used in error messages
   */
  public BitReader(byte[] data, int offset, int length, long inputOffset) {
    this.data = data;
    this.bit = offset * 8;
    this.endBit = (offset + length) * 8;
    this.inputOffset = inputOffset;
  }

  /** Reads {@code count} bits (0..32) as an unsigned value. */
  public long bits(int count) throws MalformedMediaException {
    if (bit + count > endBit) {
      throw MalformedMediaException.atOffset(inputOffset, "parameter set ends early");
    }
    long value = 0;
    for (int i = 0; i < count; i++) {
      value = (value << 1) | ((data[bit >> 3] >> (7 - (bit & 7))) & 1);
      bit++;
    }
    return value;
  }

  public int bitsInt(int count) throws MalformedMediaException {
    return (int) bits(count);
  }

  public boolean flag() throws MalformedMediaException {
    return bits(1) == 1;
  }

  public void skip(int count) throws MalformedMediaException {
    if (bit + count > endBit) {
      throw MalformedMediaException.atOffset(inputOffset, "parameter set ends early");
    }
    bit += count;
  }

  /** ue(v): unsigned Exp-Golomb. */
  public int ue() throws MalformedMediaException {
    int leadingZeros = 0;
    while (!flag()) {
      if (++leadingZeros > 31) {
        throw MalformedMediaException.atOffset(inputOffset, "Exp-Golomb code too long");
      }
    }
    long value = (1L << leadingZeros) - 1 + bits(leadingZeros);
    if (value > Integer.MAX_VALUE) {
      throw MalformedMediaException.atOffset(inputOffset, "Exp-Golomb value too large");
    }
    return (int) value;
  }

  /** se(v): signed Exp-Golomb. */
  public int se() throws MalformedMediaException {
    int codeNum = ue();
    return (codeNum & 1) != 0 ? (codeNum + 1) / 2 : -(codeNum / 2);
  }
}
