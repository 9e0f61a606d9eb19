package io.hlspipeline.media.cut;

import io.hlspipeline.media.MalformedMediaException;

/**
 * Writes a cut segment in one container: MPEG-TS ({@link TsContainerWriter}) or fragmented MP4
 * ({@code media.fmp4.Fmp4SegmentConverter}). The cut (where segments start and end, their durations
 * and discontinuities) is the container's input, so every container has the same grid.
 * Implementations are stateless: the output is a function of the segment alone, so a resumed cut
 * writes the same bytes.
 */
public interface ContainerWriter {
  /**
   * @param segment a whole segment ({@link SegmentCutter.Output#DATA})
   * @param sequenceNumber the segment's 1-based sequence number, for containers that number their
   *     fragments ({@code mfhd})
   * @throws MalformedMediaException when the segment's media cannot be written in this container
   */
  ContainerSegment write(CutSegment segment, long sequenceNumber) throws MalformedMediaException;

  /**
   * One segment in a container.
   *
   * @param init the initialization section its samples need ({@code EXT-X-MAP}), null for a
   *     container without one (MPEG-TS segments carry PAT/PMT and parameter sets in band)
   * @param data the media segment's bytes
   */
  record ContainerSegment(byte[] init, byte[] data) {}
}
