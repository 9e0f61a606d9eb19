package io.hlspipeline.ingest.whip;

import io.hlspipeline.ingest.whip.rtp.RtpPacket;
import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.Map;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;

/**
 * The receive side of one peer's SRTP (RFC 3711): authenticates and decrypts SRTP and SRTCP with
 * the keys the peer sends with, one crypto context per SSRC (at most {@link #MAX_SSRCS}: datagrams
 * of further SSRCs are rejected, so junk cannot make us derive contexts without end), and keeps
 * each SSRC's last sender report (RFC 3550 §6.4.1), which dates its RTP timestamps on the peer's
 * clock. Counts what it accepted and rejected. Not thread-safe: the peer's thread only.
 */
final class SrtpReceiver implements AutoCloseable {
  static final int MAX_SSRCS = 4;

  private static final int RTCP_SR = 200;

  /** Seconds from the NTP epoch (1900) to the Unix epoch (RFC 868). */
  private static final long NTP_TO_UNIX_SECONDS = 2_208_988_800L;

  private final SrtpContextFactory keys;
  private final Map<Long, SrtpCryptoContext> srtpBySsrc = new HashMap<>();
  private final Map<Long, SrtcpCryptoContext> srtcpBySsrc = new HashMap<>();

  /** Per SSRC, the last sender report's {NTP time as Unix microseconds, RTP timestamp}. */
  private final Map<Long, long[]> senderReportBySsrc = new HashMap<>();

  private long rtpPackets;
  private long rtcpPackets;
  private long senderReports;
  private long rejected;

  /**
   * @param keys a receiver's context factory for the peer's master key and salt
   */
  SrtpReceiver(SrtpContextFactory keys) {
    this.keys = keys;
  }

  /**
   * Authenticates and decrypts one SRTP packet in place.
   *
   * @return the RTP packet, or null when it is not authentic (or not RTP)
   */
  RtpPacket rtp(byte[] d) throws GeneralSecurityException {
    long ssrc = RtpPacket.uint32(d, 8);
    SrtpCryptoContext ctx = srtpBySsrc.get(ssrc);
    if (ctx == null) {
      if (srtpBySsrc.size() >= MAX_SSRCS) {
        rejected++;
        return null;
      }
      ctx = keys.deriveContext((int) ssrc, 0);
      srtpBySsrc.put(ssrc, ctx);
    }
    SrtpBuffer buffer = new SrtpBuffer(d, 0, d.length);
    if (ctx.reverseTransformPacket(buffer, false) != SrtpErrorStatus.OK) {
      rejected++;
      return null;
    }
    rtpPackets++;
    return RtpPacket.parse(buffer.getBuffer(), buffer.getOffset(), buffer.getLength());
  }

  /**
   * Authenticates and decrypts an SRTCP compound packet (RFC 3711 §3.4) and keeps its sender
   * reports (they may come before the first RTP packet of their SSRC).
   *
   * @return whether it was authentic
   */
  boolean rtcp(byte[] d) throws GeneralSecurityException {
    if (d.length < 8) {
      rejected++;
      return false;
    }
    long ssrc = RtpPacket.uint32(d, 4);
    SrtcpCryptoContext ctx = srtcpBySsrc.get(ssrc);
    if (ctx == null) {
      if (srtcpBySsrc.size() >= MAX_SSRCS) {
        rejected++;
        return false;
      }
      ctx = keys.deriveControlContext((int) ssrc);
      srtcpBySsrc.put(ssrc, ctx);
    }
    SrtpBuffer buffer = new SrtpBuffer(d, 0, d.length);
    if (ctx.reverseTransformPacket(buffer) != SrtpErrorStatus.OK) {
      rejected++;
      return false;
    }
    rtcpPackets++;
    byte[] b = buffer.getBuffer();
    int pos = buffer.getOffset();
    int end = pos + buffer.getLength();
    while (pos + 4 <= end) {
      int pt = b[pos + 1] & 0xFF;
      int words = ((b[pos + 2] & 0xFF) << 8) | (b[pos + 3] & 0xFF); // length in 32-bit words - 1
      int next = pos + 4 * (words + 1);
      if (next > end) {
        break;
      }
      // SR: header, SSRC, NTP seconds, NTP fraction, RTP timestamp, ...
      if (pt == RTCP_SR && next - pos >= 20 && senderReportBySsrc.size() <= MAX_SSRCS) {
        long seconds = RtpPacket.uint32(b, pos + 8) - NTP_TO_UNIX_SECONDS;
        long fraction = RtpPacket.uint32(b, pos + 12);
        senderReportBySsrc.put(
            RtpPacket.uint32(b, pos + 4),
            new long[] {
              seconds * 1_000_000 + ((fraction * 1_000_000) >>> 32), RtpPacket.uint32(b, pos + 16)
            });
        senderReports++;
      }
      pos = next;
    }
    return true;
  }

  /**
   * When the frame with {@code rtpTimestamp} (90 kHz) on {@code ssrc} was captured, in Unix
   * milliseconds on the peer's clock; -1 before that SSRC's first sender report.
   */
  long capturedMillis(long ssrc, long rtpTimestamp) {
    long[] sr = senderReportBySsrc.get(ssrc);
    return sr == null ? -1 : (sr[0] + (int) (rtpTimestamp - sr[1]) * 100L / 9) / 1000;
  }

  /**
   * The last sender report of {@code ssrc}: {its NTP time as Unix microseconds, its RTP timestamp},
   * or null before the first. The array is shared: do not change it.
   */
  long[] senderReport(long ssrc) {
    return senderReportBySsrc.get(ssrc);
  }

  /** One line for the session's end log. */
  String summary() {
    return rtpPackets
        + " RTP and "
        + rtcpPackets
        + " RTCP packets ("
        + senderReports
        + " sender reports), "
        + rejected
        + " rejected";
  }

  @Override
  public void close() {
    keys.close();
  }
}
