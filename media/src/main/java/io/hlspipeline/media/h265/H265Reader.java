package io.hlspipeline.media.h265;

import io.hlspipeline.media.MalformedMediaException;
import io.hlspipeline.media.nal.AnnexBReader;

/**
 * Scans H.265 Annex B byte streams PES by PES: access-unit boundaries (§7.4.2.4.4: a picture starts
 * at first_slice_segment_in_pic_flag), IRAP pictures (random access points: BLA, IDR, CRA) and the
 * active SPS. Not thread-safe.
 */
public final class H265Reader extends AnnexBReader<H265Sps> {
  /** §7.4.2.2 Table 7-1: IRAP pictures have nal_unit_type BLA_W_LP (16) .. RSV_IRAP_VCL23 (23). */
  public static final int NAL_BLA_W_LP = 16;

  public static final int NAL_RSV_IRAP_VCL23 = 23;
  public static final int NAL_VPS = 32;
  public static final int NAL_SPS = 33;
  public static final int NAL_PPS = 34;
  public static final int NAL_AUD = 35;

  /** VCL NAL unit types are 0..31. */
  private static final int MAX_VCL_NAL_TYPE = 31;

  public H265Reader() {
    super(2);
  }

  @Override
  protected int nalUnitType(byte[] buf, int nal) {
    return (buf[nal] >> 1) & 0x3F; // nal_unit_type, §7.3.1.2
  }

  @Override
  protected boolean isSlice(int type) {
    return type <= MAX_VCL_NAL_TYPE;
  }

  @Override
  protected boolean isKeyframeSlice(int type) {
    return type >= NAL_BLA_W_LP && type <= NAL_RSV_IRAP_VCL23;
  }

  @Override
  protected boolean isSps(int type) {
    return type == NAL_SPS;
  }

  @Override
  protected H265Sps parseSps(byte[] buf, int nal, int nalEnd, long inputOffset)
      throws MalformedMediaException {
    return H265Sps.parse(buf, nal, nalEnd, inputOffset);
  }
}
