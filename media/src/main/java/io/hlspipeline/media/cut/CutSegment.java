package io.hlspipeline.media.cut;

/**
 * One media segment cut from a transport stream.
 *
 * @param index 0-based, counted per {@link SegmentCutter}
 * @param startPts90k PTS of the segment's first frame on the unwrapped 64-bit 90 kHz timeline
 * @param durationUs duration derived from PTS (next segment's start − this start; for the last one
 *     the last frame's PTS + its duration − start), microseconds, rounded down
 * @param discontinuity true when a timestamp jump or a codec change precedes this segment (RFC
 *     8216bis §4.4.4.3 EXT-X-DISCONTINUITY); false for the first segment
 * @param inputStartOffset byte offset in the cutter's input of the segment's first packet
 * @param mediaInfo codecs and resolution
 * @param data the whole MPEG-TS segment: starts with PAT and PMT and, for video, a keyframe; owned
 *     by the receiver. Empty when the cutter runs in {@link SegmentCutter.Output#RANGES} mode.
 * @param ranges where {@code data}'s bytes come from (prefix + input ranges, equal to {@code data}
 *     byte for byte); set by {@link SegmentCutter} in both modes, null only for segments built with
 *     the constructor without it
 */
public record CutSegment(
    long index,
    long startPts90k,
    long durationUs,
    boolean discontinuity,
    long inputStartOffset,
    MediaInfo mediaInfo,
    byte[] data,
    CutRanges ranges) {

  /** A segment without ranges (as before ranges were added). */
  public CutSegment(
      long index,
      long startPts90k,
      long durationUs,
      boolean discontinuity,
      long inputStartOffset,
      MediaInfo mediaInfo,
      byte[] data) {
    this(index, startPts90k, durationUs, discontinuity, inputStartOffset, mediaInfo, data, null);
  }

  /** The segment's size in bytes: {@code data.length}, or the ranges' size when data is empty. */
  public long sizeBytes() {
    return data.length == 0 && ranges != null ? ranges.sizeBytes() : data.length;
  }
}
