package io.hlspipeline.media.h264;

import io.hlspipeline.media.MalformedMediaException;
import io.hlspipeline.media.nal.BitReader;
import io.hlspipeline.media.nal.NalUnits;

/**
 * The fields of an H.264 sequence parameter set needed for an HLS CODECS string and RESOLUTION
 * (ITU-T H.264 §7.3.2.1.1 seq_parameter_set_data).
 *
 * @param profileIdc profile_idc
 * @param constraintFlags the byte holding constraint_set0_flag..constraint_set5_flag + reserved
 *     bits
 * @param levelIdc level_idc
 * @param width displayed width in pixels, after frame cropping
 * @param height displayed height in pixels, after frame cropping
 */
public record H264Sps(int profileIdc, int constraintFlags, int levelIdc, int width, int height) {

  /** RFC 6381 §3.3 / ISO/IEC 14496-15: {@code avc1.PPCCLL}, e.g. {@code avc1.64001f}. */
  public String codecs() {
    return String.format("avc1.%02x%02x%02x", profileIdc, constraintFlags, levelIdc);
  }

  /**
   * Parses an SPS NAL unit (header byte included, emulation prevention still present).
   *
   * @param inputOffset position for error messages
   */
  public static H264Sps parse(byte[] buf, int off, int end, long inputOffset)
      throws MalformedMediaException {
    byte[] rbsp = NalUnits.unescapeRbsp(buf, off, end);
    BitReader r = new BitReader(rbsp, 1, rbsp.length - 1, inputOffset);
    int profileIdc = r.bitsInt(8);
    int constraintFlags = r.bitsInt(8);
    int levelIdc = r.bitsInt(8);
    r.ue(); // seq_parameter_set_id
    int chromaFormatIdc = 1; // inferred 4:2:0 when absent
    boolean separateColourPlane = false;
    if (hasChromaInfo(profileIdc)) {
      chromaFormatIdc = r.ue();
      if (chromaFormatIdc == 3) {
        separateColourPlane = r.flag();
      }
      r.ue(); // bit_depth_luma_minus8
      r.ue(); // bit_depth_chroma_minus8
      r.skip(1); // qpprime_y_zero_transform_bypass_flag
      if (r.flag()) { // seq_scaling_matrix_present_flag
        int lists = chromaFormatIdc != 3 ? 8 : 12;
        for (int i = 0; i < lists; i++) {
          if (r.flag()) { // seq_scaling_list_present_flag[i]
            skipScalingList(r, i < 6 ? 16 : 64);
          }
        }
      }
    }
    r.ue(); // log2_max_frame_num_minus4
    int picOrderCntType = r.ue();
    if (picOrderCntType == 0) {
      r.ue(); // log2_max_pic_order_cnt_lsb_minus4
    } else if (picOrderCntType == 1) {
      r.skip(1); // delta_pic_order_always_zero_flag
      r.se(); // offset_for_non_ref_pic
      r.se(); // offset_for_top_to_bottom_field
      int cycle = r.ue(); // num_ref_frames_in_pic_order_cnt_cycle
      if (cycle > 255) {
        throw MalformedMediaException.atOffset(inputOffset, "SPS POC cycle too long: " + cycle);
      }
      for (int i = 0; i < cycle; i++) {
        r.se();
      }
    }
    r.ue(); // max_num_ref_frames
    r.skip(1); // gaps_in_frame_num_value_allowed_flag
    int widthInMbs = r.ue() + 1; // pic_width_in_mbs_minus1
    int heightInMapUnits = r.ue() + 1; // pic_height_in_map_units_minus1
    boolean frameMbsOnly = r.flag();
    if (!frameMbsOnly) {
      r.skip(1); // mb_adaptive_frame_field_flag
    }
    r.skip(1); // direct_8x8_inference_flag
    int frameHeightInMbs = (frameMbsOnly ? 1 : 2) * heightInMapUnits; // (7-18)
    long width = widthInMbs * 16L;
    long height = frameHeightInMbs * 16L;
    if (r.flag()) { // frame_cropping_flag
      int left = r.ue();
      int right = r.ue();
      int top = r.ue();
      int bottom = r.ue();
      // §7.4.2.1.1 (7-19)..(7-22): crop units depend on chroma sampling and field coding.
      int chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
      int cropUnitX = chromaArrayType == 0 ? 1 : (chromaFormatIdc == 3 ? 1 : 2);
      int cropUnitY =
          (chromaArrayType == 0 ? 1 : (chromaFormatIdc == 1 ? 2 : 1)) * (frameMbsOnly ? 1 : 2);
      width -= (long) cropUnitX * (left + (long) right);
      height -= (long) cropUnitY * (top + (long) bottom);
    }
    if (width <= 0 || height <= 0 || width > 16384 || height > 16384) {
      throw MalformedMediaException.atOffset(
          inputOffset, "SPS picture size out of range: " + width + "x" + height);
    }
    return new H264Sps(profileIdc, constraintFlags, levelIdc, (int) width, (int) height);
  }

  /** Profiles whose SPS carries chroma_format_idc and the following fields (§7.3.2.1.1). */
  private static boolean hasChromaInfo(int profileIdc) {
    return switch (profileIdc) {
      case 100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135 -> true;
      default -> false;
    };
  }

  /** §7.3.2.1.1.1 scaling_list(). */
  private static void skipScalingList(BitReader r, int size) throws MalformedMediaException {
    int lastScale = 8;
    int nextScale = 8;
    for (int j = 0; j < size; j++) {
      if (nextScale != 0) {
        int deltaScale = r.se();
        nextScale = (lastScale + deltaScale + 256) % 256;
      }
      lastScale = nextScale == 0 ? lastScale : nextScale;
    }
  }
}
