package io.hlspipeline.media.cut;

import java.util.Arrays;

/** A growable byte array of whole transport packets: the open segment. Not thread-safe. */
final class PacketBuffer {
  private byte[] data = new byte[256 * 1024];
  private int length;

  int length() {
    return length;
  }

  void append(byte[] buf, int off, int count) {
    if (length + count > data.length) {
      data = Arrays.copyOf(data, Math.max(data.length * 2, length + count));
    }
    System.arraycopy(buf, off, data, length, count);
    length += count;
  }

  byte[] copy(int from, int to) {
    return Arrays.copyOfRange(data, from, to);
  }

  /** Drops {@code [0, from)} and puts {@code prefix[0, prefixLength)} in front of what remains. */
  void replaceFront(int from, byte[] prefix, int prefixLength) {
    int remaining = length - from;
    int newLength = prefixLength + remaining;
    if (newLength > data.length) {
      data = Arrays.copyOf(data, newLength);
    }
    System.arraycopy(data, from, data, prefixLength, remaining);
    System.arraycopy(prefix, 0, data, 0, prefixLength);
    length = newLength;
  }
}
