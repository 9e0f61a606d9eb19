package io.hlspipeline.ingest.whip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class WhipOfferTest {
  /** Captured from ffmpeg 8.1.2's {@code -f whip} (libx264 baseline + libopus). */
  static String ffmpegOffer() throws IOException {
    return resource("ffmpeg81-offer.sdp");
  }

  /** The shape of Chromium 156's offer with its fake camera (VP8 first, LF line ends). */
  static String chromiumOffer() throws IOException {
    return resource("chromium-offer.sdp");
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = WhipOfferTest.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void of_ffmpegOffer_picksH264AndOpus() throws Exception {
    WhipOffer offer = WhipOffer.of(SessionDescription.parse(ffmpegOffer()));

    assertThat(offer.iceUfrag()).isEqualTo("ccb64429");
    assertThat(offer.icePwd()).isEqualTo("8eba8aa9d904e05a05c3d3d54f10ae1b");
    assertThat(offer.setup()).isEqualTo("passive");
    assertThat(HexFormat.of().formatHex(offer.fingerprintSha256()))
        .isEqualTo("fec80226af51b355ed61666b9f5fc12c5cf95a598bb05784d85182f868e2d446");
    assertThat(offer.video().orElseThrow().payloadType()).isEqualTo(106);
    assertThat(offer.video().orElseThrow().mid()).isEqualTo("1");
    assertThat(offer.audio().orElseThrow().payloadType()).isEqualTo(111);
    assertThat(offer.candidates()).isEmpty();
  }

  @Test
  void of_chromiumOffer_prefersConstrainedBaselineWithPacketizationMode1() throws Exception {
    WhipOffer offer = WhipOffer.of(SessionDescription.parse(chromiumOffer()));

    WhipOffer.Media video = offer.video().orElseThrow();
    assertThat(video.payloadType()).isEqualTo(106); // 42e01f, packetization-mode=1
    assertThat(video.fmtp()).contains("packetization-mode=1").contains("42e01f");
    assertThat(offer.audio().orElseThrow().payloadType()).isEqualTo(111);
    assertThat(offer.setup()).isEqualTo("actpass");
    assertThat(offer.candidates()).hasSize(2);
  }

  @Test
  void of_offerWithoutH264_isRefused() throws Exception {
    String vp8Only =
        chromiumOffer()
            .replaceAll(
                "(?m)^a=rtpmap:(102|104|106|108|127|39) H264/90000$", "a=rtpmap:$1 VP8/90000");

    assertThatThrownBy(() -> WhipOffer.of(SessionDescription.parse(vp8Only)))
        .isInstanceOf(MalformedSdpException.class)
        .hasMessageContaining("no H.264");
  }

  @Test
  void of_onlyPacketizationMode0_isRefused() throws Exception {
    String mode0 = ffmpegOffer().replace("packetization-mode=1", "packetization-mode=0");

    assertThatThrownBy(() -> WhipOffer.of(SessionDescription.parse(mode0)))
        .hasMessageContaining("packetization-mode=1");
  }

  @Test
  void of_activeSetup_isRefusedWithReason() throws Exception {
    String active = ffmpegOffer().replace("a=setup:passive", "a=setup:active");

    assertThatThrownBy(() -> WhipOffer.of(SessionDescription.parse(active)))
        .hasMessageContaining("a=setup:active");
  }

  @Test
  void of_missingFingerprintOrIce_isRefused() throws Exception {
    String noFingerprint = ffmpegOffer().replaceAll("(?m)^a=fingerprint:.*\\r?\\n", "");
    String noIce = ffmpegOffer().replaceAll("(?m)^a=ice-pwd:.*\\r?\\n", "");

    assertThatThrownBy(() -> WhipOffer.of(SessionDescription.parse(noFingerprint)))
        .hasMessageContaining("fingerprint");
    assertThatThrownBy(() -> WhipOffer.of(SessionDescription.parse(noIce)))
        .hasMessageContaining("ice-pwd");
  }

  @Test
  void parse_malformedSdp_namesTheLine() {
    assertThatThrownBy(
            () -> SessionDescription.parse("v=0\r\no=- 1 2 IN IP4 x\r\nthis is not sdp\r\n"))
        .isInstanceOf(MalformedSdpException.class)
        .hasMessage("SDP line 3: expected <letter>=<value>");
    assertThatThrownBy(() -> SessionDescription.parse("hello")).hasMessageContaining("SDP line 1");
    assertThatThrownBy(() -> SessionDescription.parse("")).hasMessage("empty SDP");
    assertThatThrownBy(() -> SessionDescription.parse("v=0\nm=video nine UDP/TLS/RTP/SAVPF 96\n"))
        .hasMessage("SDP line 2: port is not a number: nine");
    // found by WhipParsersFuzzTest: an empty field was echoed into the answer's rejected section
    assertThatThrownBy(() -> SessionDescription.parse("v=0\nm=video 9 UDP/TLS/RTP/SAVPF  96\n"))
        .hasMessage("SDP line 2: m= fields need single spaces");
    assertThatThrownBy(() -> SessionDescription.parse("v=0\n" + "a=x\n".repeat(20_000)))
        .hasMessageContaining("longer than");
  }

  @Test
  void answer_toFfmpeg_isActiveBundledRecvonlyWithOneCodecPerSection() throws Exception {
    WhipOffer offer = WhipOffer.of(SessionDescription.parse(ffmpegOffer()));
    byte[] fingerprint = new byte[32];
    fingerprint[0] = (byte) 0xAB;

    String answer =
        SdpAnswer.write(
            offer,
            42,
            "ufrg",
            "p4ssw0rdp4ssw0rdp4ssw0rd",
            fingerprint,
            List.of(new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 8189)));

    SessionDescription parsed = SessionDescription.parse(answer);
    assertThat(answer).contains("\r\n").doesNotContain("\n\n");
    assertThat(parsed.sessionAttribute("group")).hasValue("BUNDLE 0 1");
    assertThat(parsed.media())
        .extracting(SessionDescription.MediaSection::type)
        .containsExactly("audio", "video");
    SessionDescription.MediaSection video = parsed.media().get(1);
    assertThat(video.formats()).containsExactly("106");
    assertThat(video.attribute("setup")).hasValue("active");
    assertThat(video.attribute("recvonly")).isPresent();
    assertThat(video.attribute("rtcp-mux")).isPresent();
    assertThat(video.attributes("rtcp-fb")).contains("106 nack pli");
    assertThat(video.attribute("fingerprint"))
        .hasValueSatisfying(f -> f.startsWith("sha-256 AB:00:"));
    assertThat(video.attributes("candidate"))
        .containsExactly("1 1 udp 2130706431 192.0.2.7 8189 typ host");
    assertThat(parsed.media().get(0).formats()).containsExactly("111");
  }

  @Test
  void answer_toChromium_rejectsNothingAndKeepsOfferOrder() throws Exception {
    WhipOffer offer = WhipOffer.of(SessionDescription.parse(chromiumOffer()));

    String answer =
        SdpAnswer.write(offer, 1, "ufrg", "p4ssw0rdp4ssw0rdp4ssw0rd", new byte[32], List.of());

    SessionDescription parsed = SessionDescription.parse(answer);
    assertThat(parsed.media()).extracting(m -> m.mid().orElseThrow()).containsExactly("0", "1");
    assertThat(parsed.media().get(1).formats()).containsExactly("106");
  }

  @Test
  void answer_rejectsAnUnusableSectionWithPortZero() throws Exception {
    String withData =
        ffmpegOffer()
            + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:2\r\na=sctp-port:5000\r\n";
    WhipOffer offer = WhipOffer.of(SessionDescription.parse(withData));

    SessionDescription answer =
        SessionDescription.parse(
            SdpAnswer.write(offer, 1, "ufrg", "p4ssw0rdp4ssw0rdp4ssw0rd", new byte[32], List.of()));

    assertThat(answer.media().get(2).port()).isZero();
    assertThat(answer.sessionAttribute("group")).hasValue("BUNDLE 0 1");
  }
}
