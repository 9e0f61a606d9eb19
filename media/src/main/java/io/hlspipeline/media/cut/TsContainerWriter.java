package io.hlspipeline.media.cut;

/** MPEG-TS: the cut segment's own bytes (RFC 8216bis §3.3), no initialization section. */
public final class TsContainerWriter implements ContainerWriter {
  @Override
  public ContainerSegment write(CutSegment segment, long sequenceNumber) {
    return new ContainerSegment(null, segment.data());
  }
}
