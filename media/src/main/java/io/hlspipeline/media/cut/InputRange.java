package io.hlspipeline.media.cut;

/**
 * A run of the cutter's input bytes, {@code [startOffset, endOffset)}, in input offsets (the same
 * offsets as {@link CutSegment#inputStartOffset()}).
 *
 * @param startOffset first byte, inclusive, {@code >= 0}
 * @param endOffset end, exclusive, {@code > startOffset}
 */
public record InputRange(long startOffset, long endOffset) {
  public InputRange {
    if (startOffset < 0 || endOffset <= startOffset) {
      throw new IllegalArgumentException("bad range [" + startOffset + ", " + endOffset + ")");
    }
  }

  /** {@code endOffset - startOffset}. */
  public long sizeBytes() {
    return endOffset - startOffset;
  }
}
