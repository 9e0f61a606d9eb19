package io.hlspipeline.kit.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommonSettingsTest {
  private static ConfigDef definition() {
    ConfigDef def = CommonSettings.defineKafkaBootstrap(new ConfigDef());
    CommonSettings.defineHttp(def, 8081, "ingest port");
    CommonSettings.defineAdmin(def, 9081);
    return CommonSettings.defineTopicCreation(def, 24, 1, "partitions of hls.ingest");
  }

  @Test
  void parse_whenOnlyBootstrapSet_takesTheDefaults() {
    ParsedConfig c = definition().parse(Map.of("KAFKA_BOOTSTRAP_SERVERS", "k:9092"));

    assertThat(CommonSettings.kafkaBootstrapServers(c)).isEqualTo("k:9092");
    assertThat(CommonSettings.http(c)).isEqualTo(new CommonSettings.Http("0.0.0.0", 8081));
    assertThat(CommonSettings.adminPort(c)).isEqualTo(9081);
    assertThat(CommonSettings.topicCreation(c))
        .isEqualTo(new CommonSettings.TopicCreation(24, (short) -1));
  }

  @Test
  void parse_whenPartitionsBelowMinimum_namesTheVariable() {
    assertThatThrownBy(
            () ->
                definition()
                    .parse(
                        Map.of("KAFKA_BOOTSTRAP_SERVERS", "k:9092", "KAFKA_TOPIC_PARTITIONS", "0")))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> assertThat(e.variable()).isEqualTo("KAFKA_TOPIC_PARTITIONS"));
  }

  @Test
  void adminPort_whenEqualToHttpPort_namesAdminPort() {
    ParsedConfig c =
        definition()
            .parse(
                Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS",
                    "k:9092",
                    "HTTP_PORT",
                    "9000",
                    "ADMIN_PORT",
                    "9000"));

    assertThatThrownBy(() -> CommonSettings.adminPort(c))
        .isInstanceOfSatisfying(
            ConfigException.class, e -> assertThat(e.variable()).isEqualTo("ADMIN_PORT"));
  }

  @Test
  void adminPort_whenBothZero_isZero() {
    ParsedConfig c =
        definition()
            .parse(
                Map.of("KAFKA_BOOTSTRAP_SERVERS", "k:9092", "HTTP_PORT", "0", "ADMIN_PORT", "0"));

    assertThat(CommonSettings.adminPort(c)).isZero();
  }

  @Test
  void getString_withParser_turnsItsRejectionIntoAConfigException() {
    ConfigDef def = new ConfigDef().defineSecret("S3_ENDPOINTS", null, "servers");
    ParsedConfig c = def.parse(Map.of("S3_ENDPOINTS", "a;b"));

    List<String> parts = c.getString("S3_ENDPOINTS", s -> List.of(s.split(";")));
    assertThat(parts).containsExactly("a", "b");
    assertThatThrownBy(
            () ->
                c.getString(
                    "S3_ENDPOINTS",
                    s -> {
                      throw new IllegalArgumentException("no url in endpoint 1");
                    }))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> {
              assertThat(e.variable()).isEqualTo("S3_ENDPOINTS");
              assertThat(e.reason()).isEqualTo("no url in endpoint 1");
            });
  }
}
