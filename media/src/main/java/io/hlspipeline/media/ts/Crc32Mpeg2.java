package io.hlspipeline.media.ts;

/**
 * CRC_32 of PSI sections (ISO/IEC 13818-1 Annex A): polynomial 0x04C11DB7, initial value
 * 0xFFFFFFFF, no reflection, no final XOR. Over a whole section including its CRC_32 field the
 * result is 0.
 */
public final class Crc32Mpeg2 {
  private static final int POLYNOMIAL = 0x04C11DB7;
  private static final int[] TABLE = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int crc = i << 24;
      for (int bit = 0; bit < 8; bit++) {
        crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ POLYNOMIAL : crc << 1;
      }
      TABLE[i] = crc;
    }
  }

  private Crc32Mpeg2() {}

  /** CRC over {@code buf[off..off+length)}. */
  public static int compute(byte[] buf, int off, int length) {
    int crc = 0xFFFFFFFF;
    for (int i = off; i < off + length; i++) {
      crc = (crc << 8) ^ TABLE[((crc >>> 24) ^ buf[i]) & 0xFF];
    }
    return crc;
  }
}
