package io.hlspipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hlspipeline.ingest.rtmp.RtmpConfig;
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
    assertThat(c.rtmp()).isEqualTo(new RtmpConfig("0.0.0.0", 1935, 65_536, 8 * 1024 * 1024, 1000));
    assertThat(c.keyEpochs().epochOf("cam1")).isZero();
    assertThat(c.segmentTargetDuration()).isEqualTo(Duration.ofSeconds(4));
    assertThat(c.previousStreamKeySecret()).isNull();
  }

  @Test
  void fromEnv_previousSecret_comesWithItsEnd_andIsNeverPrinted() {
    String previous = "previous-secret-0123456789";
    IngestConfig c =
        IngestConfig.fromEnv(
            Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "k:9092",
                "STREAM_KEY_SECRET", SECRET,
                "STREAM_KEY_PREVIOUS_SECRET", previous,
                "STREAM_KEY_PREVIOUS_SECRET_UNTIL", "2026-12-01T00:00:00Z",
                "SEGMENT_TARGET_DURATION", "2s"));
    assertThat(c.previousSecretUntil()).isEqualTo(java.time.Instant.parse("2026-12-01T00:00:00Z"));
    assertThat(c.segmentTargetDuration()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.toString()).doesNotContain(previous).doesNotContain(SECRET);
    for (Map<String, String> bad :
        java.util.List.of(
            Map.of("STREAM_KEY_PREVIOUS_SECRET", previous),
            Map.of("STREAM_KEY_PREVIOUS_SECRET_UNTIL", "2026-12-01T00:00:00Z"),
            Map.of(
                "STREAM_KEY_PREVIOUS_SECRET",
                previous,
                "STREAM_KEY_PREVIOUS_SECRET_UNTIL",
                "tomorrow"))) {
      Map<String, String> env = new java.util.HashMap<>(bad);
      env.put("KAFKA_BOOTSTRAP_SERVERS", "k:9092");
      env.put("STREAM_KEY_SECRET", SECRET);
      assertThatThrownBy(() -> IngestConfig.fromEnv(env))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("STREAM_KEY_PREVIOUS_SECRET")
          .hasMessageNotContaining(previous);
    }
  }

  @Test
  void fromEnv_rtmpAndKeyEpochs() {
    IngestConfig c =
        IngestConfig.fromEnv(
            Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "k:9092",
                "STREAM_KEY_SECRET", SECRET,
                "RTMP_PORT", "0",
                "RTMP_MAX_CHUNK_SIZE", "4096",
                "STREAM_KEY_EPOCHS", "cam1=2, cam7=1"));
    assertThat(c.rtmp().port()).isZero();
    assertThat(c.rtmp().maxChunkSize()).isEqualTo(4096);
    assertThat(c.keyEpochs().epochOf("cam1")).isEqualTo(2);
    assertThat(c.keyEpochs().epochOf("cam7")).isEqualTo(1);
    assertThat(c.keyEpochs().epochOf("cam2")).isZero();
  }

  @Test
  void fromEnv_badRtmpLimitsOrEpochs_nameTheVariable() {
    for (Map.Entry<String, String> bad :
        Map.of(
                "RTMP_MAX_CHUNK_SIZE", "2147483647",
                "RTMP_MAX_MESSAGE_BYTES", "100",
                "RTMP_PORT", "70000",
                "STREAM_KEY_EPOCHS", "cam1=0")
            .entrySet()) {
      assertThatThrownBy(
              () ->
                  IngestConfig.fromEnv(
                      Map.of(
                          "KAFKA_BOOTSTRAP_SERVERS",
                          "k:9092",
                          "STREAM_KEY_SECRET",
                          SECRET,
                          bad.getKey(),
                          bad.getValue())))
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith(bad.getKey());
    }
    assertThatThrownBy(
            () ->
                IngestConfig.fromEnv(
                    Map.of(
                        "KAFKA_BOOTSTRAP_SERVERS", "k:9092",
                        "STREAM_KEY_SECRET", SECRET,
                        "STREAM_KEY_EPOCHS", "cam1=2,cam1=3")))
        .hasMessageContaining("listed twice");
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
