package io.hlspipeline.media.h265;

import io.hlspipeline.media.MalformedMediaException;
import io.hlspipeline.media.nal.BitReader;
import io.hlspipeline.media.nal.NalUnits;

/**
 * The fields of an H.265 sequence parameter set needed for an HLS CODECS string and RESOLUTION
 * (ITU-T H.265 §7.3.2.2 seq_parameter_set_rbsp, §7.3.3 profile_tier_level).
 *
 * @param profileSpace general_profile_space (0..3)
 * @param tierFlag general_tier_flag
 * @param profileIdc general_profile_idc
 * @param profileCompatibilityFlags general_profile_compatibility_flag[0..31], flag 0 in the top bit
 * @param constraintFlags the 48 bits from general_progressive_source_flag on, top-aligned in 6
 *     bytes
 * @param levelIdc general_level_idc
 * @param width displayed width after the conformance window
 * @param height displayed height after the conformance window
 */
public record H265Sps(
    int profileSpace,
    boolean tierFlag,
    int profileIdc,
    long profileCompatibilityFlags,
    long constraintFlags,
    int levelIdc,
    int width,
    int height) {

  /**
   * ISO/IEC 14496-15 Annex E: {@code hvc1.[A-C]<profile>.<compat reversed
   * hex>.<L|H><level>.<constraint bytes, trailing zero bytes dropped>}, e.g. {@code
   * hvc1.1.6.L93.B0}.
   */
  public String codecs() {
    StringBuilder s = new StringBuilder("hvc1.");
    if (profileSpace > 0) {
      s.append((char) ('A' + profileSpace - 1));
    }
    s.append(profileIdc).append('.');
    s.append(
        Long.toHexString(Long.reverse(profileCompatibilityFlags << 32) & 0xFFFFFFFFL)
            .toUpperCase());
    s.append('.').append(tierFlag ? 'H' : 'L').append(levelIdc);
    int lastNonZero = -1;
    for (int i = 0; i < 6; i++) {
      if (constraintByte(i) != 0) {
        lastNonZero = i;
      }
    }
    for (int i = 0; i <= lastNonZero; i++) {
      s.append('.').append(Integer.toHexString(constraintByte(i)).toUpperCase());
    }
    return s.toString();
  }

  private int constraintByte(int i) {
    return (int) (constraintFlags >>> (40 - 8 * i)) & 0xFF;
  }

  /**
   * Parses an SPS NAL unit (2-byte header included, emulation prevention still present).
   *
   * @param inputOffset position for error messages
   */
  public static H265Sps parse(byte[] buf, int off, int end, long inputOffset)
      throws MalformedMediaException {
    byte[] rbsp = NalUnits.unescapeRbsp(buf, off, end);
    BitReader r = new BitReader(rbsp, 2, Math.max(0, rbsp.length - 2), inputOffset);
    r.skip(4); // sps_video_parameter_set_id
    int maxSubLayersMinus1 = r.bitsInt(3); // sps_max_sub_layers_minus1
    r.skip(1); // sps_temporal_id_nesting_flag
    // §7.3.3 profile_tier_level(1, sps_max_sub_layers_minus1)
    int profileSpace = r.bitsInt(2);
    boolean tierFlag = r.flag();
    int profileIdc = r.bitsInt(5);
    long compatibility = r.bits(32);
    long constraint = r.bits(48);
    int levelIdc = r.bitsInt(8);
    boolean[] subLayerProfilePresent = new boolean[maxSubLayersMinus1];
    boolean[] subLayerLevelPresent = new boolean[maxSubLayersMinus1];
    for (int i = 0; i < maxSubLayersMinus1; i++) {
      subLayerProfilePresent[i] = r.flag();
      subLayerLevelPresent[i] = r.flag();
    }
    if (maxSubLayersMinus1 > 0) {
      r.skip(2 * (8 - maxSubLayersMinus1)); // reserved_zero_2bits
    }
    for (int i = 0; i < maxSubLayersMinus1; i++) {
      if (subLayerProfilePresent[i]) {
        r.skip(88); // sub_layer profile_space..level-independent flags
      }
      if (subLayerLevelPresent[i]) {
        r.skip(8); // sub_layer_level_idc
      }
    }
    r.ue(); // sps_seq_parameter_set_id
    int chromaFormatIdc = r.ue();
    boolean separateColourPlane = false;
    if (chromaFormatIdc == 3) {
      separateColourPlane = r.flag();
    }
    long width = r.ue(); // pic_width_in_luma_samples
    long height = r.ue(); // pic_height_in_luma_samples
    if (r.flag()) { // conformance_window_flag
      int left = r.ue();
      int right = r.ue();
      int top = r.ue();
      int bottom = r.ue();
      // §6.2 Table 6-1: SubWidthC/SubHeightC; 1 for monochrome or separate planes.
      int chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
      int subWidthC = chromaArrayType == 1 || chromaArrayType == 2 ? 2 : 1;
      int subHeightC = chromaArrayType == 1 ? 2 : 1;
      width -= (long) subWidthC * (left + (long) right);
      height -= (long) subHeightC * (top + (long) bottom);
    }
    if (width <= 0 || height <= 0 || width > 16888 || height > 16888) {
      throw MalformedMediaException.atOffset(
          inputOffset, "SPS picture size out of range: " + width + "x" + height);
    }
    return new H265Sps(
        profileSpace,
        tierFlag,
        profileIdc,
        compatibility,
        constraint,
        levelIdc,
        (int) width,
        (int) height);
  }
}
