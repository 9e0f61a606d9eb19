package io.hlspipeline.media.cut;

import static io.hlspipeline.media.ts.TsPacket.TS_PACKET_SIZE;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The open segment's bytes as positions {@code [0, length)}: a prefix (repeated PAT/PMT) then whole
 * input packets in order. Always kept as runs of contiguous input offsets; with {@code retainData}
 * also as bytes. Without data the memory is O(runs): one run unless input was skipped inside the
 * segment to regain sync. Not thread-safe.
 */
final class OpenSegment {
  private static final byte[] NO_DATA = new byte[0];

  private final PacketBuffer buffer;
  private final byte[] prefix = new byte[2 * TS_PACKET_SIZE];
  private int prefixLength;
  private int length;

  // Run i covers positions [runPos[i], runPos[i + 1]) (the last one up to length), starting at
  // input offset runInput[i].
  private int[] runPos = new int[4];
  private long[] runInput = new long[4];
  private int runCount;

  /**
   * @param retainData keep the bytes themselves too, for {@link #data}
   */
  OpenSegment(boolean retainData) {
    this.buffer = retainData ? new PacketBuffer() : null;
  }

  int length() {
    return length;
  }

  /** Appends the 188-byte packet at {@code buf[off..]}, which is at {@code inputOffset}. */
  void append(byte[] buf, int off, long inputOffset) {
    if (buffer != null) {
      buffer.append(buf, off, TS_PACKET_SIZE);
    }
    int last = runCount - 1;
    if (last < 0 || runInput[last] + (length - runPos[last]) != inputOffset) {
      if (runCount == runPos.length) {
        runPos = Arrays.copyOf(runPos, runCount * 2);
        runInput = Arrays.copyOf(runInput, runCount * 2);
      }
      runPos[runCount] = length;
      runInput[runCount] = inputOffset;
      runCount++;
    }
    length += TS_PACKET_SIZE;
  }

  /**
   * Drops {@code [0, from)} and puts {@code newPrefix[0, newPrefixLength)} in front of what
   * remains; {@code from} is a packet position at or after the current prefix.
   */
  void replaceFront(int from, byte[] newPrefix, int newPrefixLength) {
    if (from < prefixLength || from > length) {
      throw new IllegalStateException(
          "cut at " + from + " outside [" + prefixLength + ", " + length);
    }
    if (buffer != null) {
      buffer.replaceFront(from, newPrefix, newPrefixLength);
    }
    int first = 0;
    while (first < runCount && runEnd(first) <= from) {
      first++;
    }
    int shift = newPrefixLength - from;
    int kept = runCount - first;
    for (int i = 0; i < kept; i++) {
      int pos = runPos[first + i];
      long input = runInput[first + i];
      if (pos < from) { // the run holding the cut: keep its tail
        input += from - pos;
        pos = from;
      }
      runPos[i] = pos + shift;
      runInput[i] = input;
    }
    runCount = kept;
    System.arraycopy(newPrefix, 0, prefix, 0, newPrefixLength);
    prefixLength = newPrefixLength;
    length += shift;
  }

  /** The bytes {@code [from, to)}, or an empty array when data is not retained. */
  byte[] data(int from, int to) {
    return buffer != null ? buffer.copy(from, to) : NO_DATA;
  }

  /** Where the bytes {@code [from, to)} come from; {@code to} is a packet position. */
  CutRanges ranges(int from, int to) {
    byte[] head =
        from < prefixLength
            ? Arrays.copyOfRange(prefix, from, Math.min(to, prefixLength))
            : NO_DATA;
    List<InputRange> ranges = new ArrayList<>(1);
    for (int i = 0; i < runCount; i++) {
      int start = Math.max(from, runPos[i]);
      int end = Math.min(to, runEnd(i));
      if (start < end) {
        long input = runInput[i] - runPos[i];
        ranges.add(new InputRange(input + start, input + end));
      }
    }
    return new CutRanges(head, ranges);
  }

  private int runEnd(int i) {
    return i + 1 < runCount ? runPos[i + 1] : length;
  }
}
