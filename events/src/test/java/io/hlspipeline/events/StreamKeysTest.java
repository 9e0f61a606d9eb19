package io.hlspipeline.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hlspipeline.events.keys.StreamKeys;
import org.junit.jupiter.api.Test;

class StreamKeysTest {
  private final StreamKeys keys = new StreamKeys("0123456789abcdef-secret");

  @Test
  void verify_acceptsSignedKey_andRejectsTampering() {
    String key = keys.sign("cam1", 0);
    assertThat(key).startsWith("cam1.");
    assertThat(keys.verify(key)).contains("cam1");
    assertThat(keys.verify("cam2" + key.substring(4))).isEmpty();
    assertThat(keys.verify(key.substring(0, key.length() - 1) + "A")).isEmpty();
    assertThat(new StreamKeys("another-secret-of-16b").verify(key)).isEmpty();
    assertThat(keys.verify("nodot")).isEmpty();
    assertThat(keys.verify("../x.abc")).isEmpty();
    assertThat(keys.verify(null)).isEmpty();
  }

  @Test
  void verify_epochRevokesOldKeys() {
    String old = keys.sign("cam1", 0);
    String current = keys.sign("cam1", 3);
    assertThat(keys.verify(old, id -> 3)).isEmpty();
    assertThat(keys.verify(current, id -> 3)).contains("cam1");
  }

  @Test
  void verify_withConstructorEpochs_revokesOldKeysOfThatStreamOnly() {
    StreamKeys revoking =
        new StreamKeys("0123456789abcdef-secret", id -> id.equals("cam1") ? 2L : 0L);
    assertThat(revoking.verify(keys.sign("cam1", 0))).isEmpty();
    assertThat(revoking.verify(keys.sign("cam1", 1))).isEmpty();
    assertThat(revoking.verify(keys.sign("cam1", 2))).contains("cam1");
    assertThat(revoking.verify(keys.sign("cam2", 0))).contains("cam2");
  }

  @Test
  void shortSecret_rejected() {
    assertThatThrownBy(() -> new StreamKeys("short")).hasMessageContaining("16 bytes");
  }
}
