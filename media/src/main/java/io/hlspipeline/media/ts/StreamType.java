package io.hlspipeline.media.ts;

/** stream_type values of the PMT (ISO/IEC 13818-1 §2.4.4.9 Table 2-34) that this code knows. */
public final class StreamType {
  /** ISO/IEC 11172-3 (MPEG-1) audio. */
  public static final int MPEG1_AUDIO = 0x03;

  /** ISO/IEC 13818-3 (MPEG-2) audio. */
  public static final int MPEG2_AUDIO = 0x04;

  /** ISO/IEC 13818-7 AAC audio with the ADTS transport syntax. */
  public static final int AAC_ADTS = 0x0F;

  /** Metadata carried in PES packets (ID3 timed metadata in HLS). */
  public static final int METADATA_PES = 0x15;

  /** ITU-T H.264 | ISO/IEC 14496-10 video. */
  public static final int H264 = 0x1B;

  /** ITU-T H.265 | ISO/IEC 23008-2 video. */
  public static final int H265 = 0x24;

  private StreamType() {}

  /** True for the video types the cutter can find keyframes in. */
  public static boolean isSupportedVideo(int streamType) {
    return streamType == H264 || streamType == H265;
  }

  /** True for the audio types the cutter can time. */
  public static boolean isSupportedAudio(int streamType) {
    return streamType == AAC_ADTS;
  }
}
