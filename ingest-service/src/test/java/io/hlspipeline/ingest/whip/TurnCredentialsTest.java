package io.hlspipeline.ingest.whip;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TurnCredentialsTest {
  @Test
  void mint_followsCoturnRestScheme() {
    TurnCredentials c =
        TurnCredentials.mint("coturn-shared-secret", "cam1", Instant.ofEpochSecond(1_700_000_000));

    assertThat(c.username()).isEqualTo("1700000000:cam1");
    // base64(HMAC-SHA1(secret, username)), computed independently with Python's hmac module
    assertThat(c.credential()).isEqualTo("Ae+DVvsPkaPoIOd3KwyLIec2UwQ=");
    assertThat(c.toString()).doesNotContain(c.credential());
  }

  @Test
  void mint_otherSecretOrExpiry_givesOtherCredential() {
    Instant expiry = Instant.ofEpochSecond(1_700_000_000);
    TurnCredentials a = TurnCredentials.mint("coturn-shared-secret", "cam1", expiry);

    assertThat(TurnCredentials.mint("another-secret-value", "cam1", expiry).credential())
        .isNotEqualTo(a.credential());
    assertThat(
            TurnCredentials.mint("coturn-shared-secret", "cam1", expiry.plusSeconds(1))
                .credential())
        .isNotEqualTo(a.credential());
  }
}
