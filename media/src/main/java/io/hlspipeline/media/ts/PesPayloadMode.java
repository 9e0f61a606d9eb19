package io.hlspipeline.media.ts;

/** How much of each PES payload {@link TsDemuxer} collects and hands out. */
public enum PesPayloadMode {
  /** Every PES payload byte (to re-multiplex or decode access units). */
  COMPLETE,

  /**
   * For H.264 and H.265 streams, only the payload up to and including the header of the first slice
   * (VCL NAL unit) of the PES: the access unit delimiter, parameter sets and SEI before it, the
   * slice's NAL header and the first byte of its slice header. Enough to find keyframes and parse
   * parameter sets without copying the coded picture. Other streams are collected complete.
   */
  VIDEO_HEADERS
}
