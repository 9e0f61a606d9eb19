package io.hlspipeline.media.fmp4;

import java.util.Arrays;

/**
 * A cursor over a growable byte array that writes ISO base media file format boxes (ISO/IEC
 * 14496-12 §4.2): {@link #start(int)} reserves the 32-bit size, {@link #end()} patches it. Boxes
 * nest up to {@link #MAX_DEPTH}. The buffer is reused across {@link #reset()}s, so writing
 * allocates only when it grows past its largest size so far. Not thread-safe.
 */
public final class BoxWriter {
  /** moof/traf/... nest at most this deep in what this package writes. */
  static final int MAX_DEPTH = 16;

  private byte[] buf;
  private int pos;
  private final int[] openBoxes = new int[MAX_DEPTH];
  private int depth;

  public BoxWriter(int initialCapacityBytes) {
    buf = new byte[Math.max(64, initialCapacityBytes)];
  }

  /** Forgets what was written; keeps the buffer. */
  public void reset() {
    pos = 0;
    depth = 0;
  }

  /** Bytes written so far. */
  public int position() {
    return pos;
  }

  /** The written bytes, copied. */
  public byte[] toByteArray() {
    return Arrays.copyOf(buf, pos);
  }

  /** Opens a box of type {@code fourcc} (§4.2 Box: size(32) type(32)). */
  public BoxWriter start(int fourcc) {
    openBoxes[depth++] = pos;
    u32(0);
    return u32(fourcc);
  }

  /** Opens a FullBox (§4.2: Box + version(8) flags(24)). */
  public BoxWriter startFull(int fourcc, int version, int flags) {
    start(fourcc);
    return u32((version << 24) | (flags & 0xFFFFFF));
  }

  /** Closes the innermost open box, writing its size. */
  public BoxWriter end() {
    int start = openBoxes[--depth];
    putU32At(start, pos - start);
    return this;
  }

  public BoxWriter u8(int v) {
    ensure(1);
    buf[pos++] = (byte) v;
    return this;
  }

  public BoxWriter u16(int v) {
    ensure(2);
    buf[pos++] = (byte) (v >>> 8);
    buf[pos++] = (byte) v;
    return this;
  }

  public BoxWriter u24(int v) {
    ensure(3);
    buf[pos++] = (byte) (v >>> 16);
    buf[pos++] = (byte) (v >>> 8);
    buf[pos++] = (byte) v;
    return this;
  }

  public BoxWriter u32(long v) {
    ensure(4);
    putU32At(pos, v);
    pos += 4;
    return this;
  }

  public BoxWriter u64(long v) {
    u32(v >>> 32);
    return u32(v);
  }

  /** {@code count} zero bytes (reserved fields, pre_defined). */
  public BoxWriter zeros(int count) {
    ensure(count);
    Arrays.fill(buf, pos, pos + count, (byte) 0);
    pos += count;
    return this;
  }

  public BoxWriter bytes(byte[] src, int off, int length) {
    ensure(length);
    System.arraycopy(src, off, buf, pos, length);
    pos += length;
    return this;
  }

  /** Overwrites 4 bytes at {@code at} (a data_offset known only later). */
  public void putU32At(int at, long v) {
    buf[at] = (byte) (v >>> 24);
    buf[at + 1] = (byte) (v >>> 16);
    buf[at + 2] = (byte) (v >>> 8);
    buf[at + 3] = (byte) v;
  }

  /** The four-character code as a big-endian int, e.g. {@code fourcc("moov")}. */
  public static int fourcc(String code) {
    return (code.charAt(0) << 24) | (code.charAt(1) << 16) | (code.charAt(2) << 8) | code.charAt(3);
  }

  private void ensure(int more) {
    if (pos + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
    }
  }
}
