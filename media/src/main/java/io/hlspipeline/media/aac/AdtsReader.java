package io.hlspipeline.media.aac;

/**
 * Walks the ADTS frames of an AAC PES payload (ISO/IEC 13818-7 §6.2 adts_frame; ISO/IEC 14496-3
 * §1.A.2): counts frames and samples and keeps the audio object type and sampling rate for the
 * CODECS string ({@code mp4a.40.2} for AAC-LC). Not thread-safe.
 */
public final class AdtsReader {
  /** §6.2.1 syncword: 12 one bits. */
  public static final int ADTS_SYNCWORD = 0xFFF;

  /** A raw_data_block holds 1024 samples per channel (ISO/IEC 14496-3 §4.5.2.1, AAC-LC frame). */
  public static final int SAMPLES_PER_RAW_DATA_BLOCK = 1024;

  /** §4.5.1.1 sampling_frequency_index → sampling frequency; 0 = reserved/escape. */
  private static final int[] SAMPLING_FREQUENCIES = {
    96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350, 0, 0, 0
  };

  private static final int ADTS_HEADER_SIZE = 7;

  private int audioObjectType;
  private int sampleRate;
  private int channelConfiguration;
  private int frames;
  private long samples;
  private long malformed;

  /** Scans one PES payload of consecutive ADTS frames. */
  public void consume(byte[] buf, int off, int length) {
    int end = off + length;
    frames = 0;
    samples = 0;
    int p = off;
    while (p + ADTS_HEADER_SIZE <= end) {
      int syncword = ((buf[p] & 0xFF) << 4) | ((buf[p + 1] & 0xF0) >> 4);
      if (syncword != ADTS_SYNCWORD) {
        malformed++;
        return;
      }
      int profile = (buf[p + 2] >> 6) & 0x3; // profile_ObjectType
      int samplingIndex = (buf[p + 2] >> 2) & 0xF; // sampling_frequency_index
      int channels = ((buf[p + 2] & 0x1) << 2) | ((buf[p + 3] >> 6) & 0x3);
      int frameLength = // aac_frame_length, 13 bits, header included
          ((buf[p + 3] & 0x3) << 11) | ((buf[p + 4] & 0xFF) << 3) | ((buf[p + 5] & 0xE0) >> 5);
      int rawDataBlocks = (buf[p + 6] & 0x3) + 1; // number_of_raw_data_blocks_in_frame + 1
      int rate = SAMPLING_FREQUENCIES[samplingIndex];
      if (frameLength < ADTS_HEADER_SIZE || rate == 0) {
        malformed++;
        return;
      }
      audioObjectType = profile + 1; // §1.A.2.2.1: profile_ObjectType = audioObjectType − 1
      sampleRate = rate;
      channelConfiguration = channels;
      frames++;
      samples += (long) rawDataBlocks * SAMPLES_PER_RAW_DATA_BLOCK;
      p += frameLength;
    }
  }

  /** RFC 6381 §3.3: {@code mp4a.40.<audio object type>}, or null before the first frame. */
  public String codecs() {
    return audioObjectType == 0 ? null : "mp4a.40." + audioObjectType;
  }

  /** Sampling frequency of the last frame in Hz, 0 before the first frame. */
  public int sampleRate() {
    return sampleRate;
  }

  /** channel_configuration of the last frame. */
  public int channelConfiguration() {
    return channelConfiguration;
  }

  /** ADTS frames in the last consumed payload. */
  public int frames() {
    return frames;
  }

  /** Samples per channel in the last consumed payload. */
  public long samples() {
    return samples;
  }

  /** Duration of the last consumed payload in 90 kHz ticks, 0 if unknown. */
  public long duration90k() {
    return sampleRate == 0 ? 0 : samples * 90_000 / sampleRate;
  }

  /** Payloads that did not parse as ADTS to their end. */
  public long malformed() {
    return malformed;
  }
}
