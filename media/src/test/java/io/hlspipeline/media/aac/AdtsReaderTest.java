package io.hlspipeline.media.aac;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AdtsReaderTest {

  /** An ADTS header (no CRC) for the given fields, followed by zero payload bytes. */
  private static byte[] frame(int profile, int samplingIndex, int channels, int frameLength) {
    byte[] f = new byte[frameLength];
    f[0] = (byte) 0xFF;
    f[1] = (byte) 0xF1; // syncword, MPEG-4, layer 0, protection_absent
    f[2] = (byte) ((profile << 6) | (samplingIndex << 2) | (channels >> 2));
    f[3] = (byte) (((channels & 3) << 6) | (frameLength >> 11));
    f[4] = (byte) (frameLength >> 3);
    f[5] = (byte) (((frameLength & 7) << 5) | 0x1F);
    f[6] = (byte) 0xFC; // buffer fullness, one raw data block
    return f;
  }

  @Test
  void consume_countsFramesAndDerivesCodecsAndDuration() {
    byte[] a = frame(1, 3, 2, 20); // AAC-LC (object type 2), 48 kHz, stereo
    byte[] pes = new byte[40];
    System.arraycopy(a, 0, pes, 0, 20);
    System.arraycopy(a, 0, pes, 20, 20);
    AdtsReader reader = new AdtsReader();
    reader.consume(pes, 0, pes.length);
    assertThat(reader.frames()).isEqualTo(2);
    assertThat(reader.codecs()).isEqualTo("mp4a.40.2");
    assertThat(reader.sampleRate()).isEqualTo(48000);
    assertThat(reader.channelConfiguration()).isEqualTo(2);
    assertThat(reader.duration90k()).isEqualTo(2 * 1024 * 90_000 / 48_000);
  }

  @Test
  void consume_heAacProfileAndBadSync() {
    AdtsReader reader = new AdtsReader();
    byte[] main = frame(0, 4, 1, 10); // AAC Main, 44.1 kHz
    reader.consume(main, 0, main.length);
    assertThat(reader.codecs()).isEqualTo("mp4a.40.1");
    byte[] junk = {1, 2, 3, 4, 5, 6, 7, 8};
    reader.consume(junk, 0, junk.length);
    assertThat(reader.frames()).isZero();
    assertThat(reader.malformed()).isEqualTo(1);
  }
}
