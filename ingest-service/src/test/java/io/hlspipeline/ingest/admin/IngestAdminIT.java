package io.hlspipeline.ingest.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hlspipeline.devstack.Ffmpeg;
import io.hlspipeline.devstack.SharedDevstack;
import io.hlspipeline.devstack.TopicReader;
import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.Topics;
import io.hlspipeline.events.ingest.IngestControl;
import io.hlspipeline.events.ingest.IngestHeaders;
import io.hlspipeline.events.ingest.IngestRecordKind;
import io.hlspipeline.events.keys.StreamKeys;
import io.hlspipeline.ingest.IngestConfig;
import io.hlspipeline.ingest.IngestService;
import io.hlspipeline.ingest.gop.KeyframeIntervals;
import io.hlspipeline.ingest.keys.KeyCommand;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Two ingest replicas in-process on the shared real Kafka broker, as behind a load balancer: keys
 * issued and revoked through one's admin endpoint, publishes on both, and the GOP check's status
 * and warning, with Debian's ffmpeg as the broadcaster.
 */
class IngestAdminIT {
  private static final String SECRET = "ingest-admin-it-secret-0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient http = HttpClient.newHttpClient();

  @TempDir static Path dir;
  private static IngestService a;
  private static IngestService b;

  @BeforeAll
  static void start() throws Exception {
    Assumptions.assumeTrue(Ffmpeg.installed(), "ffmpeg is not installed");
    a = replica("a");
    b = replica("b");
  }

  private static IngestService replica(String name) throws Exception {
    IngestService s =
        new IngestService(
            IngestConfig.fromEnv(
                Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", SharedDevstack.kafka().bootstrapServers(),
                    "HTTP_BIND", "127.0.0.1",
                    "HTTP_PORT", "0",
                    "ADMIN_PORT", "0",
                    "RTMP_BIND", "127.0.0.1",
                    "RTMP_PORT", "0",
                    "STREAM_KEY_SECRET", SECRET,
                    "KAFKA_TOPIC_PARTITIONS", "3",
                    "SEGMENT_TARGET_DURATION", "2s")),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    s.start();
    return s;
  }

  @AfterAll
  static void stop() throws Exception {
    for (IngestService s : new IngestService[] {a, b}) {
      if (s != null) {
        s.stop();
      }
    }
  }

