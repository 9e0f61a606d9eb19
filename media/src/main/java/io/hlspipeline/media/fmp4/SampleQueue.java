package io.hlspipeline.media.fmp4;

import java.util.Arrays;

/**
 * The samples of one track not yet written to a fragment, in decode order: per sample the input
 * offset of the PES it came from, decode time, composition offset, size and sync flag, and all
 * sample bytes back to back. Parallel primitive arrays, grown when full and compacted after a
 * fragment, so adding a sample allocates nothing once the queue has reached its working size.
 */
final class SampleQueue {
  private long[] inputOffsets = new long[256];
  private long[] decodeTimes = new long[256];
  private int[] compositionOffsets = new int[256];
  private int[] sizes = new int[256];
  private boolean[] syncs = new boolean[256];
  private int count;
  private byte[] data = new byte[1 << 20];
  private int dataLength;
  private int sampleStart = -1;

  int count() {
    return count;
  }

  long inputOffset(int i) {
    return inputOffsets[i];
  }

  long decodeTime(int i) {
    return decodeTimes[i];
  }

  int compositionOffset(int i) {
    return compositionOffsets[i];
  }

  int size(int i) {
    return sizes[i];
  }

  boolean sync(int i) {
    return syncs[i];
  }

  byte[] data() {
    return data;
  }

  /** Bytes of all queued samples. */
  int dataLength() {
    return dataLength;
  }

  /** Starts a sample; its bytes follow through {@link #append} and {@link #appendU32}. */
  void beginSample() {
    sampleStart = dataLength;
  }

  void append(byte[] src, int off, int length) {
    ensureData(length);
    System.arraycopy(src, off, data, dataLength, length);
    dataLength += length;
  }

  /** A 4-byte big-endian length prefix (ISO/IEC 14496-15 §5.3.2, lengthSizeMinusOne = 3). */
  void appendU32(int v) {
    ensureData(4);
    data[dataLength] = (byte) (v >>> 24);
    data[dataLength + 1] = (byte) (v >>> 16);
    data[dataLength + 2] = (byte) (v >>> 8);
    data[dataLength + 3] = (byte) v;
    dataLength += 4;
  }

  /** Ends the sample begun last; an empty one is dropped. */
  void commitSample(long inputOffset, long decodeTime, int compositionOffset, boolean sync) {
    int size = dataLength - sampleStart;
    sampleStart = -1;
    if (size == 0) {
      return;
    }
    if (count == sizes.length) {
      int n = count * 2;
      inputOffsets = Arrays.copyOf(inputOffsets, n);
      decodeTimes = Arrays.copyOf(decodeTimes, n);
      compositionOffsets = Arrays.copyOf(compositionOffsets, n);
      sizes = Arrays.copyOf(sizes, n);
      syncs = Arrays.copyOf(syncs, n);
    }
    inputOffsets[count] = inputOffset;
    decodeTimes[count] = decodeTime;
    compositionOffsets[count] = compositionOffset;
    sizes[count] = size;
    syncs[count] = sync;
    count++;
  }

  /** Number of leading samples whose PES starts before {@code inputOffset}. */
  int countBefore(long inputOffset) {
    int n = 0;
    while (n < count && inputOffsets[n] < inputOffset) {
      n++;
    }
    return n;
  }

  /** Bytes of the first {@code n} samples. */
  int dataBytes(int n) {
    int bytes = 0;
    for (int i = 0; i < n; i++) {
      bytes += sizes[i];
    }
    return bytes;
  }

  /** Forgets the first {@code n} samples. */
  void removeFirst(int n) {
    int bytes = dataBytes(n);
    System.arraycopy(data, bytes, data, 0, dataLength - bytes);
    dataLength -= bytes;
    int rest = count - n;
    System.arraycopy(inputOffsets, n, inputOffsets, 0, rest);
    System.arraycopy(decodeTimes, n, decodeTimes, 0, rest);
    System.arraycopy(compositionOffsets, n, compositionOffsets, 0, rest);
    System.arraycopy(sizes, n, sizes, 0, rest);
    System.arraycopy(syncs, n, syncs, 0, rest);
    count = rest;
  }

  private void ensureData(int more) {
    if (dataLength + more > data.length) {
      data = Arrays.copyOf(data, Math.max(data.length * 2, dataLength + more));
    }
  }
}
