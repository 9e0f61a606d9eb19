package io.hlspipeline.ingest.whip.ice;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class StunMessageTest {
  /**
   * RFC 5769 §2.1 "Sample Request": USERNAME "evtj:h6vY", password "VOkJxbRl1RmTxUk/WvJxBt",
   * SOFTWARE, PRIORITY, ICE-CONTROLLED, MESSAGE-INTEGRITY, FINGERPRINT.
   */
  private static final byte[] RFC5769_REQUEST =
      HexFormat.of()
          .parseHex(
              "000100582112a442b7e7a701bc34d686fa87dfae"
                  + "802200105354554e20746573742063 6c69656e74".replace(" ", "")
                  + "00240004 6e0001ff".replace(" ", "")
                  + "80290008932ff9b151263b36"
                  + "000600096576746a3a68367659202020"
                  + "00080014 9aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2".replace(" ", "")
                  + "80280004e57a3bcf");

  private static final String RFC5769_PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt";

  @Test
  void parse_rfc5769SampleRequest_verifiesUnderItsPassword() {
    StunMessage m = StunMessage.parse(RFC5769_REQUEST, 0, RFC5769_REQUEST.length);

    assertThat(m).isNotNull();
    assertThat(m.type()).isEqualTo(StunMessage.BINDING_REQUEST);
    assertThat(m.username()).isEqualTo("evtj:h6vY");
    assertThat(m.useCandidate()).isFalse();
    assertThat(m.verify(RFC5769_PASSWORD)).isTrue();
    assertThat(m.verify("wrong-password")).isFalse();
  }

  @Test
  void verify_tamperedByte_fails() {
    byte[] tampered = RFC5769_REQUEST.clone();
    tampered[30] ^= 1; // inside SOFTWARE

    StunMessage m = StunMessage.parse(tampered, 0, tampered.length);

    assertThat(m.verify(RFC5769_PASSWORD)).isFalse();
  }

  @Test
  void successResponse_carriesXorMappedAddress_andVerifiesUnderThePassword() throws Exception {
    StunMessage request = StunMessage.parse(RFC5769_REQUEST, 0, RFC5769_REQUEST.length);
    InetSocketAddress source = new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853);

    byte[] response = request.successResponse(source, RFC5769_PASSWORD);

    StunMessage parsed = StunMessage.parse(response, 0, response.length);
    assertThat(parsed.type()).isEqualTo(StunMessage.BINDING_SUCCESS);
    assertThat(parsed.transactionId()).isEqualTo(request.transactionId());
    assertThat(parsed.verify(RFC5769_PASSWORD)).isTrue();
    // RFC 5769 §2.2: XOR-MAPPED-ADDRESS of 192.0.2.1:32853 is 0001 a147 e112a643
    assertThat(HexFormat.of().formatHex(response, 20, 32)).isEqualTo("002000080001a147e112a643");
  }

  @Test
  void parse_truncatedOrNotStun_isNull() {
    assertThat(StunMessage.parse(RFC5769_REQUEST, 0, RFC5769_REQUEST.length - 4)).isNull();
    byte[] rtp = new byte[40];
    rtp[0] = (byte) 0x80;
    assertThat(StunMessage.parse(rtp, 0, rtp.length)).isNull();
    byte[] lying = RFC5769_REQUEST.clone();
    lying[3] = (byte) 0x5C; // body length 92, 4 more than there is
    assertThat(StunMessage.parse(lying, 0, lying.length)).isNull();
    byte[] noIntegrity = "not stun at all, but long enough".getBytes(StandardCharsets.US_ASCII);
    assertThat(StunMessage.parse(noIntegrity, 0, noIntegrity.length)).isNull();
  }
}
