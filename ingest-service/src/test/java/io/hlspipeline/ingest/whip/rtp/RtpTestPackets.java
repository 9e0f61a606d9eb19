package io.hlspipeline.ingest.whip.rtp;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Builds RTP packets of H.264 the way RFC 6184 senders do, for tests. */
final class RtpTestPackets {
  private final Random random = new Random(7);
  private int seq;
  private final int mtu;

  RtpTestPackets(int firstSeq, int mtu) {
    this.seq = firstSeq & 0xFFFF;
    this.mtu = mtu;
  }

  /** A NAL unit of {@code type} with {@code size} bytes (header included), random body. */
  byte[] nal(int type, int size) {
    byte[] n = new byte[size];
    random.nextBytes(n);
    n[0] = (byte) (0x60 | type); // F=0, NRI=3
    return n;
  }

  /** One packet per NAL unit that fits, FU-A for larger ones; the last packet has the marker. */
  List<RtpPacket> accessUnit(long timestamp, byte[]... nals) {
    List<RtpPacket> packets = new ArrayList<>();
    for (int i = 0; i < nals.length; i++) {
      boolean lastNal = i == nals.length - 1;
      byte[] nal = nals[i];
      if (nal.length <= mtu) {
        packets.add(packet(timestamp, lastNal, nal));
        continue;
      }
      int pos = 1;
      while (pos < nal.length) {
        int part = Math.min(mtu - 2, nal.length - pos);
        byte[] payload = new byte[part + 2];
        payload[0] = (byte) ((nal[0] & 0xE0) | 28); // FU indicator
        payload[1] =
            (byte)
                ((pos == 1 ? 0x80 : 0) | (pos + part == nal.length ? 0x40 : 0) | (nal[0] & 0x1F));
        System.arraycopy(nal, pos, payload, 2, part);
        pos += part;
        packets.add(packet(timestamp, lastNal && pos == nal.length, payload));
      }
    }
    return packets;
  }

  /** A STAP-A of {@code nals} (RFC 6184 §5.7.1). */
  RtpPacket stapA(long timestamp, boolean marker, byte[]... nals) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x78); // F=0, NRI=3, type 24
    for (byte[] n : nals) {
      out.write(n.length >> 8);
      out.write(n.length & 0xFF);
      out.writeBytes(n);
    }
    return packet(timestamp, marker, out.toByteArray());
  }

  RtpPacket packet(long timestamp, boolean marker, byte[] payload) {
    byte[] d = new byte[RtpPacket.HEADER_BYTES + payload.length];
    d[0] = (byte) 0x80;
    d[1] = (byte) ((marker ? 0x80 : 0) | 106);
    d[2] = (byte) (seq >> 8);
    d[3] = (byte) seq;
    d[4] = (byte) (timestamp >> 24);
    d[5] = (byte) (timestamp >> 16);
    d[6] = (byte) (timestamp >> 8);
    d[7] = (byte) timestamp;
    d[11] = 1;
    System.arraycopy(payload, 0, d, RtpPacket.HEADER_BYTES, payload.length);
    seq = (seq + 1) & 0xFFFF;
    return RtpPacket.parse(d, 0, d.length);
  }

  /** The Annex B form the depacketizer must produce: AUD then start code + NAL each. */
  static byte[] annexB(byte[]... nals) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {0, 0, 0, 1, 9, (byte) 0xF0});
    for (byte[] n : nals) {
      out.writeBytes(new byte[] {0, 0, 0, 1});
      out.writeBytes(n);
    }
    return out.toByteArray();
  }

  static byte[] copy(byte[] b, int length) {
    return Arrays.copyOf(b, length);
  }
}
