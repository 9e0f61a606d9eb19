package io.hlspipeline.ingest.whip.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RtpPacketTest {
  @Test
  void parse_csrcExtensionAndPadding_findsThePayload() {
    byte[] d = {
      (byte) 0xB1,
      (byte) 0xE6,
      0x12,
      0x34, // V=2 P=1 X=1 CC=1; M=1 PT=102; seq 0x1234
      0,
      0,
      0x0B,
      (byte) 0xB8, // timestamp 3000
      (byte) 0xDE,
      (byte) 0xAD,
      (byte) 0xBE,
      (byte) 0xEF, // SSRC
      0,
      0,
      0,
      7, // CSRC
      (byte) 0xBE,
      (byte) 0xDE,
      0,
      1,
      0x10,
      0x55,
      0,
      0, // one-byte extension, 1 word
      0x65,
      1,
      2, // payload
      0,
      2 // padding, count 2
    };

    RtpPacket p = RtpPacket.parse(d, 0, d.length);

    assertThat(p.marker()).isTrue();
    assertThat(p.payloadType()).isEqualTo(102);
    assertThat(p.sequenceNumber()).isEqualTo(0x1234);
    assertThat(p.timestamp()).isEqualTo(3000);
    assertThat(p.ssrc()).isEqualTo(0xDEADBEEFL);
    assertThat(p.payloadOffset()).isEqualTo(24);
    assertThat(p.payloadLength()).isEqualTo(3);
  }

  @Test
  void parse_truncatedOrNotVersion2_isNull() {
    byte[] header = {(byte) 0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1};
    assertThat(RtpPacket.parse(header, 0, 11)).isNull();
    byte[] v1 = header.clone();
    v1[0] = 0x40;
    assertThat(RtpPacket.parse(v1, 0, v1.length)).isNull();
    byte[] fifteenCsrcs = header.clone();
    fifteenCsrcs[0] = (byte) 0x8F;
    assertThat(RtpPacket.parse(fifteenCsrcs, 0, fifteenCsrcs.length)).isNull();
    byte[] padAll = {(byte) 0xA0, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 40};
    assertThat(RtpPacket.parse(padAll, 0, padAll.length)).isNull();
  }

  @Test
  void isRtcp_followsRfc5761() {
    assertThat(RtpPacket.isRtcp(new byte[] {(byte) 0x81, (byte) 206}, 0, 2)).isTrue();
    assertThat(RtpPacket.isRtcp(new byte[] {(byte) 0x80, (byte) 200}, 0, 2)).isTrue();
    assertThat(RtpPacket.isRtcp(new byte[] {(byte) 0x80, (byte) 0xE6}, 0, 2)).isFalse();
  }
}
