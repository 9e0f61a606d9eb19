package io.hlspipeline.ingest.whip.audio;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OpusTocTest {
  private static int samples(int... bytes) {
    byte[] b = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      b[i] = (byte) bytes[i];
    }
    return OpusToc.samples48k(b, 0, b.length);
  }

  @Test
  void samples48k_readsConfigAndFrameCount() {
    // config 31 (CELT 20 ms), code 0: what WebRTC sends at 20 ms ptime in CELT mode
    assertThat(samples(31 << 3)).isEqualTo(960);
    // config 15 (hybrid FB 20 ms), code 0
    assertThat(samples(15 << 3)).isEqualTo(960);
    // config 1 (SILK NB 20 ms), code 1: two frames
    assertThat(samples(1 << 3 | 1)).isEqualTo(1920);
    // config 3 (SILK NB 60 ms), code 0
    assertThat(samples(3 << 3)).isEqualTo(2880);
    // config 16 (CELT 2.5 ms), code 3 with 6 frames
    assertThat(samples(16 << 3 | 3, 6)).isEqualTo(720);
  }

  @Test
  void samples48k_rejectsWhatCannotBeOpus() {
    assertThat(samples()).isEqualTo(-1);
    assertThat(samples(31 << 3 | 3)).as("code 3 without its count byte").isEqualTo(-1);
    assertThat(samples(31 << 3 | 3, 0)).as("zero frames").isEqualTo(-1);
    // 60 ms × 3 = 180 ms > 120 ms
    assertThat(samples(3 << 3 | 3, 3)).isEqualTo(-1);
  }
}
