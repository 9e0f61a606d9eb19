package io.hlspipeline.media.cut;

/**
 * One low-latency HLS partial segment (RFC 8216bis §4.4.4.9 EXT-X-PART): a run of whole transport
 * packets of segment {@code segmentIndex}; the parts of a segment concatenated equal its data.
 *
 * @param segmentIndex the {@link CutSegment#index()} this part belongs to
 * @param partIndex 0-based within the segment
 * @param durationUs duration from timestamps, microseconds
 * @param independent true when the part starts with a keyframe (EXT-X-PART INDEPENDENT=YES)
 * @param data transport packets; owned by the receiver. Empty in {@link
 *     SegmentCutter.Output#RANGES} mode.
 * @param ranges where {@code data}'s bytes come from, see {@link CutSegment#ranges()}; null only
 *     for parts built with the constructor without it
 */
public record CutPart(
    long segmentIndex,
    int partIndex,
    long durationUs,
    boolean independent,
    byte[] data,
    CutRanges ranges) {

  /** A part without ranges (as before ranges were added). */
  public CutPart(
      long segmentIndex, int partIndex, long durationUs, boolean independent, byte[] data) {
    this(segmentIndex, partIndex, durationUs, independent, data, null);
  }
}
