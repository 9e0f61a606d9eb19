package io.hlspipeline.media.cut;

import java.util.List;

/**
 * Where a segment's (or part's) bytes come from: {@code prefix}, then the input bytes of each of
 * {@code ranges} in order. Concatenated they equal the segment's data byte for byte, so a caller
 * holding the input (a file, a log) can write the segment out without the cutter copying it.
 *
 * <p>The prefix is the PAT and PMT packets the cutter repeats in front of a segment that does not
 * start with its own (ISO/IEC 13818-1 §2.4.4; RFC 8216bis §3.3.2), 0, 188 or 376 bytes. There is
 * more than one range only where the input was not contiguous inside the segment (bytes skipped to
 * regain sync); ranges are ascending and do not touch.
 *
 * @param prefix bytes to write first, possibly empty; owned by the receiver
 * @param ranges input byte ranges, possibly empty (a segment of only a prefix never occurs)
 */
public record CutRanges(byte[] prefix, List<InputRange> ranges) {
  public CutRanges {
    java.util.Objects.requireNonNull(prefix, "prefix");
    ranges = List.copyOf(ranges);
  }

  /** Prefix plus ranges, in bytes: the length of the data they describe. */
  public long sizeBytes() {
    long size = prefix.length;
    for (InputRange range : ranges) {
      size += range.sizeBytes();
    }
    return size;
  }

  /**
   * The described bytes, reading the ranges from {@code input}, whose index 0 is input offset
   * {@code inputBase}.
   */
  public byte[] toBytes(byte[] input, long inputBase) {
    byte[] out = new byte[Math.toIntExact(sizeBytes())];
    System.arraycopy(prefix, 0, out, 0, prefix.length);
    int pos = prefix.length;
    for (InputRange range : ranges) {
      int from = Math.toIntExact(range.startOffset() - inputBase);
      int length = (int) range.sizeBytes();
      System.arraycopy(input, from, out, pos, length);
      pos += length;
    }
    return out;
  }
}
