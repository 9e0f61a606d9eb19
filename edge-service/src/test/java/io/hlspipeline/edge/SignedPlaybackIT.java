package io.hlspipeline.edge;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hlspipeline.devstack.KafkaBroker;
import io.hlspipeline.devstack.S3Server;
import io.hlspipeline.devstack.SharedDevstack;
import io.hlspipeline.edge.auth.PlaybackSecret;
import io.hlspipeline.edge.auth.PlaybackTokens;
import io.hlspipeline.events.Topics;
import io.hlspipeline.events.catalog.CatalogApi;
import io.hlspipeline.events.catalog.RecordingDto;
import io.hlspipeline.events.catalog.RecordingListDto;
import io.hlspipeline.events.catalog.SegmentDto;
import io.hlspipeline.events.catalog.SegmentListDto;
import io.hlspipeline.events.catalog.StreamDto;
import io.hlspipeline.events.catalog.StreamStatus;
import io.hlspipeline.events.json.EventJson;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.kit.http.Exchange;
import io.hlspipeline.kit.http.HttpService;
import io.hlspipeline.kit.http.HttpSettings;
import io.hlspipeline.kit.metrics.Metrics;
import io.hlspipeline.storage.S3Endpoint;
import io.hlspipeline.storage.SegmentStore;
import io.hlspipeline.storage.StoredObject;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/**
 * Signed playback on a running edge ({@code EDGE_PLAYBACK_SECRET} set) against real Kafka and S3
 * servers (devstack), with a tiny in-test HTTP server playing the catalog: two ended streams known
 * from the catalog, each with two real 2 s MPEG-TS segments made by ffmpeg.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SignedPlaybackIT {
  static final String BUCKET = "edge-signed-it";
  static final String SECRET = "signed-playback-it-secret-0123456789";
  static final String STREAM = "signed-a";
  static final String OTHER = "signed-b";
  static final String SESSION = "20260101T000000.000Z-5e55a0a1";

  private final ObjectMapper json = EventJson.newMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<String, byte[]> catalogBodies = new ConcurrentHashMap<>();
  private final Map<Long, byte[]> segmentBytes = new HashMap<>();
  private final PlaybackTokens tokens = new PlaybackTokens(PlaybackSecret.of(SECRET));
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private Level previousLevel;

  private Path tmp;
  private SegmentStore store;
  private HttpService catalog;
  private EdgeService edge;

  @BeforeAll
  void setUp() throws Exception {
    tmp = Files.createTempDirectory("signed-playback-it");
    Logger ours = (Logger) LoggerFactory.getLogger("io.hlspipeline");
    previousLevel = ours.getLevel();
    ours.setLevel(Level.DEBUG);
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);

    KafkaBroker kafka = SharedDevstack.kafka();
    kafka.createTopic(Topics.SEGMENTS.name(), 3, Topics.SEGMENTS.configs());
    S3Server a = SharedDevstack.s3(0);
    String s3Spec = spec(a);
    store = new SegmentStore(S3Endpoint.parseList(s3Spec), 1, new SimpleMeterRegistry());
    store.ensureBuckets();

    Instant start = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MILLIS);
    for (String stream : List.of(STREAM, OTHER)) {
      List<SegmentDto> segments = new ArrayList<>();
      for (long msn = 0; msn < 2; msn++) {
        byte[] bytes = realTs(msn);
        String key = SegmentStore.segmentKey(stream, "src", SESSION, msn, "ts");
        StoredObject stored = store.put(key, bytes, "video/mp2t");
        if (stream.equals(STREAM)) {
          segmentBytes.put(msn, bytes);
        }
        segments.add(SegmentDto.from(segment(stream, msn, start, stored)));
      }
      putCatalog(stream, segments, start);
    }
    catalog =
        new HttpService("catalog", HttpSettings.of("127.0.0.1", 0), new SimpleMeterRegistry())
            .route("/", this::serveCatalog);
    catalog.start();

    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("HTTP_BIND", "127.0.0.1");
    env.put("HTTP_PORT", "0");
    env.put("ADMIN_PORT", "0");
    env.put("HTTP_THREADS", "4");
    env.put("CATALOG_URL", "http://127.0.0.1:" + catalog.port());
    env.put("S3_ENDPOINTS", s3Spec);
    env.put("EDGE_PLAYBACK_SECRET", SECRET);
    EdgeConfig config = EdgeConfig.parse(env);
    assertThat(config.toString()).contains("playbackSecret=[hidden]").doesNotContain(SECRET);
    edge = new EdgeService(config, Metrics.newRegistry("edge-signed"));
    edge.start();
  }

  @AfterAll
  void tearDown() throws Exception {
    if (edge != null) {
      edge.stop();
    }
    if (catalog != null) {
      catalog.stop();
    }
    if (store != null) {
      store.close();
    }
    try (var files = Files.walk(tmp)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    ((Logger) LoggerFactory.getLogger("io.hlspipeline")).setLevel(previousLevel);
    // Nothing logged while the edge ran names the secret or a token's MAC.
    String valid = tokens.sign(STREAM, Instant.now().plusSeconds(600));
    String mac = valid.substring(valid.indexOf('.') + 1, valid.indexOf('.') + 12);
    for (ILoggingEvent e : logs.list) {
      String text =
          e.getFormattedMessage()
              + (e.getThrowableProxy() == null
                  ? ""
                  : ThrowableProxyUtil.asString(e.getThrowableProxy()));
      assertThat(text).doesNotContain(SECRET).doesNotContain(mac);
    }
  }

  @Test
  void unsignedPaths_are403_withAOneLineReason() throws Exception {
    for (String path :
        List.of(
            "/hls/" + STREAM + "/master.m3u8",
            "/hls/" + STREAM + "/src/index.m3u8",
            "/hls/" + STREAM + "/src/0.ts",
            "/hls/" + STREAM + "/recordings")) {
      HttpResponse<String> r = get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(403);
      assertThat(r.body()).as(path).isEqualTo("playback token required: use /s/{token}/hls/...\n");
      assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
    }
  }

  @Test
  void signedMaster_andItsRelativeUris_playWithNoOtherAuth() throws Exception {
    String base = "/s/" + tokens.sign(STREAM, Instant.now().plusSeconds(600));
    URI master = uri(base + "/hls/" + STREAM + "/master.m3u8");
    HttpResponse<String> m = get(master);
    assertThat(m.statusCode()).isEqualTo(200);
    String variantLine = m.body().lines().filter(l -> !l.startsWith("#")).findFirst().orElseThrow();
    assertThat(variantLine).isEqualTo("src/index.m3u8");

    URI variant = master.resolve(variantLine);
    HttpResponse<String> v = get(variant);
    assertThat(v.statusCode()).isEqualTo(200);
    List<String> segments = v.body().lines().filter(l -> l.endsWith(".ts")).toList();
    assertThat(segments).containsExactly("0.ts", "1.ts");

    HttpResponse<byte[]> seg = getBytes(variant.resolve(segments.get(1)));
    assertThat(seg.statusCode()).isEqualTo(200);
    assertThat(seg.body()).isEqualTo(segmentBytes.get(1L));
  }

  @Test
  void signedRecordings_listAndLatest_keepTheToken() throws Exception {
    String base = "/s/" + tokens.sign(STREAM, Instant.now().plusSeconds(600));
    HttpResponse<String> list = get(base + "/hls/" + STREAM + "/recordings");
    assertThat(list.statusCode()).isEqualTo(200);
    JsonNode recordings = json.readTree(list.body()).get("recordings");
    assertThat(recordings).hasSize(1);
    assertThat(recordings.get(0).get("playlist").asText())
        .isEqualTo(base + "/hls/" + STREAM + "/recordings/" + SESSION + "/master.m3u8");

    HttpResponse<String> latest = get(base + "/hls/" + STREAM + "/recordings/latest/master.m3u8");
    assertThat(latest.statusCode()).isEqualTo(302);
    assertThat(latest.headers().firstValue("Location"))
        .contains(base + "/hls/" + STREAM + "/recordings/" + SESSION + "/master.m3u8");
  }

  @Test
  void expiredWrongAndOtherStreamTokens_are403() throws Exception {
    String expired = tokens.sign(STREAM, Instant.now().minusSeconds(5));
    String others = tokens.sign(OTHER, Instant.now().plusSeconds(600));
    String foreign =
        new PlaybackTokens(PlaybackSecret.of("not-the-edge-secret-0123456789"))
            .sign(STREAM, Instant.now().plusSeconds(600));
    Map<String, String> cases =
        Map.of(
            expired,
            "playback token expired\n",
            others,
            "playback token not valid for this stream\n",
            foreign,
            "playback token not valid for this stream\n",
            "12345.nope",
            "malformed playback token\n");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      for (String tail : List.of("/master.m3u8", "/src/index.m3u8", "/src/0.ts", "/recordings")) {
        HttpResponse<String> r = get("/s/" + c.getKey() + "/hls/" + STREAM + tail);
        assertThat(r.statusCode()).as(tail).isEqualTo(403);
        assertThat(r.body()).as(tail).isEqualTo(c.getValue()).doesNotContain(c.getKey());
      }
    }
    // The other stream's token does open the other stream.
    assertThat(get("/s/" + others + "/hls/" + OTHER + "/master.m3u8").statusCode()).isEqualTo(200);
    assertThat(get("/s/" + others + "/hls/" + "bad%2Fid/master.m3u8").statusCode()).isEqualTo(400);
  }

  @Test
  void ffmpeg_copiesASignedStream() throws Exception {
    String url =
        "http://127.0.0.1:"
            + edge.httpPort()
            + "/s/"
            + tokens.sign(STREAM, Instant.now().plusSeconds(600))
            + "/hls/"
            + STREAM
            + "/master.m3u8";
    Path out = tmp.resolve("copy.ts");
    Process p =
        new ProcessBuilder(
                "ffmpeg", "-nostdin", "-v", "error", "-y", "-i", url, "-c", "copy", out.toString())
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("ffmpeg.log").toFile())
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(tmp.resolve("ffmpeg.log"))).isZero();
    assertThat(Files.size(out)).isGreaterThan(segmentBytes.get(0L).length);
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + edge.httpPort() + path);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return get(uri(path));
  }

  private HttpResponse<String> get(URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<byte[]> getBytes(URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** A real 2 s MPEG-TS segment (tiny H.264 test pattern), timestamps starting at 2 × msn s. */
  private byte[] realTs(long msn) throws Exception {
    Path out = tmp.resolve("seg" + msn + ".ts");
    Process p =
        new ProcessBuilder(
                "ffmpeg",
                "-nostdin",
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "testsrc=size=160x90:rate=10",
                "-t",
                "2",
                "-c:v",
                "libx264",
                "-g",
                "20",
                "-output_ts_offset",
                Long.toString(2 * msn),
                "-f",
                "mpegts",
                out.toString())
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("gen" + msn + ".log").toFile())
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(tmp.resolve("gen" + msn + ".log"))).isZero();
    return Files.readAllBytes(out);
  }

  private static String spec(S3Server s) {
    return "id="
        + s.id()
        + ",url="
        + s.endpoint()
        + ",bucket="
        + BUCKET
        + ",region="
        + s.region()
        + ",accessKey="
        + s.accessKey()
        + ",secretKey="
        + s.secretKey();
  }

  private static SegmentReady segment(
      String stream, long msn, Instant sessionStart, StoredObject stored) {
    return new SegmentReady(
        SegmentEvent.SCHEMA_VERSION,
        stream,
        "src",
        SESSION,
        msn,
        2_000_000,
        msn * 180_000,
        sessionStart.plusSeconds(2 * msn),
        0,
        false,
        2,
        "avc1.64000c",
        160,
        90,
        stored.sizeBytes(),
        stored.key(),
        stored.servers());
  }

  private void putCatalog(String stream, List<SegmentDto> segments, Instant start)
      throws Exception {
    catalogBodies.put(
        CatalogApi.stream(stream),
        json.writeValueAsBytes(
            new StreamDto(
                stream,
                StreamStatus.ENDED,
                SESSION,
                start,
                start.plusSeconds(4),
                1,
                2,
                "avc1.64000c",
                160,
                90,
                List.of("src"))));
    catalogBodies.put(
        CatalogApi.stream(stream) + "/renditions/src/segments",
        json.writeValueAsBytes(new SegmentListDto(stream, "src", segments, true, -1)));
    catalogBodies.put(
        CatalogApi.recordings(stream),
        json.writeValueAsBytes(
            new RecordingListDto(
                stream,
                List.of(new RecordingDto(SESSION, start, start.plusSeconds(4), 4.0, 2, 0, 1)))));
  }

  private void serveCatalog(Exchange ex) {
    byte[] body = catalogBodies.get(ex.rawPath());
    if (body == null) {
      ex.respond(404, null, new byte[0]);
      return;
    }
    ex.respond(200, "application/json", body);
  }
}
