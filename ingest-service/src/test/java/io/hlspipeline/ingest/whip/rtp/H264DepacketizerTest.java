package io.hlspipeline.ingest.whip.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class H264DepacketizerTest {
  private record Unit(long timestamp, byte[] annexB, boolean idr) {}

  private final List<Unit> units = new ArrayList<>();
  private int keyframeRequests;
  private H264Depacketizer depacketizer;
  private RtpTestPackets rtp;
  private byte[] sps;
  private byte[] pps;

  @BeforeEach
  void setUp() {
    depacketizer =
        new H264Depacketizer(
            (ts, au, len, idr) -> units.add(new Unit(ts, RtpTestPackets.copy(au, len), idr)),
            () -> keyframeRequests++,
            1 << 20);
    rtp = new RtpTestPackets(65_530, 1200);
    sps = rtp.nal(7, 20);
    pps = rtp.nal(8, 5);
  }

  private void feed(List<RtpPacket> packets) {
    packets.forEach(p -> depacketizer.packet(p, false));
  }

  @Test
  void packet_singleNalUnits_makeOneAnnexBAccessUnit() {
    byte[] idr = rtp.nal(5, 900);

    feed(rtp.accessUnit(3000, sps, pps, idr));

    assertThat(units).hasSize(1);
    assertThat(units.get(0).idr()).isTrue();
    assertThat(units.get(0).timestamp()).isEqualTo(3000);
    assertThat(units.get(0).annexB()).isEqualTo(RtpTestPackets.annexB(sps, pps, idr));
    assertThat(keyframeRequests).isZero();
  }

  @Test
  void packet_stapAAndFuA_areReassembledAcrossSequenceWrap() {
    byte[] idr = rtp.nal(5, 5000); // five FU-A fragments, crossing seq 65535 -> 0
    byte[] p1 = rtp.nal(1, 3000);

    depacketizer.packet(rtp.stapA(3000, false, sps, pps), false);
    feed(rtp.accessUnit(3000, idr));
    feed(rtp.accessUnit(6000, p1));

    assertThat(units).extracting(Unit::idr).containsExactly(true, false);
    assertThat(units.get(0).annexB()).isEqualTo(RtpTestPackets.annexB(sps, pps, idr));
    assertThat(units.get(1).annexB()).isEqualTo(RtpTestPackets.annexB(p1));
  }

  @Test
  void packet_beforeTheFirstIdr_isDroppedAndAKeyframeRequested() {
    feed(rtp.accessUnit(3000, rtp.nal(1, 500)));
    feed(rtp.accessUnit(6000, rtp.nal(1, 500)));
    byte[] idr = rtp.nal(5, 700);
    feed(rtp.accessUnit(9000, sps, pps, idr));

    assertThat(units).extracting(Unit::timestamp).containsExactly(9000L);
    assertThat(keyframeRequests).isEqualTo(2);
    assertThat(depacketizer.droppedAccessUnits()).isEqualTo(2);
  }

  @Test
  void packet_gapInsideAFragmentedNal_dropsUntilTheNextIdr_whichGetsCachedParameterSets() {
    feed(rtp.accessUnit(3000, sps, pps, rtp.nal(5, 700)));
    List<RtpPacket> broken = rtp.accessUnit(6000, rtp.nal(1, 4000)); // four fragments
    depacketizer.packet(broken.get(0), false);
    depacketizer.packet(broken.get(2), true); // fragment 1 lost
    depacketizer.packet(broken.get(3), false);
    feed(rtp.accessUnit(9000, rtp.nal(1, 300))); // decodable only with the lost frame
    byte[] idr = rtp.nal(5, 800);
    feed(rtp.accessUnit(12000, idr)); // no SPS/PPS repeated by the sender

    assertThat(units).extracting(Unit::timestamp).containsExactly(3000L, 12000L);
    assertThat(units.get(1).annexB()).isEqualTo(RtpTestPackets.annexB(sps, pps, idr));
    assertThat(keyframeRequests).isGreaterThanOrEqualTo(1);
  }

  @Test
  void packet_lostMarker_timestampChangeEndsTheAccessUnit() {
    byte[] idr = rtp.nal(5, 300);
    List<RtpPacket> first = rtp.accessUnit(3000, sps, pps, idr);
    // the same packets, marker cleared on the last one
    for (int i = 0; i < first.size(); i++) {
      RtpPacket p = first.get(i);
      depacketizer.packet(
          new RtpPacket(
              false,
              p.payloadType(),
              p.sequenceNumber(),
              p.timestamp(),
              p.ssrc(),
              p.data(),
              p.payloadOffset(),
              p.payloadLength()),
          false);
    }
    feed(rtp.accessUnit(6000, rtp.nal(1, 100)));

    assertThat(units).extracting(Unit::timestamp).containsExactly(3000L, 6000L);
    assertThat(units.get(0).annexB()).isEqualTo(RtpTestPackets.annexB(sps, pps, idr));
  }

  @Test
  void packet_idrWithoutAnyParameterSets_isDropped() {
    feed(rtp.accessUnit(3000, rtp.nal(5, 300)));

    assertThat(units).isEmpty();
    assertThat(keyframeRequests).isEqualTo(1);
  }

  @Test
  void packet_accessUnitPastTheLimit_isDropped() {
    H264Depacketizer small =
        new H264Depacketizer(
            (ts, au, len, idr) -> units.add(new Unit(ts, RtpTestPackets.copy(au, len), idr)),
            () -> keyframeRequests++,
            4096);
    rtp.accessUnit(3000, sps, pps, rtp.nal(5, 10_000)).forEach(p -> small.packet(p, false));
    byte[] idr = rtp.nal(5, 1000);
    rtp.accessUnit(6000, sps, pps, idr).forEach(p -> small.packet(p, false));

    assertThat(units).extracting(Unit::timestamp).containsExactly(6000L);
  }

  @Test
  void packet_malformedStapA_breaksOnlyItsAccessUnit() {
    byte[] bad = new byte[] {0x78, 0x00, 0x40, 0x67}; // claims 64 bytes, has 1
    depacketizer.packet(rtp.packet(3000, true, bad), false);
    byte[] idr = rtp.nal(5, 100);
    feed(rtp.accessUnit(6000, sps, pps, idr));

    assertThat(units).extracting(Unit::timestamp).containsExactly(6000L);
  }
}
