package io.hlspipeline.ingest.whip;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Writes the SDP answer to a {@link WhipOffer} (RFC 8829 §5.3, RFC 9725 §4.2): the media sections
 * in offer order, each chosen one {@code recvonly} with its one codec, rejected ones with port 0;
 * the accepted ones in one BUNDLE group (RFC 8843) with rtcp-mux; {@code a=ice-lite}, our ICE
 * credentials and host candidates, and {@code a=setup:active}: we are the DTLS client (RFC 8842
 * §5.3), which suits both ffmpeg's {@code passive} and browsers' {@code actpass}.
 */
public final class SdpAnswer {
  private SdpAnswer() {}

  /**
   * The answer's text, CRLF line ends.
   *
   * @param sessionId the {@code o=} sess-id, digits
   * @param iceUfrag our ICE username fragment (4–256 ice-chars, RFC 8839 §5.4)
   * @param icePwd our ICE password (22–256 ice-chars)
   * @param fingerprintSha256 our DTLS certificate's SHA-256, 32 bytes
   * @param hostCandidates the addresses publishers reach our UDP port at
   */
  public static String write(
      WhipOffer offer,
      long sessionId,
      String iceUfrag,
      String icePwd,
      byte[] fingerprintSha256,
      List<InetSocketAddress> hostCandidates) {
    StringBuilder sdp = new StringBuilder(2048);
    line(sdp, "v=0");
    line(sdp, "o=- " + Long.toUnsignedString(sessionId) + " 2 IN IP4 127.0.0.1");
    line(sdp, "s=-");
    line(sdp, "t=0 0");
    // RFC 8445 §2.5: we answer checks and never send them; the publisher controls and nominates
    line(sdp, "a=ice-lite");
    List<String> bundled = new ArrayList<>();
    for (WhipOffer.Media m : offer.media()) {
      if (m.codec() != WhipOffer.Codec.NONE) {
        bundled.add(m.mid());
      }
    }
    line(sdp, "a=group:BUNDLE " + String.join(" ", bundled));
    line(sdp, "a=msid-semantic: WMS");
    String fingerprint = fingerprint(fingerprintSha256);
    for (WhipOffer.Media m : offer.media()) {
      if (m.codec() == WhipOffer.Codec.NONE) {
        // RFC 8829 §5.3.1: a rejected section keeps its place, port 0, one of its formats
        String format = m.section().formats().isEmpty() ? "0" : m.section().formats().get(0);
        line(sdp, "m=" + m.section().type() + " 0 " + m.section().protocol() + " " + format);
        line(sdp, "c=IN IP4 0.0.0.0");
        line(sdp, "a=mid:" + m.mid());
        line(sdp, "a=inactive");
        continue;
      }
      int pt = m.payloadType();
      line(sdp, "m=" + m.section().type() + " 9 UDP/TLS/RTP/SAVPF " + pt);
      line(sdp, "c=IN IP4 0.0.0.0");
      line(sdp, "a=mid:" + m.mid());
      line(sdp, "a=recvonly");
      line(sdp, "a=ice-ufrag:" + iceUfrag);
      line(sdp, "a=ice-pwd:" + icePwd);
      line(sdp, "a=fingerprint:sha-256 " + fingerprint);
      line(sdp, "a=setup:active");
      line(sdp, "a=rtcp-mux");
      line(sdp, "a=rtpmap:" + pt + " " + m.rtpmap());
      if (!m.fmtp().isEmpty()) {
        line(sdp, "a=fmtp:" + pt + " " + m.fmtp());
      }
      if (m.codec() == WhipOffer.Codec.H264) {
        // RFC 4585 §4.2 / RFC 5104 §7.1: we ask for keyframes with PLI and FIR
        line(sdp, "a=rtcp-fb:" + pt + " nack pli");
        line(sdp, "a=rtcp-fb:" + pt + " ccm fir");
      }
      int foundation = 1;
      for (InetSocketAddress c : hostCandidates) {
        // RFC 8839 §5.1: foundation component transport priority address port typ host;
        // priority (RFC 8445 §5.1.2.1) type preference 126, local preference 65535, component 1
        line(
            sdp,
            "a=candidate:"
                + foundation++
                + " 1 udp 2130706431 "
                + c.getAddress().getHostAddress()
                + " "
                + c.getPort()
                + " typ host");
      }
      line(sdp, "a=end-of-candidates");
    }
    return sdp.toString();
  }

  /** RFC 8122 §5: uppercase hex pairs separated by colons. */
  static String fingerprint(byte[] sha256) {
    StringJoiner j = new StringJoiner(":");
    for (byte b : sha256) {
      j.add(String.format("%02X", b & 0xFF));
    }
    return j.toString();
  }

  private static void line(StringBuilder sdp, String line) {
    sdp.append(line).append("\r\n");
  }
}
