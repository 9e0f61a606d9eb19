package io.hlspipeline.kit.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigDefTest {

  private static ConfigDef allTypes() {
    return new ConfigDef()
        .define("NAME", ConfigType.STRING, "edge", null, "service name")
        .define("HTTP_PORT", ConfigType.INT, 8080, Validator.range(1, 65535), "HTTP port")
        .define("MAX_BYTES", ConfigType.LONG, "1048576", null, "max size")
        .define("LL_HLS", ConfigType.BOOLEAN, false, null, "low latency")
        .define("TARGET_DURATION", ConfigType.DURATION, "4s", null, "segment target")
        .define("S3_ENDPOINTS", ConfigType.LIST, "", null, "endpoints")
        .define("CATALOG_URL", ConfigType.URI, "http://catalog:8080", null, "catalog")
        .defineSecret("STREAM_KEY_SECRET", "", "HMAC secret");
  }

  @Test
  void parse_whenNothingSet_usesTypedDefaults() {
    ParsedConfig c = allTypes().parse(Map.of());

    assertThat(c.getString("NAME")).isEqualTo("edge");
    assertThat(c.getInt("HTTP_PORT")).isEqualTo(8080);
    assertThat(c.getLong("MAX_BYTES")).isEqualTo(1_048_576L);
    assertThat(c.getBoolean("LL_HLS")).isFalse();
    assertThat(c.getDuration("TARGET_DURATION")).isEqualTo(Duration.ofSeconds(4));
    assertThat(c.getList("S3_ENDPOINTS")).isEmpty();
    assertThat(c.getUri("CATALOG_URL")).isEqualTo(URI.create("http://catalog:8080"));
    assertThat(c.getString("STREAM_KEY_SECRET")).isEmpty();
  }

  @Test
  void parse_whenEverythingSet_parsesEachType() {
    ParsedConfig c =
        allTypes()
            .parse(
                Map.of(
                    "NAME", " edge-2 ",
                    "HTTP_PORT", "9090",
                    "MAX_BYTES", "9000000000",
                    "LL_HLS", "TRUE",
                    "TARGET_DURATION", "PT2S",
                    "S3_ENDPOINTS", "rgw-1=http://a:7480, rgw-2=http://b:7480,,",
                    "CATALOG_URL", "http://127.0.0.1:1234/api",
                    "STREAM_KEY_SECRET", "s3cr3t"));

    assertThat(c.getString("NAME")).isEqualTo("edge-2");
    assertThat(c.getInt("HTTP_PORT")).isEqualTo(9090);
    assertThat(c.getLong("MAX_BYTES")).isEqualTo(9_000_000_000L);
    assertThat(c.getBoolean("LL_HLS")).isTrue();
    assertThat(c.getDuration("TARGET_DURATION")).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.getList("S3_ENDPOINTS"))
        .containsExactly("rgw-1=http://a:7480", "rgw-2=http://b:7480");
    assertThat(c.getUri("CATALOG_URL")).isEqualTo(URI.create("http://127.0.0.1:1234/api"));
    assertThat(c.getString("STREAM_KEY_SECRET")).isEqualTo("s3cr3t");
  }

  @Test
  void parse_durationUnits() {
    ConfigDef def = new ConfigDef().define("D", ConfigType.DURATION, "1s", null, "");

    assertThat(def.parse(Map.of("D", "500ms")).getDuration("D")).isEqualTo(Duration.ofMillis(500));
    assertThat(def.parse(Map.of("D", "4s")).getDuration("D")).isEqualTo(Duration.ofSeconds(4));
    assertThat(def.parse(Map.of("D", "2m")).getDuration("D")).isEqualTo(Duration.ofMinutes(2));
    assertThat(def.parse(Map.of("D", "1h")).getDuration("D")).isEqualTo(Duration.ofHours(1));
    assertThat(def.parse(Map.of("D", "7d")).getDuration("D")).isEqualTo(Duration.ofDays(7));
    assertThat(def.parse(Map.of("D", "250us")).getDuration("D"))
        .isEqualTo(Duration.ofNanos(250_000));
    assertThat(def.parse(Map.of("D", "PT1M30S")).getDuration("D"))
        .isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void parse_whenDurationHasNoUnitOrIsNegative_namesVariable() {
    ConfigDef def = new ConfigDef().define("POLL_TIMEOUT", ConfigType.DURATION, "1s", null, "");

    for (String bad : List.of("4", "4sec", "-4s", "PT-4S", "P", "s")) {
      assertThatThrownBy(() -> def.parse(Map.of("POLL_TIMEOUT", bad)))
          .as(bad)
          .isInstanceOfSatisfying(
              ConfigException.class, e -> assertThat(e.variable()).isEqualTo("POLL_TIMEOUT"))
          .hasMessageStartingWith("POLL_TIMEOUT: ");
    }
  }

  @Test
  void parse_whenRequiredMissing_namesVariable() {
    ConfigDef def =
        new ConfigDef().define("KAFKA_BOOTSTRAP_SERVERS", ConfigType.STRING, "Kafka brokers");

    assertThatThrownBy(() -> def.parse(Map.of("OTHER", "x")))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> {
              assertThat(e.variable()).isEqualTo("KAFKA_BOOTSTRAP_SERVERS");
              assertThat(e.reason()).contains("required");
            })
        .hasMessage("KAFKA_BOOTSTRAP_SERVERS: is required but not set (Kafka brokers)");
  }

  @Test
  void parse_whenRequiredBlank_countsAsMissing() {
    ConfigDef def = new ConfigDef().define("REQ", ConfigType.INT, "");

    assertThatThrownBy(() -> def.parse(Map.of("REQ", "  ")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("REQ: is required");
  }

  @Test
  void parse_whenTypeInvalid_namesVariableAndValue() {
    ConfigDef def = allTypes();

    assertThatThrownBy(() -> def.parse(Map.of("HTTP_PORT", "eighty")))
        .hasMessage("HTTP_PORT: must be a 32-bit integer, got 'eighty'");
    assertThatThrownBy(() -> def.parse(Map.of("MAX_BYTES", "1e6")))
        .hasMessageStartingWith("MAX_BYTES: must be a 64-bit integer");
    assertThatThrownBy(() -> def.parse(Map.of("LL_HLS", "yes")))
        .hasMessageStartingWith("LL_HLS: must be true or false");
    assertThatThrownBy(() -> def.parse(Map.of("CATALOG_URL", "catalog:8080/x y")))
        .hasMessageStartingWith("CATALOG_URL: must be a URI");
    assertThatThrownBy(() -> def.parse(Map.of("CATALOG_URL", "/relative")))
        .hasMessageStartingWith("CATALOG_URL: must be an absolute URI");
  }

  @Test
  void parse_whenValidatorRejects_namesVariable() {
    ConfigDef def =
        new ConfigDef()
            .define("HTTP_PORT", ConfigType.INT, 8080, Validator.range(1, 65535), "")
            .define("STREAM_ID", ConfigType.STRING, "a", Validator.pattern("[a-z0-9]+"), "")
            .define("TOPIC", ConfigType.STRING, "t", Validator.nonEmpty(), "")
            .define("SEGMENT_FORMAT", ConfigType.STRING, "ts", Validator.oneOf("ts", "fmp4"), "");

    assertThatThrownBy(() -> def.parse(Map.of("HTTP_PORT", "70000")))
        .hasMessage("HTTP_PORT: must be between 1 and 65535, got 70000");
    assertThatThrownBy(() -> def.parse(Map.of("STREAM_ID", "Bad!")))
        .hasMessage("STREAM_ID: must match [a-z0-9]+");
    assertThatThrownBy(() -> def.parse(Map.of("SEGMENT_FORMAT", "mp4")))
        .hasMessage("SEGMENT_FORMAT: must be one of [ts, fmp4]");
  }

  @Test
  void parse_whenSeveralInvalid_throwsFirstWithOthersSuppressed() {
    ConfigDef def =
        new ConfigDef()
            .define("A", ConfigType.INT, "")
            .define("B", ConfigType.INT, 1, null, "")
            .define("C", ConfigType.STRING, "");

    assertThatThrownBy(() -> def.parse(Map.of("B", "x")))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> {
              assertThat(e.variable()).isEqualTo("A");
              assertThat(e.getSuppressed())
                  .extracting(s -> ((ConfigException) s).variable())
                  .containsExactly("B", "C");
            });
  }

  @Test
  void rangeValidator_onDuration_comparesMillis() {
    ConfigDef def =
        new ConfigDef()
            .define("TIMEOUT", ConfigType.DURATION, "1s", Validator.range(100, 10_000), "");

    assertThat(def.parse(Map.of("TIMEOUT", "100ms")).getDuration("TIMEOUT")).hasMillis(100);
    assertThatThrownBy(() -> def.parse(Map.of("TIMEOUT", "11s")))
        .hasMessage("TIMEOUT: must be between 100 and 10000, got 11000");
  }

  @Test
  void toString_hidesSecrets() {
    ConfigDef def =
        new ConfigDef()
            .define("HTTP_PORT", ConfigType.INT, 8080, null, "")
            .define("S3_ENDPOINTS", ConfigType.LIST, "a,b", null, "")
            .defineSecret("S3_SECRET_KEY", null, "S3 secret");

    ParsedConfig c = def.parse(Map.of("S3_SECRET_KEY", "topsecret"));

    assertThat(c.toString())
        .isEqualTo("{HTTP_PORT=8080, S3_ENDPOINTS=a,b, S3_SECRET_KEY=[hidden]}")
        .doesNotContain("topsecret");
  }

  @Test
  void secret_whenPatternRejects_messageOmitsValue() {
    ConfigDef def =
        new ConfigDef()
            .define("TOKEN", ConfigType.STRING, "", Validator.pattern("[a-f0-9]{8}"), "");

    assertThatThrownBy(() -> def.parse(Map.of("TOKEN", "hunter2")))
        .hasMessage("TOKEN: must match [a-f0-9]{8}")
        .message()
        .doesNotContain("hunter2");
  }

  @Test
  void describe_listsKeysAsMarkdownTable_withSecretDefaultHidden() {
    ConfigDef def =
        new ConfigDef()
            .define("HTTP_PORT", ConfigType.INT, 8080, Validator.range(1, 65535), "HTTP port")
            .define("KAFKA_BOOTSTRAP_SERVERS", ConfigType.STRING, "Kafka | brokers")
            .defineSecret("ADMIN_TOKEN", "changeme", "token");

    String table = def.describe();

    assertThat(table.lines())
        .containsExactly(
            "| Variable | Type | Default | Valid values | Description |",
            "|---|---|---|---|---|",
            "| `HTTP_PORT` | INT | `8080` | [1, 65535] | HTTP port |",
            "| `KAFKA_BOOTSTRAP_SERVERS` | STRING | *required* |  | Kafka \\| brokers |",
            "| `ADMIN_TOKEN` | STRING (secret) | [hidden] |  | token |");
    assertThat(table).doesNotContain("changeme");
  }

  @Test
  void define_rejectsBadNamesDuplicatesAndBadDefaults() {
    assertThatThrownBy(() -> new ConfigDef().define("http.port", ConfigType.INT, ""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new ConfigDef().define("A", ConfigType.INT, "").define("A", ConfigType.INT, ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> new ConfigDef().define("A", ConfigType.INT, "x", null, ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("A");
    assertThatThrownBy(() -> new ConfigDef().define("A", ConfigType.DURATION, 5, null, ""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new ConfigDef().define("A", ConfigType.INT, 0, Validator.range(1, 2), ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("A: must be between 1 and 2");
  }

  @Test
  void getters_rejectUndeclaredOrWronglyTypedNames() {
    ParsedConfig c = allTypes().parse(Map.of());

    assertThatThrownBy(() -> c.getInt("NOPE")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> c.getInt("NAME"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("STRING");
  }

  @Test
  void getList_isUnmodifiable() {
    List<String> list =
        new ConfigDef().define("L", ConfigType.LIST, "a", null, "").parse(Map.of()).getList("L");

    assertThatThrownBy(() -> list.add("b")).isInstanceOf(UnsupportedOperationException.class);
  }
}
