package io.hlspipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hlspipeline.kit.config.ConfigException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IngestConfigTest {
  private static final String SECRET = "0123456789abcdef-secret";

  @Test
  void fromEnv_withRequiredOnly_appliesDefaults() {
    IngestConfig c =
        IngestConfig.fromEnv(
            Map.of("KAFKA_BOOTSTRAP_SERVERS", "k:9092", "STREAM_KEY_SECRET", SECRET));
    assertThat(c.httpBind()).isEqualTo("0.0.0.0");
    assertThat(c.httpPort()).isEqualTo(8081);
    assertThat(c.adminPort()).isEqualTo(9081);
    assertThat(c.kafkaTopicPartitions()).isEqualTo(24);
    assertThat(c.kafkaReplicationFactor()).isEqualTo((short) -1);
    assertThat(c.idleTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.toString()).doesNotContain(SECRET).contains("[hidden]");
  }

  @Test
  void fromEnv_whenSecretTooShort_namesTheVariableNotTheValue() {
    assertThatThrownBy(
            () ->
                IngestConfig.fromEnv(
                    Map.of(
                        "KAFKA_BOOTSTRAP_SERVERS", "k:9092", "STREAM_KEY_SECRET", "shortsecret")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("STREAM_KEY_SECRET")
        .hasMessageNotContaining("shortsecret");
  }

  @Test
  void fromEnv_whenBootstrapMissing_fails() {
    assertThatThrownBy(() -> IngestConfig.fromEnv(Map.of("STREAM_KEY_SECRET", SECRET)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("KAFKA_BOOTSTRAP_SERVERS");
  }
}
