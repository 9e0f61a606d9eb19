package io.hlspipeline.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ingest-service in-process on port 0 against the shared real Kafka broker. */
class HttpIngestIT {
  private static final String SECRET = "http-ingest-it-secret-0123456789";
  private static final StreamKeys KEYS = new StreamKeys(SECRET);

  @TempDir static Path dir;
  private static IngestService service;
  private static PrometheusMeterRegistry registry;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startService() throws Exception {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Map<String, String> env =
        new java.util.HashMap<>(
            Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", SharedDevstack.kafka().bootstrapServers(),
                "HTTP_BIND", "127.0.0.1",
                "HTTP_PORT", "0",
                "ADMIN_PORT", "0",
                "STREAM_KEY_SECRET", SECRET,
                "KAFKA_TOPIC_PARTITIONS", "3",
                "INGEST_MAX_STREAMS", "4",
                "INGEST_IDLE_TIMEOUT", "2s",
                "HTTP_HEADER_TIMEOUT", "2s"));
    // RTMP on a free loopback port, not 1935 on every address (another test run may hold it)
    env.put("RTMP_BIND", "127.0.0.1");
    env.put("RTMP_PORT", "0");
    IngestConfig config = IngestConfig.fromEnv(env);
    service = new IngestService(config, registry);
    service.start();
  }

  @AfterAll
  static void stopService() throws Exception {
    if (service != null) {
      service.stop();
    }
  }

  @Test
  void slowlorisConnections_doNotStopPublishing_andAreClosedAfterTheHeaderTimeout()
      throws Exception {
    try (io.hlspipeline.devstack.Slowloris attack =
        io.hlspipeline.devstack.Slowloris.open(
            "127.0.0.1", service.httpPort(), "/ingest/" + KEYS.sign("slow", 0), 300)) {
      // A broadcaster still publishes, and probes still answer.
      assertThat(put(KEYS.sign("not-slow", 0), fakeTs(20)).statusCode()).isEqualTo(204);
      HttpResponse<String> live =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + service.adminPort() + "/health/live"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(live.statusCode()).isEqualTo(200);
      // Header timeout 2 s: every half-sent header is cut off, none answered.
      long t0 = System.nanoTime();
      int closed = attack.closedByServer(Duration.ofSeconds(40));
      System.out.printf(
          "HttpIngestIT slowloris: %d of %d closed by the server within %d ms%n",
          closed, attack.size(), (System.nanoTime() - t0) / 1_000_000);
      assertThat(closed).isEqualTo(attack.size());
    }
  }

  @Test
  void adminEndpoints_answerOnTheAdminPortOnly() throws Exception {
    URI admin = URI.create("http://127.0.0.1:" + service.adminPort());
    URI publicBase = URI.create("http://127.0.0.1:" + service.httpPort());
    assertThat(service.adminPort()).isNotEqualTo(service.httpPort());
    for (String path : List.of("/health/live", "/health/ready", "/metrics")) {
      assertThat(status(admin.resolve(path))).as("admin %s", path).isEqualTo(200);
      assertThat(status(publicBase.resolve(path))).as("public %s", path).isEqualTo(404);
    }
    // The ingest route answers a GET on the public port (405: push only); the admin port has none.
    assertThat(status(publicBase.resolve("/ingest/not-a-key"))).isEqualTo(405);
    assertThat(status(admin.resolve("/ingest/not-a-key"))).isEqualTo(404);
  }

  private static int status(URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  @Test
  void ffmpegPush_producesStartedChunksEqualToTheFileAndEnded() throws Exception {
    String streamId = "ffmpeg-push";
    Path expected = dir.resolve("expected.ts");
    Path log = dir.resolve("push.log");
    // The tee muxer writes the same MPEG-TS bytes to a file and to the ingest URL (chunked POST).
    Process ffmpeg =
        Ffmpeg.start(
            log,
            Ffmpeg.testSource("320x240", 25)
                .seconds(3)
                .to(
                    "-f",
                    "tee",
                    "[f=mpegts]" + expected + "|[f=mpegts]" + ingestUrl(KEYS.sign(streamId, 0))));
    assertThat(ffmpeg.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String ffmpegOutput = Ffmpeg.read(log);
    assertThat(ffmpeg.exitValue()).as(ffmpegOutput).isZero();

    List<ConsumerRecord<String, byte[]>> records = awaitSessionRecords(streamId);

    assertThat(kinds(records).get(0)).isEqualTo(IngestRecordKind.PUBLISH_STARTED);
    assertThat(kinds(records).get(records.size() - 1)).isEqualTo(IngestRecordKind.PUBLISH_ENDED);
    assertThat(kinds(records).subList(1, records.size() - 1))
        .isNotEmpty()
        .containsOnly(IngestRecordKind.CHUNK);
    List<IngestHeaders> headers =
        records.stream().map(r -> IngestHeaders.fromKafka(r.headers())).toList();
    assertThat(headers).extracting(IngestHeaders::sequence).isSorted().doesNotHaveDuplicates();
    assertThat(headers.get(0).sequence()).isZero();
    assertThat(headers)
        .extracting(IngestHeaders::sessionId)
        .containsOnly(headers.get(0).sessionId());

    IngestControl.PublishStarted started =
        (IngestControl.PublishStarted)
            Serdes.ingestControl().deserialize(Topics.INGEST.name(), records.get(0).value());
    assertThat(started.streamId()).isEqualTo(streamId);
    assertThat(started.source()).isEqualTo("http");
    IngestControl.PublishEnded ended =
        (IngestControl.PublishEnded)
            Serdes.ingestControl()
                .deserialize(Topics.INGEST.name(), records.get(records.size() - 1).value());
    assertThat(ended.reason()).isEqualTo("eof");

    ByteArrayOutputStream concatenated = new ByteArrayOutputStream();
    records.subList(1, records.size() - 1).forEach(r -> concatenated.writeBytes(r.value()));
    assertThat(concatenated.toByteArray()).isEqualTo(Files.readAllBytes(expected));
    assertThat(registry.get("hls.ingest.bytes").counter().count())
        .isGreaterThanOrEqualTo(Files.size(expected));
  }

  @Test
  void streamBytes_onTheAdminMetrics_whilePublishing_andGoneAfterTheEnd() throws Exception {
    String streamId = "stream-meter";
    byte[] ts = fakeTs(20);
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", service.httpPort())) {
      s.getOutputStream()
          .write(
              ("PUT /ingest/"
                      + KEYS.sign(streamId, 0)
                      + " HTTP/1.1\r\nHost: a\r\nContent-Length: "
                      + ts.length
                      + "\r\n\r\n")
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      s.getOutputStream().write(ts, 0, 188 * 10);
      // half the body sent, the session open: its counter is scraped with what reached Kafka
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> streamBytesScraped(streamId), v -> v != null && v == 188 * 10);
      s.getOutputStream().write(ts, 188 * 10, ts.length - 188 * 10);
      String status =
          new java.io.BufferedReader(
                  new java.io.InputStreamReader(
                      s.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII))
              .readLine();
      assertThat(status).startsWith("HTTP/1.1 204");
    }
    // the session ended: the stream's counter left the registry
    await().atMost(Duration.ofSeconds(30)).until(() -> streamBytesScraped(streamId) == null);
  }

  /** {@code hls_ingest_stream_bytes_total} of a stream on the admin port's /metrics, or null. */
  private static Double streamBytesScraped(String streamId) throws Exception {
    String body =
        http.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + service.adminPort() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return body.lines()
        .filter(l -> l.startsWith("hls_ingest_stream_bytes_total{"))
        .filter(l -> l.contains("stream=\"" + streamId + "\""))
        .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElse(null);
  }

  @Test
  void wrongKey_gets403AndNothingReachesKafka() throws Exception {
    String streamId = "wrong-key";
    byte[] ts = fakeTs(40);
    String forged = streamId + "." + KEYS.sign("other-stream", 0).split("\\.")[1];
    double rejectedBefore = registry.get("hls.ingest.keys.rejected").counter().count();

    HttpResponse<String> rejected = put(forged, ts);

    assertThat(rejected.statusCode()).isEqualTo(403);
    assertThat(rejected.body()).contains("invalid stream key");
    assertThat(registry.get("hls.ingest.keys.rejected").counter().count())
        .isEqualTo(rejectedBefore + 1);
    // The same stream then publishes with its valid key: on its partition (ordered) its records
    // must be exactly one session, starting with PublishStarted — nothing from the forged attempt.
    assertThat(put(KEYS.sign(streamId, 0), ts).statusCode()).isEqualTo(204);
    List<ConsumerRecord<String, byte[]>> records = awaitSessionRecords(streamId);
    assertThat(kinds(records).get(0)).isEqualTo(IngestRecordKind.PUBLISH_STARTED);
    assertThat(records)
        .extracting(r -> IngestHeaders.fromKafka(r.headers()).sessionId())
        .containsOnly(IngestHeaders.fromKafka(records.get(0).headers()).sessionId());
  }

  @Test
  void bodyThatIsNotTs_gets400AndNothingReachesKafka() throws Exception {
    String streamId = "not-ts";
    HttpResponse<String> response =
        put(KEYS.sign(streamId, 0), "this is not an MPEG transport stream".repeat(100).getBytes());
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("not MPEG-TS");

    assertThat(put(KEYS.sign(streamId, 0), fakeTs(3)).statusCode()).isEqualTo(204);
    List<ConsumerRecord<String, byte[]>> records = awaitSessionRecords(streamId);
    assertThat(kinds(records))
        .containsExactly(
            IngestRecordKind.PUBLISH_STARTED,
            IngestRecordKind.CHUNK,
            IngestRecordKind.PUBLISH_ENDED);
  }

  @Test
  void streamKeys_neverReachTheLog() throws Exception {
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.classic.Logger ours =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.hlspipeline");
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> captured =
        new ch.qos.logback.core.read.ListAppender<>();
    captured.start();
    ch.qos.logback.classic.Level rootLevel = root.getLevel();
    ch.qos.logback.classic.Level oursLevel = ours.getLevel();
    root.addAppender(captured);
    root.setLevel(ch.qos.logback.classic.Level.INFO);
    ours.setLevel(ch.qos.logback.classic.Level.DEBUG);
    String valid = KEYS.sign("secret-keys", 0);
    String forged = "secret-keys." + KEYS.sign("someone-else", 0).split("\\.")[1];
    List<String> issued = new java.util.ArrayList<>();
    try {
      assertThat(put(valid, fakeTs(5)).statusCode()).isEqualTo(204);
      assertThat(put(forged, fakeTs(5)).statusCode()).isEqualTo(403);
      assertThat(put(valid, "not ts at all".repeat(50).getBytes()).statusCode()).isEqualTo(400);
      // A publisher that goes away mid-upload (connection reset while the session is open).
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", service.httpPort())) {
        s.getOutputStream()
            .write(
                ("PUT /ingest/" + valid + " HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        s.getOutputStream().write(fakeTs(10));
        // Reset only once the server has opened the session (it reads the request on its own time).
        awaitPublishRecords("secret-keys", IngestRecordKind.PUBLISH_STARTED, 2);
        s.setSoLinger(true, 0);
      }
      // And go on once it has ended it: had that request been read after the next publish began, it
      // would have taken the stream over from it (the newest publisher wins), cutting it off.
      awaitPublishRecords("secret-keys", IngestRecordKind.PUBLISH_ENDED, 2);
      // The key in a Bearer header, right and wrong, and keys issued and revoked by the admin port.
      assertThat(putBearer("secret-keys", valid, fakeTs(5)).statusCode()).isEqualTo(204);
      assertThat(putBearer("secret-keys", forged, fakeTs(5)).statusCode()).isEqualTo(403);
      issued.add(admin("/streams/secret-keys/key"));
      issued.add(admin("/streams/secret-keys/revoke"));
      assertThat(putBearer("secret-keys", valid, fakeTs(5)).statusCode()).isEqualTo(403);
      // Both sessions (the whole upload, and the one reset mid-upload) have ended in Kafka.
      awaitPublishRecords("secret-keys", IngestRecordKind.PUBLISH_ENDED, 3);
    } finally {
      root.detachAppender(captured);
      root.setLevel(rootLevel);
      ours.setLevel(oursLevel);
    }
    String signature = valid.substring(valid.indexOf('.') + 1);
    String forgedSignature = forged.substring(forged.indexOf('.') + 1);
    List<String> issuedSignatures =
        issued.stream().map(k -> k.substring(k.indexOf('.') + 1)).toList();
    assertThat(issuedSignatures).hasSize(2).doesNotHaveDuplicates();
    assertThat(captured.list).as("the run logged something to scan").isNotEmpty();
    for (ch.qos.logback.classic.spi.ILoggingEvent e : captured.list) {
      StringBuilder text = new StringBuilder(e.getFormattedMessage());
      e.getMDCPropertyMap().values().forEach(text::append);
      for (var t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        text.append(t.getMessage());
      }
      assertThat(text.toString())
          .as("log line of %s", e.getLoggerName())
          .doesNotContain(signature)
          .doesNotContain(forgedSignature)
          .doesNotContain(issuedSignatures.get(0))
          .doesNotContain(issuedSignatures.get(1));
    }
  }

  private static void awaitPublishRecords(String streamId, IngestRecordKind kind, long count) {
    TopicReader.of(SharedDevstack.kafka().bootstrapServers(), Topics.INGEST.name(), r -> r)
        .awaitUntil(
            streamId,
            rs -> kinds(rs).stream().filter(k -> k == kind).count() >= count,
            Duration.ofSeconds(30));
  }

  private static HttpResponse<String> putBearer(String streamId, String key, byte[] body)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(ingestUrl(streamId)))
            .header("Authorization", "Bearer " + key)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** POSTs to an admin key route; the key it answers. */
  private static String admin(String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.adminPort() + path))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).get("key").asText();
  }

  private static String ingestUrl(String key) {
    return "http://127.0.0.1:" + service.httpPort() + "/ingest/" + key;
  }

  private static HttpResponse<String> put(String key, byte[] body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(ingestUrl(key)))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
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

  private static List<IngestRecordKind> kinds(List<ConsumerRecord<String, byte[]>> records) {
    return records.stream().map(r -> IngestHeaders.kindOf(r.headers()).orElseThrow()).toList();
  }

  /** Every hls.ingest record of {@code streamId}, once its PublishEnded has arrived. */
  private static List<ConsumerRecord<String, byte[]>> awaitSessionRecords(String streamId) {
    return TopicReader.of(SharedDevstack.kafka().bootstrapServers(), Topics.INGEST.name(), r -> r)
        .awaitUntil(
            streamId,
            records ->
                !records.isEmpty()
                    && IngestHeaders.kindOf(records.get(records.size() - 1).headers())
                        .orElseThrow()
                        .equals(IngestRecordKind.PUBLISH_ENDED),
            Duration.ofSeconds(30));
  }
}
