package io.hlspipeline.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class PlaybackTokensTest {
  static final String SECRET = "test-vector-secret-0123456789abcdef";
  static final Instant EXPIRY = Instant.parse("2026-01-01T00:00:00Z"); // 1767225600

  private final PlaybackTokens tokens = new PlaybackTokens(PlaybackSecret.of(SECRET));

  @Test
  void sign_matchesTheDocumentedTestVector() {
    // Computed outside Java, as the README shows:
    // printf 'live1:1767225600' | openssl dgst -sha256 -hmac "$SECRET" -binary | base64 \
    //   | tr '+/' '-_' | tr -d '='
    assertThat(tokens.sign("live1", EXPIRY))
        .isEqualTo("1767225600.AAQX5I8klhFacZ4-Lvc8RZLIoMEMBjxLzP9APV05h8w");
  }

  @Test
  void verify_goodTokenBeforeAndAtExpiry_passes() {
    String token = tokens.sign("live1", EXPIRY);
    assertThat(tokens.verify("live1", token, EXPIRY.minusSeconds(3600))).isNull();
    assertThat(tokens.verify("live1", token, EXPIRY)).isNull();
    assertThat(tokens.verify("live1", token, EXPIRY.plusMillis(999))).isNull();
  }

  @Test
  void verify_afterExpiry_isExpired() {
    String token = tokens.sign("live1", EXPIRY);
    assertThat(tokens.verify("live1", token, EXPIRY.plusSeconds(1)))
        .isEqualTo(PlaybackTokens.Denial.EXPIRED);
  }

  @Test
  void verify_anotherStreamsToken_isInvalid() {
    String token = tokens.sign("live2", EXPIRY);
    assertThat(tokens.verify("live1", token, EXPIRY.minusSeconds(1)))
        .isEqualTo(PlaybackTokens.Denial.INVALID);
  }

  @Test
  void verify_anotherSecretsToken_isInvalid() {
    String token =
        new PlaybackTokens(PlaybackSecret.of("another-secret-0123456789abcdef"))
            .sign("live1", EXPIRY);
    assertThat(tokens.verify("live1", token, EXPIRY.minusSeconds(1)))
        .isEqualTo(PlaybackTokens.Denial.INVALID);
  }

  @Test
  void verify_extendedExpiry_isInvalid() {
    String token = tokens.sign("live1", EXPIRY);
    String extended = "1767229200" + token.substring(token.indexOf('.'));
    assertThat(tokens.verify("live1", extended, EXPIRY.minusSeconds(1)))
        .isEqualTo(PlaybackTokens.Denial.INVALID);
  }

  @Test
  void verify_everyFlippedMacCharacter_isRefused() {
    String token = tokens.sign("live1", EXPIRY);
    int dot = token.indexOf('.');
    for (int i = dot + 1; i < token.length(); i++) {
      char c = token.charAt(i);
      String tampered = token.substring(0, i) + (c == 'A' ? 'B' : 'A') + token.substring(i + 1);
      assertThat(tokens.verify("live1", tampered, EXPIRY.minusSeconds(1)))
          .as("flipped char %d", i)
          .isIn(PlaybackTokens.Denial.INVALID, PlaybackTokens.Denial.MALFORMED);
    }
  }

  @Test
  void verify_malformedTokens_areMalformed() {
    String mac = tokens.sign("live1", EXPIRY).substring("1767225600.".length());
    for (String bad :
        new String[] {
          "",
          "1767225600",
          "1767225600.",
          "." + mac,
          "01767225600." + mac,
          "-1." + mac,
          "1767225600." + mac + "A",
          "1767225600." + mac.substring(1),
          "1767225600." + mac.replace('-', '+'),
          "1767225600." + mac + "=",
          "1234567890123." + mac,
          "x".repeat(5000)
        }) {
      assertThat(tokens.verify("live1", bad, EXPIRY.minusSeconds(1)))
          .as(bad)
          .isEqualTo(PlaybackTokens.Denial.MALFORMED);
    }
    assertThat(tokens.verify("live1", null, EXPIRY)).isEqualTo(PlaybackTokens.Denial.MALFORMED);
    assertThat(tokens.verify("Bad/Id", tokens.sign("live1", EXPIRY), EXPIRY))
        .isEqualTo(PlaybackTokens.Denial.MALFORMED);
  }

  @Test
  void secret_isHiddenAndAtLeast16Bytes() {
    assertThat(PlaybackSecret.of(SECRET).toString()).isEqualTo("[hidden]").doesNotContain(SECRET);
    assertThatThrownBy(() -> PlaybackSecret.of("short-secret"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("must be at least 16 bytes");
  }

  @Test
  void sign_refusesAnInvalidStreamId() {
    assertThatThrownBy(() -> tokens.sign("../x", EXPIRY))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
