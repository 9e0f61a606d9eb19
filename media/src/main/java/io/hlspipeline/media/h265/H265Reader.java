package io.hlspipeline.media.h265;

import io.hlspipeline.media.MalformedMediaException;
import io.hlspipeline.media.nal.NalUnits;

/**
 * Scans H.265 Annex B byte streams PES by PES: access-unit boundaries (§7.4.2.4.4), IRAP pictures
 * (random access points: BLA, IDR, CRA) and the active SPS. Not thread-safe.
 */
public final class H265Reader {
  /** §7.4.2.2 Table 7-1: IRAP pictures have nal_unit_type BLA_W_LP (16) .. RSV_IRAP_VCL23 (23). */
  public static final int NAL_BLA_W_LP = 16;

  public static final int NAL_RSV_IRAP_VCL23 = 23;
  public static final int NAL_VPS = 32;
  public static final int NAL_SPS = 33;
  public static final int NAL_PPS = 34;
  public static final int NAL_AUD = 35;

  /** VCL NAL unit types are 0..31. */
  private static final int MAX_VCL_NAL_TYPE = 31;

  private H265Sps sps;
  private boolean keyframe;
  private int accessUnits;
  private long malformedSps;

  /** The last SPS seen, or null. */
  public H265Sps sps() {
    return sps;
  }

  /** True when the last consumed payload held an IRAP picture. */
  public boolean keyframe() {
    return keyframe;
  }

  /**
   * Pictures (first_slice_segment_in_pic_flag set) that started in the last consumed payload:
   * normally 1 per PES.
   */
  public int accessUnits() {
    return accessUnits;
  }

  /** SPS NAL units that could not be parsed (the previous one stays active). */
  public long malformedSps() {
    return malformedSps;
  }

  /** Scans one PES payload; {@code inputOffset} is used in error messages. */
  public void consume(byte[] buf, int off, int length, long inputOffset) {
    int end = off + length;
    keyframe = false;
    accessUnits = 0;
    int nal = NalUnits.nextNalStart(buf, off, end);
    while (nal >= 0 && nal < end) {
      int nalEnd = NalUnits.nalEnd(buf, nal, end);
      int type = (buf[nal] >> 1) & 0x3F; // nal_unit_type, §7.3.1.2
      if (type <= MAX_VCL_NAL_TYPE) {
        // first_slice_segment_in_pic_flag is the first bit after the 2-byte NAL header.
        if (nal + 2 < nalEnd && (buf[nal + 2] & 0x80) != 0) {
          accessUnits++;
        }
        keyframe |= type >= NAL_BLA_W_LP && type <= NAL_RSV_IRAP_VCL23;
      } else if (type == NAL_SPS) {
        try {
          sps = H265Sps.parse(buf, nal, nalEnd, inputOffset);
        } catch (MalformedMediaException e) {
          malformedSps++;
        }
      }
      nal = NalUnits.nextNalStart(buf, nalEnd, end);
    }
  }
}
