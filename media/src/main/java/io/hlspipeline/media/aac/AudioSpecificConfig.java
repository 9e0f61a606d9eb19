package io.hlspipeline.media.aac;

import io.hlspipeline.media.MalformedMediaException;

/**
 * The head of an MPEG-4 AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1), as FLV and MP4 carry it
 * once per stream, and the ADTS header (ISO/IEC 13818-7 §6.2, ISO/IEC 14496-3 §1.A.2) that lets
 * each raw AAC frame stand alone in MPEG-TS.
 *
 * @param audioObjectType 1..4 (Main, LC, SSR, LTP): the object types an ADTS header can signal
 * @param samplingFrequencyIndex 0..12 (§1.6.3.4 Table 1.18)
 * @param channelConfiguration 0..7
 */
public record AudioSpecificConfig(
    int audioObjectType, int samplingFrequencyIndex, int channelConfiguration) {
  /** adts_fixed_header + adts_variable_header without CRC (protection_absent = 1). */
  public static final int ADTS_HEADER_SIZE = 7;

  /** aac_frame_length is 13 bits and counts the header too. */
  public static final int MAX_ADTS_FRAME_LENGTH = (1 << 13) - 1;

  /** §1.6.2.1 audioObjectType escape value: the real type follows in 6 more bits. */
  private static final int AOT_ESCAPE = 31;

  /** §1.6.3.4 samplingFrequencyIndex escape: an explicit 24-bit frequency, no ADTS index. */
  private static final int SFI_ESCAPE = 15;

  private static final int MAX_ADTS_OBJECT_TYPE = 4;

  /**
   * Parses the first bytes of an AudioSpecificConfig.
   *
   * @throws MalformedMediaException when it is shorter than 2 bytes or signals what ADTS cannot
   *     carry (an object type past 4, an explicit sampling frequency)
   */
  public static AudioSpecificConfig parse(byte[] buf, int off, int length)
      throws MalformedMediaException {
    if (length < 2) {
      throw MalformedMediaException.atOffset(off, "AudioSpecificConfig shorter than 2 bytes");
    }
    int bits = ((buf[off] & 0xFF) << 8) | (buf[off + 1] & 0xFF);
    int audioObjectType = bits >>> 11; // audioObjectType, 5 bits
    if (audioObjectType == AOT_ESCAPE || audioObjectType == 0) {
      throw MalformedMediaException.atOffset(
          off, "unsupported AAC audio object type " + audioObjectType);
    }
    int samplingFrequencyIndex = (bits >>> 7) & 0xF; // samplingFrequencyIndex, 4 bits
    int channelConfiguration = (bits >>> 3) & 0xF; // channelConfiguration, 4 bits
    if (audioObjectType > MAX_ADTS_OBJECT_TYPE) {
      throw MalformedMediaException.atOffset(
          off, "AAC audio object type " + audioObjectType + " cannot be carried in ADTS");
    }
    if (samplingFrequencyIndex > 12) {
      throw MalformedMediaException.atOffset(
          off,
          samplingFrequencyIndex == SFI_ESCAPE
              ? "explicit AAC sampling frequency cannot be carried in ADTS"
              : "reserved AAC samplingFrequencyIndex " + samplingFrequencyIndex);
    }
    if (channelConfiguration > 7) {
      throw MalformedMediaException.atOffset(
          off, "reserved AAC channelConfiguration " + channelConfiguration);
    }
    return new AudioSpecificConfig(audioObjectType, samplingFrequencyIndex, channelConfiguration);
  }

  /**
   * Writes the 7-byte ADTS header of a frame with {@code rawLength} bytes of raw_data_block.
   *
   * @throws IllegalArgumentException when the frame would exceed {@link #MAX_ADTS_FRAME_LENGTH}
   */
  public void writeAdtsHeader(byte[] dst, int off, int rawLength) {
    int frameLength = ADTS_HEADER_SIZE + rawLength;
    if (rawLength < 0 || frameLength > MAX_ADTS_FRAME_LENGTH) {
      throw new IllegalArgumentException("AAC frame too long for ADTS: " + rawLength);
    }
    int profile = audioObjectType - 1; // §1.A.2.2.1: profile_ObjectType = audioObjectType - 1
    dst[off] = (byte) 0xFF; // syncword (12 bits)
    dst[off + 1] = (byte) 0xF1; // syncword, ID 0 (MPEG-4), layer 00, protection_absent 1
    dst[off + 2] =
        (byte) ((profile << 6) | (samplingFrequencyIndex << 2) | (channelConfiguration >> 2));
    dst[off + 3] = (byte) (((channelConfiguration & 0x3) << 6) | (frameLength >> 11));
    dst[off + 4] = (byte) (frameLength >> 3);
    // frame length low 3 bits, adts_buffer_fullness 0x7FF (VBR), one raw_data_block
    dst[off + 5] = (byte) (((frameLength & 0x7) << 5) | 0x1F);
    dst[off + 6] = (byte) 0xFC;
  }
}
