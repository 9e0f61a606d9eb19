package io.hlspipeline.media.h264;

import io.hlspipeline.media.MalformedMediaException;
import io.hlspipeline.media.nal.AnnexBReader;

/**
 * Scans H.264 Annex B byte streams PES by PES: finds access-unit boundaries (§7.4.1.2.3: a primary
 * coded picture starts at first_mb_in_slice == 0), IDR pictures and the active SPS. Not
 * thread-safe.
 */
public final class H264Reader extends AnnexBReader<H264Sps> {
  /** §7.4.1 Table 7-1 nal_unit_type values. */
  public static final int NAL_SLICE_NON_IDR = 1;

  public static final int NAL_SLICE_IDR = 5;
  public static final int NAL_SEI = 6;
  public static final int NAL_SPS = 7;
  public static final int NAL_PPS = 8;
  public static final int NAL_AUD = 9;

  public H264Reader() {
    super(1);
  }

  @Override
  protected int nalUnitType(byte[] buf, int nal) {
    return buf[nal] & 0x1F; // nal_unit_type, §7.3.1
  }

  @Override
  protected boolean isSlice(int type) {
    return type == NAL_SLICE_IDR || type == NAL_SLICE_NON_IDR;
  }

  @Override
  protected boolean isKeyframeSlice(int type) {
    return type == NAL_SLICE_IDR;
  }

  @Override
  protected boolean isSps(int type) {
    return type == NAL_SPS;
  }

  @Override
  protected H264Sps parseSps(byte[] buf, int nal, int nalEnd, long inputOffset)
      throws MalformedMediaException {
    return H264Sps.parse(buf, nal, nalEnd, inputOffset);
  }
}
