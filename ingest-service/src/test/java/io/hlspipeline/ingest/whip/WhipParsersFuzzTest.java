package io.hlspipeline.ingest.whip;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.hlspipeline.ingest.whip.ice.StunMessage;
import io.hlspipeline.ingest.whip.rtp.H264Depacketizer;
import io.hlspipeline.ingest.whip.rtp.ReorderBuffer;
import io.hlspipeline.ingest.whip.rtp.RtpPacket;
import java.util.List;

/**
 * Fuzzes what a WHIP publisher controls: the SDP offer (parser, negotiation, answer), STUN checks,
 * and RTP into the reorder buffer and H.264 depacketizer. On any input the SDP side either works or
 * throws {@link MalformedSdpException}, STUN parses or is null, and the depacketizer emits only
 * access units within its bound that start with an access unit delimiter (any other exception is a
 * finding).
 *
 * <p>{@code mvn verify} runs them in regression mode over the seeds in {@code
 * src/test/resources/io/hlspipeline/ingest/whip/WhipParsersFuzzTestInputs/}. To fuzz for real:
 *
 * <pre>
 * JAZZER_FUZZ=1 mvn -pl ingest-service -am test -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dtest='WhipParsersFuzzTest#sdpOffer' -Djazzer.max_duration=60s
 * </pre>
 */
class WhipParsersFuzzTest {
  private static final int MAX_AU = 64 * 1024;

  @FuzzTest(maxDuration = "60s")
  void sdpOffer(byte[] input) {
    WhipOffer offer;
    try {
      offer = WhipOffer.of(SessionDescription.parse(input));
    } catch (MalformedSdpException e) {
      assertThat(e.getMessage()).doesNotContain("\n");
      return;
    }
    String answer =
        SdpAnswer.write(offer, 1, "ufrg", "p4ssw0rdp4ssw0rdp4ssw0rd", new byte[32], List.of());
    try {
      assertThat(SessionDescription.parse(answer).media()).hasSameSizeAs(offer.media());
    } catch (MalformedSdpException e) {
      throw new AssertionError("our answer does not parse: " + e.getMessage(), e);
    }
  }

  @FuzzTest(maxDuration = "60s")
  void stun(byte[] input) {
    StunMessage m = StunMessage.parse(input, 0, input.length);
    if (m != null) {
      m.verify("p4ssw0rdp4ssw0rdp4ssw0rd");
      m.username();
    }
  }

  @FuzzTest(maxDuration = "60s")
  void rtpH264(FuzzedDataProvider data) {
    H264Depacketizer depacketizer =
        new H264Depacketizer(
            (ts, au, length, idr) -> {
              assertThat(length).isBetween(6, MAX_AU);
              assertThat(au[4]).isEqualTo((byte) 9); // AUD first
            },
            () -> {},
            MAX_AU);
    ReorderBuffer reorder = new ReorderBuffer(16, depacketizer::packet);
    while (data.remainingBytes() > 2) {
      byte[] datagram = data.consumeBytes(data.consumeInt(0, 1500));
      RtpPacket p = RtpPacket.parse(datagram, 0, datagram.length);
      if (p != null) {
        assertThat(p.payloadOffset() + p.payloadLength()).isLessThanOrEqualTo(datagram.length);
        reorder.add(p);
      }
    }
  }
}
