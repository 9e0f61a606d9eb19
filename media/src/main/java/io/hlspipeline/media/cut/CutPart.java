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
 * @param startPts90k PTS of the part's first frame (in decode order) on the unwrapped 64-bit 90 kHz
 *     timeline; part 0's is its segment's {@link CutSegment#startPts90k()}
 * @param discontinuity its segment's {@link CutSegment#discontinuity()}, known from part 0 on
 */
public record CutPart(
    long segmentIndex,
    int partIndex,
    long durationUs,
    boolean independent,
    byte[] data,
    CutRanges ranges,
    long startPts90k,
    boolean discontinuity) {

  /** A part without ranges or timing (as before they were added). */
  public CutPart(
      long segmentIndex, int partIndex, long durationUs, boolean independent, byte[] data) {
    this(segmentIndex, partIndex, durationUs, independent, data, null, 0, false);
  }

  /** The part's size in bytes: {@code data.length}, or the ranges' size when data is empty. */
  public long sizeBytes() {
    return data.length == 0 && ranges != null ? ranges.sizeBytes() : data.length;
  }
}
