package io.hlspipeline.segmenter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hlspipeline.kit.config.ConfigException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SegmenterConfigTest {
  private static Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
    env.put(
        "S3_ENDPOINTS",
        "id=a,url=http://127.0.0.1:9000,bucket=hls,accessKey=key-a,secretKey=secret-a");
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  @Test
  void partTarget_defaultsTo334ms_andZeroTurnsPartsOff() {
    assertThat(SegmenterConfig.fromEnv(env()).partTarget()).isEqualTo(Duration.ofMillis(334));
    assertThat(SegmenterConfig.fromEnv(env("HLS_PART_TARGET", "0s")).partTarget()).isZero();
  }

  @Test
  void partTarget_longerThanTheSegmentTarget_isAConfigurationErrorNamingBoth() {
    assertThatThrownBy(
            () ->
                SegmenterConfig.fromEnv(
                    env("SEGMENT_TARGET_DURATION", "2s", "HLS_PART_TARGET", "3s")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("HLS_PART_TARGET")
        .hasMessageContaining("SEGMENT_TARGET_DURATION");
    assertThatThrownBy(() -> SegmenterConfig.fromEnv(env("HLS_PART_TARGET", "-1s")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("HLS_PART_TARGET");
  }
}
