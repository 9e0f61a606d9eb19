package io.hlspipeline.media.h264;

import io.hlspipeline.media.MalformedMediaException;
import io.hlspipeline.media.nal.NalUnits;

/**
 * Scans H.264 Annex B byte streams PES by PES: finds access-unit boundaries (§7.4.1.2.3), IDR
 * pictures and the active SPS. Not thread-safe.
 */
public final class H264Reader {
  /** §7.4.1 Table 7-1 nal_unit_type values. */
  public static final int NAL_SLICE_NON_IDR = 1;

  public static final int NAL_SLICE_IDR = 5;
  public static final int NAL_SEI = 6;
  public static final int NAL_SPS = 7;
  public static final int NAL_PPS = 8;
  public static final int NAL_AUD = 9;

  private H264Sps sps;
  private boolean keyframe;
  private int accessUnits;
  private long malformedSps;

  /** The last SPS seen, or null. */
  public H264Sps sps() {
    return sps;
  }

  /** True when the last consumed payload held an IDR picture. */
  public boolean keyframe() {
    return keyframe;
  }

  /** SPS NAL units that could not be parsed (the previous one stays active). */
  public long malformedSps() {
    return malformedSps;
  }

  /**
   * Primary coded pictures (first_mb_in_slice == 0, §7.4.1.2.3) that started in the last consumed
   * payload: normally 1 per PES.
   */
  public int accessUnits() {
    return accessUnits;
  }

  /**
   * Scans one PES payload.
   *
   * @param inputOffset position for error messages
   */
  public void consume(byte[] buf, int off, int length, long inputOffset) {
    int end = off + length;
    keyframe = false;
    accessUnits = 0;
    int nal = NalUnits.nextNalStart(buf, off, end);
    while (nal >= 0 && nal < end) {
      int nalEnd = NalUnits.nalEnd(buf, nal, end);
      int type = buf[nal] & 0x1F;
      switch (type) {
        case NAL_SLICE_IDR, NAL_SLICE_NON_IDR -> {
          // first_mb_in_slice == 0 starts a new primary picture: ue(v) "1" is a set top bit.
          if (nal + 1 < nalEnd && (buf[nal + 1] & 0x80) != 0) {
            accessUnits++;
          }
          keyframe |= type == NAL_SLICE_IDR;
        }
        case NAL_SPS -> {
          try {
            sps = H264Sps.parse(buf, nal, nalEnd, inputOffset);
          } catch (MalformedMediaException e) {
            malformedSps++; // keep the previous SPS: one damaged parameter set is recoverable
          }
        }
        default -> {}
      }
      nal = NalUnits.nextNalStart(buf, nalEnd, end);
    }
  }
}
