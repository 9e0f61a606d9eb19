package io.hlspipeline.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hlspipeline.kit.config.ConfigException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EdgeConfigTest {
  static final String S3 =
      "id=a,url=http://127.0.0.1:9000,bucket=hls,accessKey=AKID,secretKey=TOPSECRET";

  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", "k:9092");
    env.put("CATALOG_URL", "http://catalog:8082/");
    env.put("S3_ENDPOINTS", S3);
    return env;
  }

  @Test
  void parse_defaults() {
    EdgeConfig c = EdgeConfig.parse(env());
    assertThat(c.httpBind()).isEqualTo("0.0.0.0");
    assertThat(c.httpPort()).isEqualTo(8080);
    assertThat(c.adminPort()).isEqualTo(9080);
    assertThat(c.liveWindowSegments()).isEqualTo(6);
    assertThat(c.cacheBytes()).isEqualTo(256L * 1024 * 1024);
    assertThat(c.followWindow()).isEqualTo(Duration.ofHours(2));
    assertThat(c.catalogUrl().toString()).isEqualTo("http://catalog:8082");
    assertThat(c.s3Endpoints()).hasSize(1);
  }

  @Test
  void toString_hidesSecrets() {
    assertThat(EdgeConfig.parse(env()).toString())
        .doesNotContain("TOPSECRET")
        .doesNotContain("AKID");
  }

  @Test
  void playbackSecret_offByDefault_hiddenWhenSet_andAtLeast16Bytes() {
    assertThat(EdgeConfig.parse(env()).playbackSecret()).isEmpty();
    Map<String, String> env = env();
    env.put("EDGE_PLAYBACK_SECRET", "PLAYBACK-SECRET-0123456789");
    EdgeConfig c = EdgeConfig.parse(env);
    assertThat(c.playbackSecret()).isPresent();
    assertThat(c.toString()).contains("playbackSecret=[hidden]").doesNotContain("PLAYBACK-SECRET");
    env.put("EDGE_PLAYBACK_SECRET", "SHORTSECRET");
    assertThatThrownBy(() -> EdgeConfig.parse(env))
        .isInstanceOfSatisfying(
            ConfigException.class, e -> assertThat(e.variable()).isEqualTo("EDGE_PLAYBACK_SECRET"))
        .hasMessageNotContaining("SHORTSECRET");
  }

  @Test
  void missingRequired_namesVariable() {
    Map<String, String> env = env();
    env.remove("CATALOG_URL");
    assertThatThrownBy(() -> EdgeConfig.parse(env))
        .isInstanceOfSatisfying(
            ConfigException.class, e -> assertThat(e.variable()).isEqualTo("CATALOG_URL"));
  }

  @Test
  void badS3Spec_namesVariable_withoutSecret() {
    Map<String, String> env = env();
    env.put("S3_ENDPOINTS", "id=a,url=ftp://x,bucket=hls,accessKey=AKID,secretKey=TOPSECRET");
    assertThatThrownBy(() -> EdgeConfig.parse(env))
        .isInstanceOfSatisfying(
            ConfigException.class, e -> assertThat(e.variable()).isEqualTo("S3_ENDPOINTS"))
        .hasMessageNotContaining("TOPSECRET");
  }

  @Test
  void windowSmallerThanLiveWindow_isRejected() {
    Map<String, String> env = env();
    env.put("LIVE_WINDOW_SEGMENTS", "10");
    env.put("EDGE_WINDOW_MAX_SEGMENTS", "5");
    assertThatThrownBy(() -> EdgeConfig.parse(env))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> assertThat(e.variable()).isEqualTo("EDGE_WINDOW_MAX_SEGMENTS"));
  }
}
