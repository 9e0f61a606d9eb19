package io.hlspipeline.ingest.whip.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReorderBufferTest {
  private final List<Integer> released = new ArrayList<>();
  private final List<Integer> gapsBefore = new ArrayList<>();
  private final ReorderBuffer buffer =
      new ReorderBuffer(
          4,
          (p, gap) -> {
            released.add(p.sequenceNumber());
            if (gap) {
              gapsBefore.add(p.sequenceNumber());
            }
          });
  private final RtpTestPackets rtp = new RtpTestPackets(0, 1200);

  private RtpPacket seq(int s) {
    RtpPacket p = rtp.packet(0, false, new byte[] {1});
    return new RtpPacket(false, 106, s & 0xFFFF, 0, 1, p.data(), p.payloadOffset(), 1);
  }

  @Test
  void add_outOfOrderWithinDepth_releasesInOrderAcrossWrap() {
    for (int s : new int[] {65534, 0, 65535, 2, 1, 3}) {
      buffer.add(seq(s));
    }

    assertThat(released).containsExactly(65534, 65535, 0, 1, 2, 3);
    assertThat(gapsBefore).isEmpty();
  }

  @Test
  void add_lostPacket_isGivenUpOnceDepthPacketsWait_andFlagged() {
    buffer.add(seq(10));
    for (int s = 12; s <= 15; s++) {
      buffer.add(seq(s));
    }

    assertThat(released).containsExactly(10, 12, 13, 14, 15);
    assertThat(gapsBefore).containsExactly(12);
    assertThat(buffer.lost()).isEqualTo(1);
  }

  @Test
  void add_lateAndDuplicatePackets_areDropped() {
    buffer.add(seq(10));
    buffer.add(seq(11));
    buffer.add(seq(11));
    buffer.add(seq(9));
    buffer.add(seq(13));
    buffer.add(seq(13));

    assertThat(released).containsExactly(10, 11);
    assertThat(buffer.dropped()).isEqualTo(3);
  }

  @Test
  void add_jumpFarAhead_skipsToIt() {
    buffer.add(seq(10));
    buffer.add(seq(1000));

    assertThat(released).containsExactly(10, 1000);
    assertThat(gapsBefore).containsExactly(1000);
  }
}