  @Test
  void revokeOnOneReplica_refusesOldKeysOnBoth_andDisconnectsThePublisherOnTheOther()
      throws Exception {
    String streamId = "revoked-cam";
    JsonNode issued = post(a, "/streams/" + streamId + "/key");
    assertThat(issued.get("epoch").asLong()).isZero();
    String oldKey = issued.get("key").asText();
    // the small command prints the same key
    assertThat(command(a, "issue", streamId)).isEqualTo(oldKey);

    // A broadcaster publishes on replica b with the key in a Bearer header, for 60 s.
    Path log = dir.resolve("revoked-push.log");
    Process ffmpeg =
        Ffmpeg.start(
            log,
            Ffmpeg.testSource("320x240", 25)
                .seconds(60)
                .realTime()
                .to(
                    "-headers",
                    "Authorization: Bearer " + oldKey + "\r\n",
                    "-f",
                    "mpegts",
                    "-method",
                    "PUT",
                    ingestUrl(b, streamId)));
    try {
      await("publishing on b")
          .atMost(Duration.ofSeconds(20))
          .until(() -> get(b, "/streams/" + streamId).statusCode() == 200);

      long revokeNanos = System.nanoTime();
      JsonNode revoked = post(a, "/streams/" + streamId + "/revoke");
      assertThat(revoked.get("epoch").asLong()).isEqualTo(1);
      String newKey = revoked.get("key").asText();
      assertThat(newKey).isNotEqualTo(oldKey);

      // b ends the session (reason revoked) and drops the broadcaster's connection.
      List<ConsumerRecord<String, byte[]>> records =
          TopicReader.of(SharedDevstack.kafka().bootstrapServers(), Topics.INGEST.name(), r -> r)
              .awaitUntil(
                  streamId,
                  rs ->
                      rs.stream()
                          .anyMatch(
                              r ->
                                  IngestHeaders.kindOf(r.headers()).orElseThrow()
                                      == IngestRecordKind.PUBLISH_ENDED),
                  Duration.ofSeconds(20));
      IngestControl.PublishEnded ended =
          (IngestControl.PublishEnded)
              Serdes.ingestControl()
                  .deserialize(Topics.INGEST.name(), records.get(records.size() - 1).value());
      assertThat(ended.reason()).isEqualTo("revoked");
      assertThat(ffmpeg.waitFor(20, TimeUnit.SECONDS)).as("ffmpeg disconnected").isTrue();
      System.out.printf(
          "IngestAdminIT: publisher on the other replica disconnected %d ms after the revoke"
              + " call%n",
          (System.nanoTime() - revokeNanos) / 1_000_000);
      assertThat(get(b, "/streams/" + streamId).statusCode()).isEqualTo(404);

      // Both replicas refuse the old key at once and take the new one, over both header forms.
      for (IngestService s : List.of(a, b)) {
        assertThat(putBearer(s, streamId, oldKey).statusCode()).isEqualTo(403);
        assertThat(putPath(s, oldKey).statusCode()).isEqualTo(403);
        assertThat(putBearer(s, streamId, newKey).statusCode()).isEqualTo(204);
      }
      assertThat(command(b, "issue", streamId)).isEqualTo(newKey);
    } finally {
      ffmpeg.destroy();
      ffmpeg.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void bearer_forAnotherStreamOrNotBearer_isRefusedWithItsReason() throws Exception {
    String other = new StreamKeys(SECRET).sign("someone-else", 0);
    assertThat(putBearer(a, "bearer-cam", other).statusCode()).isEqualTo(403);
    HttpResponse<String> basic =
        http.send(
            HttpRequest.newBuilder(URI.create(ingestUrl(a, "bearer-cam")))
                .header("Authorization", "Basic dXNlcjpwYXNz")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(fakeTs(3)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(basic.statusCode()).isEqualTo(401);
    assertThat(basic.body()).contains("Bearer");
    assertThat(get(a, "/streams/Not_Valid").statusCode()).isEqualTo(400);
    assertThat(get(a, "/streams/not-publishing").statusCode()).isEqualTo(404);
    assertThat(get(a, "/streams/x/key").statusCode()).isEqualTo(405);
    // the admin routes are not on the public port
    assertThat(
            http.send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + a.httpPort() + "/streams"))
                        .build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode())
        .isEqualTo(404);
    assertThat(command(a, "frobnicate", "x")).isNull();
  }

  @Test
  void keyframeIntervalOverTheTarget_isWarnedOnce_andShownOnTheStatusEndpoint() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(KeyframeIntervals.class);
    ListAppender<ILoggingEvent> warnings = new ListAppender<>();
    warnings.start();
    logger.addAppender(warnings);
    StreamKeys keys = new StreamKeys(SECRET);
    // RTMP with a 5 s GOP and HTTP with a 2 s one, at once, against a 2 s target.
    Process longGop =
        Ffmpeg.start(
            dir.resolve("long-gop.log"),
            Ffmpeg.testSource("320x240", 25)
                .seconds(13)
                .realTime()
                .gopFrames(125)
                .to(
                    "-f",
                    "flv",
                    "rtmp://127.0.0.1:" + a.rtmpPort() + "/live/" + keys.sign("long-gop", 0)));
    Process shortGop =
        Ffmpeg.start(
            dir.resolve("short-gop.log"),
            Ffmpeg.testSource("320x240", 25)
                .seconds(13)
                .realTime()
                .gopFrames(50)
                .to("-f", "mpegts", "-method", "PUT", ingestUrl(a, keys.sign("short-gop", 0))));
    try {
      JsonNode longStatus =
          await("the 5 s keyframe interval is measured")
              .atMost(Duration.ofSeconds(20))
              .pollInterval(Duration.ofMillis(200))
              .until(
                  () -> getJson(a, "/streams/long-gop"),
                  s -> s != null && s.get("keyframeIntervalOverTarget").asBoolean());
      JsonNode shortStatus =
          await("two 2 s keyframe intervals are measured")
              .atMost(Duration.ofSeconds(20))
              .pollInterval(Duration.ofMillis(200))
              .until(
                  () -> getJson(a, "/streams/short-gop"),
                  s -> s != null && s.get("keyframes").asLong() >= 3);
      System.out.printf("IngestAdminIT: %s%nIngestAdminIT: %s%n", longStatus, shortStatus);
      assertThat(longStatus.get("source").asText()).isEqualTo("rtmp");
      assertThat(longStatus.get("maxKeyframeIntervalSec").asDouble()).isCloseTo(5.0, within());
      assertThat(longStatus.get("targetDurationSec").asDouble()).isEqualTo(2.0);
      assertThat(shortStatus.get("source").asText()).isEqualTo("http");
      assertThat(shortStatus.get("maxKeyframeIntervalSec").asDouble()).isCloseTo(2.0, within());
      assertThat(shortStatus.get("keyframeIntervalOverTarget").asBoolean()).isFalse();
      assertThat(getJson(a, "/streams").get("streams")).hasSize(2);

      assertThat(longGop.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(shortGop.waitFor(30, TimeUnit.SECONDS)).isTrue();
      // one warning for the whole session (two intervals of 5 s were over), none for the other
      assertThat(warnings.list)
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.getMDCPropertyMap()).containsEntry("streamId", "long-gop");
                assertThat(e.getFormattedMessage()).contains("keyframe interval 5.00 s");
              });
    } finally {
      logger.detachAppender(warnings);
      longGop.destroy();
      shortGop.destroy();
    }
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(0.05);
  }

  /** Runs {@link KeyCommand} against {@code s}'s admin port; its output, or null on failure. */
  private static String command(IngestService s, String action, String streamId) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        KeyCommand.run(
            new String[] {"--admin", "http://127.0.0.1:" + s.adminPort(), action, streamId},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return status == 0 ? out.toString(StandardCharsets.UTF_8).strip() : null;
  }

  private static String ingestUrl(IngestService s, String tail) {
    return "http://127.0.0.1:" + s.httpPort() + "/ingest/" + tail;
  }

  private static HttpResponse<String> get(IngestService s, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.adminPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode getJson(IngestService s, String path) throws Exception {
    HttpResponse<String> r = get(s, path);
    return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
  }

  private static JsonNode post(IngestService s, String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.adminPort() + path))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static HttpResponse<String> putBearer(IngestService s, String streamId, String key)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(ingestUrl(s, streamId)))
            .header("Authorization", "Bearer " + key)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(fakeTs(3)))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> putPath(IngestService s, String key) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(ingestUrl(s, key)))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(fakeTs(3)))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** {@code count} packets with sync bytes and arbitrary payload: enough for ingest. */
  private static byte[] fakeTs(int count) {
    byte[] b = new byte[count * 188];
    for (int i = 0; i < count; i++) {
      b[i * 188] = 0x47;
      b[i * 188 + 1] = 0x1F;
      b[i * 188 + 2] = (byte) 0xFF;
      b[i * 188 + 3] = 0x10;
    }
    return b;
  }
}
