package io.hlspipeline.media.h264;

import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.media.MalformedMediaException;
import org.junit.jupiter.api.Test;

class H264SpsTest {

  @Test
  void codecs_isProfileConstraintsLevelInHex() {
    assertThat(new H264Sps(100, 0x00, 31, 1280, 720).codecs()).isEqualTo("avc1.64001f");
    assertThat(new H264Sps(66, 0xC0, 30, 640, 360).codecs()).isEqualTo("avc1.42c01e");
  }

  @Test
  void parse_truncated_throwsMalformedMedia() {
    byte[] sps = hex("6764001f");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> H264Sps.parse(sps, 0, sps.length, 99))
        .isInstanceOf(MalformedMediaException.class)
        .hasMessageContaining("99");
  }

  static byte[] hex(String s) {
    byte[] out = new byte[s.length() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    }
    return out;
  }
}
