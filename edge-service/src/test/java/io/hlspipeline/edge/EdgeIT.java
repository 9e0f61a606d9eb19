package io.hlspipeline.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hlspipeline.devstack.KafkaBroker;
import io.hlspipeline.devstack.S3Server;
import io.hlspipeline.devstack.SharedDevstack;
import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.Topics;
import io.hlspipeline.events.catalog.SegmentDto;
import io.hlspipeline.events.catalog.SegmentListDto;
import io.hlspipeline.events.catalog.StreamDto;
import io.hlspipeline.events.catalog.StreamStatus;
import io.hlspipeline.events.json.EventJson;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentFormat;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.segments.StreamEnded;
import io.hlspipeline.kit.http.Exchange;
import io.hlspipeline.kit.http.HttpService;
import io.hlspipeline.kit.http.HttpSettings;
import io.hlspipeline.kit.kafka.KafkaProps;
import io.hlspipeline.kit.metrics.Metrics;
import io.hlspipeline.storage.S3Endpoint;
import io.hlspipeline.storage.SegmentStore;
import io.hlspipeline.storage.StoredObject;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The edge against real Kafka and real S3 servers (devstack), with a tiny in-test HTTP server
 * playing the catalog (the real catalog is exercised in the end-to-end test).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EdgeIT {
  static final String BUCKET = "edge-it";
  static final String LIVE = "edge-live";
  static final String CATALOG_ONLY = "edge-catalog-only";

  private final ObjectMapper json = EventJson.newMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<String, byte[]> catalogBodies = new ConcurrentHashMap<>();
  private final Map<Long, byte[]> liveBytes = new HashMap<>();
  private final Map<Long, byte[]> catalogOnlyBytes = new HashMap<>();
  private final List<SegmentReady> liveSegments = new ArrayList<>();

  private KafkaBroker kafka;
  private SegmentStore store;
  private String s3Spec;
  private HttpService catalog;
  private EdgeService edge;
  private PrometheusMeterRegistry registry;
  private KafkaProducer<String, SegmentEvent> producer;

  @BeforeAll
  void setUp() throws Exception {
    kafka = SharedDevstack.kafka();
    kafka.createTopic(Topics.SEGMENTS.name(), 3, Topics.SEGMENTS.configs());
    S3Server a = SharedDevstack.s3(0);
    S3Server b = SharedDevstack.s3(1);
    s3Spec = spec(a) + ";" + spec(b);
    store = new SegmentStore(S3Endpoint.parseList(s3Spec), 2, new SimpleMeterRegistry());
    store.ensureBuckets();

    Instant sessionStart = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    for (long msn = 0; msn < 3; msn++) {
      byte[] bytes = tsBytes(LIVE, msn);
      String key = SegmentStore.segmentKey(LIVE, "src", "sess-1", msn, "ts");
      StoredObject stored = store.put(key, bytes, "video/mp2t");
      liveBytes.put(msn, bytes);
      liveSegments.add(segment(LIVE, "sess-1", msn, sessionStart, stored));
    }
    List<SegmentDto> catalogSegments = new ArrayList<>();
    Instant oldStart = sessionStart.minus(Duration.ofDays(1));
    for (long msn = 40; msn < 42; msn++) {
      byte[] bytes = tsBytes(CATALOG_ONLY, msn);
      String key = SegmentStore.segmentKey(CATALOG_ONLY, "src", "old", msn, "ts");
      StoredObject stored = store.put(key, bytes, "video/mp2t");
      catalogOnlyBytes.put(msn, bytes);
      catalogSegments.add(SegmentDto.from(segment(CATALOG_ONLY, "old", msn, oldStart, stored)));
    }
    startCatalog(catalogSegments, oldStart);

    producer =
        new KafkaProducer<>(
            KafkaProps.producer(kafka.bootstrapServers(), "edge-it"),
            new StringSerializer(),
            Serdes.segmentEvent().serializer());

    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("HTTP_BIND", "127.0.0.1");
    env.put("HTTP_PORT", "0");
    env.put("ADMIN_PORT", "0");
    env.put("HTTP_THREADS", "4");
    env.put("CATALOG_URL", "http://127.0.0.1:" + catalog.port());
    env.put("S3_ENDPOINTS", s3Spec);
    env.put("LIVE_WINDOW_SEGMENTS", "3");
    env.put("EDGE_CACHE_BYTES", "16777216");
    registry = Metrics.newRegistry("edge");
    edge = new EdgeService(EdgeConfig.parse(env), registry);
    edge.start();
  }

  @AfterAll
  void tearDown() throws Exception {
    if (edge != null) {
      edge.stop();
    }
    if (producer != null) {
      producer.close();
    }
    if (catalog != null) {
      catalog.stop();
    }
    if (store != null) {
      store.close();
    }
  }

  @Test
  void liveStream_fromKafka_playlistThenSegmentsThenEndList() throws Exception {
    for (SegmentReady s : liveSegments.subList(0, 2)) {
      send(s);
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> assertThat(get("/hls/" + LIVE + "/src/index.m3u8").body()).contains("1.ts"));
    send(liveSegments.get(2));
    send(liveSegments.get(1)); // a replay: must not disturb the window

    HttpResponse<String> playlist =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> get("/hls/" + LIVE + "/src/index.m3u8"), r -> r.body().contains("2.ts"));
    assertThat(playlist.statusCode()).isEqualTo(200);
    assertThat(playlist.headers().firstValue("Content-Type"))
        .contains("application/vnd.apple.mpegurl");
    assertThat(playlist.headers().firstValue("Cache-Control")).contains("public, max-age=1");
    assertThat(playlist.headers().firstValue("Access-Control-Allow-Origin")).contains("*");
    // The newest segment is the one a live player asks for first.
    assertThat(playlist.headers().firstValue("Link")).contains("<2.ts>; rel=preload");
    String text = playlist.body();
    assertThat(text)
        .startsWith("#EXTM3U\n")
        .contains("#EXT-X-TARGETDURATION:2\n")
        .contains("#EXT-X-MEDIA-SEQUENCE:0\n")
        .doesNotContain("#EXT-X-ENDLIST");
    assertThat(text.lines().filter(l -> l.startsWith("#EXT-X-PROGRAM-DATE-TIME:"))).hasSize(3);
    assertThat(text.lines().filter(l -> l.endsWith(".ts"))).containsExactly("0.ts", "1.ts", "2.ts");

    // Live prefetch warmed the cache: the first viewer request is a hit.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                registry.find("hls.edge.prefetch").tag("result", "loaded").counter() != null
                    && registry.find("hls.edge.prefetch").tag("result", "loaded").counter().count()
                        >= 3);
    double hitsBefore =
        registry.get("hls.edge.cache.requests").tag("result", "hit").counter().count();
    HttpResponse<byte[]> segment = getBytes("/hls/" + LIVE + "/src/1.ts");
    assertThat(segment.statusCode()).isEqualTo(200);
    assertThat(segment.body()).isEqualTo(liveBytes.get(1L));
    assertThat(segment.headers().firstValue("Content-Type")).contains("video/mp2t");
    assertThat(segment.headers().firstValue("Cache-Control"))
        .contains("public, max-age=31536000, immutable");
    assertThat(registry.get("hls.edge.cache.requests").tag("result", "hit").counter().count())
        .isGreaterThan(hitsBefore);

    HttpResponse<String> master = get("/hls/" + LIVE + "/master.m3u8");
    assertThat(master.statusCode()).isEqualTo(200);
    assertThat(master.body())
        .contains("CODECS=\"avc1.64001f,mp4a.40.2\"")
        .contains("RESOLUTION=1280x720")
        .contains("\nsrc/index.m3u8\n");

    send(new StreamEnded(SegmentEvent.SCHEMA_VERSION, LIVE, "src", "sess-1", 2, Instant.now()));
    HttpResponse<String> ended =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> get("/hls/" + LIVE + "/src/index.m3u8"),
                r -> r.body().contains("#EXT-X-ENDLIST"));
    assertThat(ended.body().lines().filter(l -> l.endsWith(".ts")))
        .containsExactly("0.ts", "1.ts", "2.ts");
    assertThat(ended.headers().firstValue("Cache-Control")).contains("public, max-age=60");
    assertThat(ended.headers().firstValue("Link")).isEmpty();

    assertThat(getBytes("/hls/" + LIVE + "/src/3.ts").statusCode()).isEqualTo(404);
  }

  @Test
  void undecodableRecord_isSkipped_andFollowingEventsStillApply() throws Exception {
    try (KafkaProducer<String, byte[]> raw =
        new KafkaProducer<>(
            KafkaProps.producer(kafka.bootstrapServers(), "edge-it-raw"),
            new StringSerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      raw.send(
              new ProducerRecord<>(
                  Topics.SEGMENTS.name(),
                  "edge-poison",
                  "{not json".getBytes(StandardCharsets.UTF_8)))
          .get();
    }
    // Same key, so same partition, after the poison record.
    SegmentReady next = liveSegments.get(0);
    send(
        new SegmentReady(
            SegmentEvent.SCHEMA_VERSION,
            "edge-poison",
            "src",
            "p",
            0,
            next.durationUs(),
            0,
            next.programDateTime(),
            0,
            false,
            2,
            next.codecs(),
            1280,
            720,
            next.sizeBytes(),
            next.storageKey(),
            next.servers()));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> assertThat(get("/hls/edge-poison/src/index.m3u8").body()).contains("0.ts"));
    assertThat(registry.get("hls.edge.events").tag("result", "undecodable").counter().count())
        .isGreaterThanOrEqualTo(1);
  }

  @Test
  void playlistEtagGzipAndSegmentRangeHead_andBlockingReload() throws Exception {
    String stream = "edge-http";
    Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    List<byte[]> bytes = new ArrayList<>();
    List<SegmentReady> events = new ArrayList<>();
    for (long msn = 0; msn < 3; msn++) {
      byte[] b = tsBytes(stream, msn);
      StoredObject stored =
          store.put(SegmentStore.segmentKey(stream, "src", "h", msn, "ts"), b, "video/mp2t");
      bytes.add(b);
      events.add(segment(stream, "h", msn, start, stored));
    }
    send(events.get(0));
    send(events.get(1));
    String path = "/hls/" + stream + "/src/index.m3u8";
    HttpResponse<String> first =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> get(path), r -> r.body().contains("1.ts"));
    String etag = first.headers().firstValue("ETag").orElseThrow();
    assertThat(first.headers().firstValue("Vary")).contains("Accept-Encoding");

    HttpResponse<String> notModified =
        http.send(
            HttpRequest.newBuilder(uri(path)).header("If-None-Match", etag).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(notModified.statusCode()).isEqualTo(304);
    assertThat(notModified.body()).isEmpty();

    // Blocking reload: _HLS_msn=2 is held until segment 2 is announced.
    java.util.concurrent.CompletableFuture<HttpResponse<String>> blocked =
        http.sendAsync(
            HttpRequest.newBuilder(uri(path + "?_HLS_msn=2")).build(),
            HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(10)).until(() -> edge.activeHttpRequests() >= 1);
    assertThat(blocked).isNotDone();
    send(events.get(2));
    HttpResponse<String> reloaded = blocked.get(30, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(reloaded.statusCode()).isEqualTo(200);
    assertThat(reloaded.body()).contains("2.ts");
    assertThat(reloaded.headers().firstValue("ETag")).isNotEqualTo(java.util.Optional.of(etag));
    assertThat(get(path + "?_HLS_msn=9").statusCode()).isEqualTo(400);
    HttpResponse<byte[]> gzipped =
        http.send(
            HttpRequest.newBuilder(uri(path)).header("Accept-Encoding", "gzip").build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(gzipped.headers().firstValue("Content-Encoding")).contains("gzip");
    assertThat(
            new String(
                new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gzipped.body()))
                    .readAllBytes(),
                StandardCharsets.UTF_8))
        .isEqualTo(reloaded.body());

    String seg = "/hls/" + stream + "/src/1.ts";
    HttpResponse<byte[]> range =
        http.send(
            HttpRequest.newBuilder(uri(seg)).header("Range", "bytes=10-19").build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(range.statusCode()).isEqualTo(206);
    assertThat(range.body()).isEqualTo(java.util.Arrays.copyOfRange(bytes.get(1), 10, 20));
    assertThat(range.headers().firstValue("Content-Range"))
        .contains("bytes 10-19/" + bytes.get(1).length);
    HttpResponse<byte[]> unsatisfiable =
        http.send(
            HttpRequest.newBuilder(uri(seg)).header("Range", "bytes=999999-").build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(unsatisfiable.statusCode()).isEqualTo(416);
    HttpResponse<Void> head =
        http.send(
            HttpRequest.newBuilder(uri(seg))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.discarding());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValue("Content-Length")).contains("" + bytes.get(1).length);
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + edge.httpPort() + path);
  }

  @Test
  void streamKnownOnlyToCatalog_isBootstrapped() throws Exception {
    HttpResponse<String> playlist = get("/hls/" + CATALOG_ONLY + "/src/index.m3u8");
    assertThat(playlist.statusCode()).isEqualTo(200);
    assertThat(playlist.body()).contains("#EXT-X-MEDIA-SEQUENCE:40\n").contains("#EXT-X-ENDLIST");
    assertThat(playlist.body().lines().filter(l -> l.endsWith(".ts")))
        .containsExactly("40.ts", "41.ts");

    HttpResponse<byte[]> segment = getBytes("/hls/" + CATALOG_ONLY + "/src/41.ts");
    assertThat(segment.statusCode()).isEqualTo(200);
    assertThat(segment.body()).isEqualTo(catalogOnlyBytes.get(41L));

    assertThat(get("/hls/" + CATALOG_ONLY + "/master.m3u8").body()).contains("src/index.m3u8");
  }

  @Test
  void unknownStream_is404() throws Exception {
    HttpResponse<String> r = get("/hls/nobody-here/src/index.m3u8");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).isEqualTo("unknown stream or rendition\n");
    assertThat(get("/hls/nobody-here/master.m3u8").statusCode()).isEqualTo(404);
    assertThat(getBytes("/hls/nobody-here/src/0.ts").statusCode()).isEqualTo(404);
  }

  @Test
  void hostilePaths_are400_withShortText() throws Exception {
    for (String path :
        List.of(
            "/hls/" + LIVE + "/src/..%2f..%2f" + CATALOG_ONLY + "%2fsrc%2f41.ts",
            "/hls/%2e%2e/src/0.ts",
            "/hls/" + LIVE + "/src/99999999999999999999999.ts",
            "/hls/" + LIVE + "/src/-1.ts",
            "/hls/" + LIVE.toUpperCase() + "/master.m3u8")) {
      HttpResponse<String> r = get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(400);
      assertThat(r.body())
          .as(path)
          .hasSizeLessThan(100)
          .doesNotContain("Exception")
          .doesNotContain(" at ");
      assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
    }
  }

  @Test
  void metricsAndHealth_areServedOnTheAdminPort() throws Exception {
    assertThat(getAdmin("/health/live").statusCode()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> getAdmin("/health/ready").statusCode() == 200);
    get("/hls/" + CATALOG_ONLY + "/src/index.m3u8");
    assertThat(getAdmin("/metrics").body())
        .contains("hls_edge_requests_seconds_count{kind=\"playlist\"")
        .contains("kafka_consumer_fetch_manager_records_consumed_total");
  }

  @Test
  void adminEndpoints_areNotOnTheViewerPort_andViewerRoutesNotOnTheAdminPort() throws Exception {
    assertThat(edge.adminPort()).isNotEqualTo(edge.httpPort());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> getAdmin("/health/ready").statusCode() == 200);
    for (String adminPath : List.of("/health/live", "/health/ready", "/metrics")) {
      assertThat(getAdmin(adminPath).statusCode()).as("admin %s", adminPath).isEqualTo(200);
      assertThat(get(adminPath).statusCode()).as("viewer %s", adminPath).isEqualTo(404);
    }
    for (String viewerPath :
        List.of("/hls/" + CATALOG_ONLY + "/src/index.m3u8", "/player/" + CATALOG_ONLY)) {
      assertThat(get(viewerPath).statusCode()).as("viewer %s", viewerPath).isEqualTo(200);
      assertThat(getAdmin(viewerPath).statusCode()).as("admin %s", viewerPath).isEqualTo(404);
    }
  }

  @Test
  void fmp4Stream_mapInPlaylist_initAndFragmentsWithTheirTypes() throws Exception {
    String stream = "edge-fmp4";
    Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    byte[] init = ("init of " + stream).getBytes(StandardCharsets.US_ASCII);
    String initKey = stream + "/src/f1/init-0123456789abcdef.mp4";
    StoredObject storedInit = store.put(initKey, init, "video/mp4");
    Map<Long, byte[]> fragments = new HashMap<>();
    for (long msn = 0; msn < 2; msn++) {
      byte[] bytes = (stream + " fragment " + msn).getBytes(StandardCharsets.US_ASCII);
      fragments.put(msn, bytes);
      StoredObject stored =
          store.put(
              SegmentStore.segmentKey(stream, "src", "f1", msn, "m4s"), bytes, "video/iso.segment");
      SegmentReady ts = segment(stream, "f1", msn, start, stored);
      send(
          new SegmentReady(
              ts.v(),
              ts.streamId(),
              ts.rendition(),
              ts.sessionId(),
              ts.msn(),
              ts.durationUs(),
              ts.startPts90k(),
              ts.programDateTime(),
              ts.discontinuitySequence(),
              ts.discontinuity(),
              ts.targetDurationSec(),
              ts.codecs(),
              ts.width(),
              ts.height(),
              ts.sizeBytes(),
              ts.storageKey(),
              ts.servers(),
              SegmentFormat.FMP4,
              storedInit.key(),
              storedInit.servers()));
    }

    HttpResponse<String> playlist =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> get("/hls/" + stream + "/src/index.m3u8"), r -> r.body().contains("1.m4s"));
    assertThat(playlist.body())
        .startsWith("#EXTM3U\n#EXT-X-VERSION:6\n")
        .contains("#EXT-X-MAP:URI=\"init-0123456789abcdef.mp4\"\n")
        .contains("\n0.m4s\n")
        .doesNotContain(".ts");

    HttpResponse<byte[]> initResponse =
        getBytes("/hls/" + stream + "/src/init-0123456789abcdef.mp4");
    assertThat(initResponse.statusCode()).isEqualTo(200);
    assertThat(initResponse.body()).isEqualTo(init);
    assertThat(initResponse.headers().firstValue("Content-Type")).contains("video/mp4");
    assertThat(initResponse.headers().firstValue("Cache-Control"))
        .contains("public, max-age=31536000, immutable");

    HttpResponse<byte[]> fragment = getBytes("/hls/" + stream + "/src/1.m4s");
    assertThat(fragment.statusCode()).isEqualTo(200);
    assertThat(fragment.body()).isEqualTo(fragments.get(1L));
    assertThat(fragment.headers().firstValue("Content-Type")).contains("video/iso.segment");
    assertThat(fragment.headers().firstValue("Cache-Control"))
        .contains("public, max-age=31536000, immutable");

    // The other container, or an init no segment names: not found.
    assertThat(get("/hls/" + stream + "/src/1.ts").statusCode()).isEqualTo(404);
    assertThat(get("/hls/" + LIVE + "/src/0.m4s").statusCode()).isEqualTo(404);
    assertThat(get("/hls/" + stream + "/src/init-fedcba9876543210.mp4").statusCode())
        .isEqualTo(404);
  }

  // --- helpers ---

  private void send(SegmentEvent event) throws Exception {
    producer.send(new ProducerRecord<>(Topics.SEGMENTS.name(), event.streamId(), event)).get();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.httpPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> getAdmin(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.adminPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<byte[]> getBytes(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.httpPort() + path)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String spec(S3Server s) {
    return s.endpointSpec(BUCKET);
  }

  /** 20 TS packets (sync byte 0x47) whose payload names the stream and msn, so bytes differ. */
  private static byte[] tsBytes(String stream, long msn) {
    byte[] out = new byte[188 * 20];
    byte[] tag = (stream + "#" + msn).getBytes(StandardCharsets.US_ASCII);
    for (int p = 0; p < 20; p++) {
      out[p * 188] = 0x47;
      for (int i = 4; i < 188; i++) {
        out[p * 188 + i] = tag[(i + p) % tag.length];
      }
    }
    return out;
  }

  private static SegmentReady segment(
      String stream, String session, long msn, Instant sessionStart, StoredObject stored) {
    return new SegmentReady(
        SegmentEvent.SCHEMA_VERSION,
        stream,
        "src",
        session,
        msn,
        2_000_000,
        msn * 180_000,
        sessionStart.plusSeconds(2 * msn),
        0,
        false,
        2,
        "avc1.64001f,mp4a.40.2",
        1280,
        720,
        stored.sizeBytes(),
        stored.key(),
        stored.servers());
  }

  /** Serves canned catalog answers for {@link #CATALOG_ONLY}; 404 for anything else. */
  private void startCatalog(List<SegmentDto> segments, Instant startedAt) throws Exception {
    StreamDto stream =
        new StreamDto(
            CATALOG_ONLY,
            StreamStatus.ENDED,
            "old",
            startedAt,
            startedAt.plusSeconds(4),
            41,
            2,
            "avc1.64001f,mp4a.40.2",
            1280,
            720,
            List.of("src"));
    catalogBodies.put("/api/v1/streams/" + CATALOG_ONLY, json.writeValueAsBytes(stream));
    catalogBodies.put(
        "/api/v1/streams/" + CATALOG_ONLY + "/renditions/src/segments",
        json.writeValueAsBytes(new SegmentListDto(CATALOG_ONLY, "src", segments, true, -1)));
    catalog =
        new HttpService("catalog", HttpSettings.of("127.0.0.1", 0), new SimpleMeterRegistry())
            .route("/", this::serveCatalog);
    catalog.start();
  }

  private void serveCatalog(Exchange ex) throws java.io.IOException {
    byte[] body = catalogBodies.get(ex.rawPath());
    if (body != null && ex.rawPath().endsWith("/segments")) {
      // Honour fromMsn so single-segment lookups get the right one.
      String query = ex.rawQuery() == null ? "" : ex.rawQuery();
      long fromMsn = 0;
      for (String kv : query.split("&")) {
        if (kv.startsWith("fromMsn=")) {
          fromMsn = Long.parseLong(kv.substring("fromMsn=".length()));
        }
      }
      SegmentListDto all = json.readValue(body, SegmentListDto.class);
      long from = fromMsn;
      body =
          json.writeValueAsBytes(
              new SegmentListDto(
                  all.streamId(),
                  all.rendition(),
                  all.segments().stream().filter(s -> s.msn() >= from).toList(),
                  all.ended(),
                  -1));
    }
    if (body == null) {
      ex.respond(404, null, new byte[0]);
      return;
    }
    ex.respond(200, "application/json", body);
  }
}
