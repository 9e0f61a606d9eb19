package io.hlspipeline.media.fmp4;

/**
 * One CMAF fragment ({@code styp moof mdat}) holding one media segment, cut on the same grid as the
 * MPEG-TS segment of the same index.
 *
 * @param index 0-based segment index, equal to the TS path's {@code CutSegment.index()}
 * @param startPts90k PTS of the segment's first frame on the unwrapped 90 kHz timeline
 * @param durationUs the TS segment's duration, microseconds
 * @param discontinuity true when the TS segment is flagged as a discontinuity
 * @param sampleCounts samples per track, in track order of the init segment
 * @param data the fragment's bytes; owned by the receiver
 */
public record Fmp4Fragment(
    long index,
    long startPts90k,
    long durationUs,
    boolean discontinuity,
    int[] sampleCounts,
    byte[] data) {}
