package io.hlspipeline.media.h265;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class H265SpsTest {

  @Test
  void codecs_followsIso14496_15AnnexE() {
    // Main profile: compatibility flags 1 and 2 set; progressive, non-packed, frame-only.
    H265Sps main = new H265Sps(0, false, 1, 0x6000_0000L, 0xB000_0000_0000L, 93, 1280, 720);
    assertThat(main.codecs()).isEqualTo("hvc1.1.6.L93.B0");
    H265Sps main10High = new H265Sps(0, true, 2, 0x2000_0000L, 0x9000_0000_0000L, 153, 3840, 2160);
    assertThat(main10High.codecs()).isEqualTo("hvc1.2.4.H153.90");
  }
}
