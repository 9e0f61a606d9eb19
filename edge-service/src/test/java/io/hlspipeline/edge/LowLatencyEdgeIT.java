package io.hlspipeline.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hlspipeline.devstack.KafkaBroker;
import io.hlspipeline.devstack.S3Server;
import io.hlspipeline.devstack.SharedDevstack;
import io.hlspipeline.edge.auth.PlaybackSecret;
import io.hlspipeline.edge.auth.PlaybackTokens;
import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.Topics;
import io.hlspipeline.events.segments.PartReady;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentFormat;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.kit.kafka.KafkaProps;
import io.hlspipeline.kit.metrics.Metrics;
import io.hlspipeline.media.hls.MediaPlaylist;
import io.hlspipeline.media.hls.MediaSegment;
import io.hlspipeline.media.hls.PartialSegment;
import io.hlspipeline.media.hls.PlaylistParser;
import io.hlspipeline.storage.S3Endpoint;
import io.hlspipeline.storage.SegmentStore;
import io.hlspipeline.storage.StoredObject;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Low-Latency HLS on two edge replicas that follow the same real Kafka log, with parts and segments
 * in real S3 servers. The test plays the segmenter: it stores each part (random bytes: no player
 * decodes them here) and then publishes its {@code PartReady}, four 0.25 s parts to a 1 s segment
 * (target duration 1 s, so a held request waits at most 3 s), then the segment's {@code
 * SegmentReady}. A third replica signs playback.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LowLatencyEdgeIT {
  static final String BUCKET = "ll-edge-it";
  static final String SESSION = "sess";
  static final long PART_US = 250_000;
  static final int PARTS_PER_SEGMENT = 4;
  static final String SECRET = "ll-edge-it-playback-secret-0123";

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final Map<String, byte[]> stored = new ConcurrentHashMap<>();
  private final Random random = new Random(8216);
  private final Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  private KafkaBroker kafka;
  private SegmentStore store;
  private KafkaProducer<String, SegmentEvent> producer;
  private EdgeService a;
  private EdgeService b;
  private EdgeService signed;
  private final Map<EdgeService, PrometheusMeterRegistry> registries = new ConcurrentHashMap<>();

  @BeforeAll
  void setUp() throws Exception {
    kafka = SharedDevstack.kafka();
    kafka.createTopic(Topics.SEGMENTS.name(), 3, Topics.SEGMENTS.configs());
    S3Server s0 = SharedDevstack.s3(0);
    S3Server s1 = SharedDevstack.s3(1);
    String s3Spec = s0.endpointSpec(BUCKET) + ";" + s1.endpointSpec(BUCKET);
    store = new SegmentStore(S3Endpoint.parseList(s3Spec), 1, new SimpleMeterRegistry());
    store.ensureBuckets();
    producer =
        new KafkaProducer<>(
            KafkaProps.producer(kafka.bootstrapServers(), "ll-edge-it"),
            new StringSerializer(),
            Serdes.segmentEvent().serializer());
    a = edge(s3Spec, null);
    b = edge(s3Spec, null);
    signed = edge(s3Spec, SECRET);
  }

  private EdgeService edge(String s3Spec, String playbackSecret) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("HTTP_BIND", "127.0.0.1");
    env.put("HTTP_PORT", "0");
    env.put("ADMIN_PORT", "0");
    env.put("HTTP_THREADS", "2");
    env.put("CATALOG_URL", "http://127.0.0.1:9"); // streams here come from Kafka only
    env.put("S3_ENDPOINTS", s3Spec);
    env.put("LIVE_WINDOW_SEGMENTS", "12");
    env.put("EDGE_CACHE_BYTES", "16777216");
    if (playbackSecret != null) {
      env.put("EDGE_PLAYBACK_SECRET", playbackSecret);
    }
    PrometheusMeterRegistry registry = Metrics.newRegistry("edge");
    EdgeService edge = new EdgeService(EdgeConfig.parse(env), registry);
    edge.start();
    registries.put(edge, registry);
    return edge;
  }

  @AfterAll
  void tearDown() throws Exception {
    for (EdgeService e : new EdgeService[] {a, b, signed}) {
      if (e != null) {
        e.stop();
      }
    }
    if (producer != null) {
      producer.close();
    }
    if (store != null) {
      store.close();
    }
  }

  // --- tests ---

  /**
   * A player's loop, alternating between the replicas (round robin, no stickiness): a blocking
   * reload for the part the previous answer hinted (every third one a delta update), each answer
   * checked against the rules, and the hinted part fetched from the other replica before it exists.
   */
  @Test
  void playlistRulesHold_overBlockingReloads_alternatingReplicas() throws Exception {
    String stream = "ll-rules";
    int segments = 24;
    publishSegment(stream, 0);
    publishSegment(stream, 1);
    awaitListed(a, stream, 1);
    awaitListed(b, stream, 1);
    AtomicReference<Throwable> publisherFailure = new AtomicReference<>();
    Thread publisher =
        new Thread(
            () -> {
              try {
                for (long msn = 2; msn < segments; msn++) {
                  publishSegmentPaced(stream, msn, Duration.ofMillis(40));
                }
                // The reload after the last part of a segment waits for part 0 of the next one
                // (rfc8216bis §6.2.5.2): give the last reload one.
                sendPart(stream, segments, 0, storePart(stream, segments, 0));
              } catch (Throwable e) {
                publisherFailure.set(e);
              }
            },
            "ll-publisher");
    publisher.start();

    String path = "/hls/" + stream + "/src/index.m3u8";
    MediaPlaylist previousFull = PlaylistParser.parseMedia(get(a, path).body());
    long[] hint = hintOf(previousFull);
    long mediaSequence = previousFull.mediaSequence();
    List<CompletableFuture<String>> hintedFetches = new ArrayList<>();
    int reloads = 0;
    int deltas = 0;
    long newest = newestMsn(previousFull);
    while (newest < segments - 1) {
      EdgeService replica = reloads % 2 == 0 ? b : a;
      EdgeService other = replica == a ? b : a;
      boolean skip = reloads % 3 == 2;
      if (hint[0] < segments || (hint[0] == segments && hint[1] == 0)) {
        hintedFetches.add(fetchHinted(other, stream, hint));
      }
      HttpResponse<String> response =
          get(
              replica,
              path
                  + "?_HLS_msn="
                  + hint[0]
                  + "&_HLS_part="
                  + hint[1]
                  + (skip ? "&_HLS_skip=YES" : ""));
      assertThat(response.statusCode())
          .as("reload %d for %s: %s", reloads, Arrays.toString(hint), response.body())
          .isEqualTo(200);
      MediaPlaylist p = PlaylistParser.parseMedia(response.body());
      checkRules(p);
      newest = newestMsn(p);
      long[] listed = lastListed(p);
      assertThat(compare(listed, hint) >= 0 || newestMsn(p) >= hint[0])
          .as("answer to %s lists it: %s", Arrays.toString(hint), response.body())
          .isTrue();
      assertThat(p.mediaSequence()).isGreaterThanOrEqualTo(mediaSequence);
      mediaSequence = p.mediaSequence();
      long[] next = hintOf(p);
      assertThat(compare(next, hint)).as("hint moves forward").isPositive();
      assertThat(next)
          .as("the hint is the part after the last listed one")
          .isEqualTo(new long[] {newestMsn(p) + 1, p.trailingParts().size()});
      if (p.skippedSegments() > 0) {
        deltas++;
        checkDelta(previousFull, p);
      } else {
        previousFull = p;
      }
      hint = next;
      reloads++;
    }
    publisher.join();
    assertThat(publisherFailure.get()).isNull();
    System.out.printf(
        "LowLatencyEdgeIT rules: %d blocking reloads (%d delta updates) over %d segments%n",
        reloads, deltas, segments);
    assertThat(deltas).isPositive();
    assertThat(reloads).isGreaterThanOrEqualTo((segments - 2) * PARTS_PER_SEGMENT / 2);

    int hintedOk = 0;
    for (CompletableFuture<String> f : hintedFetches) {
      String outcome = f.get();
      assertThat(outcome).matches("ok|404 after a complete segment");
      hintedOk += outcome.equals("ok") ? 1 : 0;
    }
    assertThat(hintedOk).isGreaterThan(hintedFetches.size() / 2);

    // Quiet now: both replicas answer byte for byte alike, and a delta update plus the full
    // playlist give the same segments.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> get(a, path).body().equals(get(b, path).body()));
    HttpResponse<String> fullA = get(a, path);
    HttpResponse<String> fullB = get(b, path);
    assertThat(fullA.headers().firstValue("ETag")).isEqualTo(fullB.headers().firstValue("ETag"));
    String deltaA = get(a, path + "?_HLS_skip=YES").body();
    assertThat(get(b, path + "?_HLS_skip=v2").body()).isEqualTo(deltaA);
    MediaPlaylist full = PlaylistParser.parseMedia(fullA.body());
    MediaPlaylist delta = PlaylistParser.parseMedia(deltaA);
    assertThat(delta.skippedSegments()).isPositive();
    List<MediaSegment> rebuilt =
        new ArrayList<>(full.segments().subList(0, (int) delta.skippedSegments()));
    rebuilt.addAll(delta.segments());
    assertThat(rebuilt).isEqualTo(full.segments());
  }

  /** Blocking reload: time from a part's event (its send to Kafka) to the held answers. */
  @Test
  void blockingReload_answersHeldRequestsWhenThePartArrives() throws Exception {
    String stream = "ll-latency";
    publishSegment(stream, 0);
    publishSegment(stream, 1);
    awaitListed(a, stream, 1);
    awaitListed(b, stream, 1);
    String path = "/hls/" + stream + "/src/index.m3u8";
    int samples = 60;
    long[] latencyUs = new long[samples * 2];
    int n = 0;
    for (int i = 0; i < samples; i++) {
      long msn = 2 + i / PARTS_PER_SEGMENT;
      int part = i % PARTS_PER_SEGMENT;
      String q = "?_HLS_msn=" + msn + "&_HLS_part=" + part;
      double baseA = held(a);
      double baseB = held(b);
      CompletableFuture<long[]> onA = timedGet(a, path + q);
      CompletableFuture<long[]> onB = timedGet(b, path + q);
      await().atMost(Duration.ofSeconds(10)).until(() -> held(a) > baseA && held(b) > baseB);
      assertThat(onA).as("held until the part exists").isNotDone();
      byte[] bytes = storePart(stream, msn, part);
      long sentNanos = System.nanoTime();
      sendPart(stream, msn, part, bytes);
      for (CompletableFuture<long[]> f : List.of(onA, onB)) {
        long[] r = f.get();
        assertThat(r[0]).isEqualTo(200);
        latencyUs[n++] = (r[1] - sentNanos) / 1000;
      }
      if (part == PARTS_PER_SEGMENT - 1) {
        publishSegmentEvent(stream, msn);
      }
    }
    Arrays.sort(latencyUs);
    System.out.printf(
        "LowLatencyEdgeIT blocking reload: part event sent -> held playlist answered, %d answers"
            + " on 2 replicas: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
        n,
        latencyUs[n / 2] / 1000.0,
        latencyUs[(int) Math.ceil(0.99 * n) - 1] / 1000.0,
        latencyUs[n - 1] / 1000.0);
    assertThat(latencyUs[n / 2]).as("p50 µs").isLessThan(1_000_000);
  }

  @Test
  void hintedPart_isHeldUntilStored_thenServedFromMemoryOnBothReplicas() throws Exception {
    String stream = "ll-hint";
    publishSegment(stream, 0);
    awaitListed(a, stream, 0);
    awaitListed(b, stream, 0);
    MediaPlaylist p =
        PlaylistParser.parseMedia(get(a, "/hls/" + stream + "/src/index.m3u8").body());
    assertThat(p.preloadHints()).hasSize(1);
    assertThat(p.preloadHints().get(0).uri()).isEqualTo("1.0.ts");
    String partPath = "/hls/" + stream + "/src/1.0.ts";
    double baseA = held(a);
    double baseB = held(b);
    CompletableFuture<HttpResponse<byte[]>> onA = getBytesAsync(a, partPath);
    CompletableFuture<HttpResponse<byte[]>> onB = getBytesAsync(b, partPath);
    await().atMost(Duration.ofSeconds(10)).until(() -> held(a) > baseA && held(b) > baseB);
    assertThat(onA).isNotDone();
    byte[] bytes = storePart(stream, 1, 0);
    sendPart(stream, 1, 0, bytes);
    for (HttpResponse<byte[]> r : List.of(onA.get(), onB.get())) {
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(bytes);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("video/mp2t");
      assertThat(r.headers().firstValue("Cache-Control"))
          .hasValue("public, max-age=31536000, immutable");
    }
    // Prefetched when the event came: the next request is a cache hit on both.
    assertThat(getBytes(b, partPath).body()).isEqualTo(bytes);
  }

  @Test
  void badDirectives_are400_aPartThatNeverComes_is503AfterThreeTargetDurations() throws Exception {
    String stream = "ll-errors";
    publishSegment(stream, 0);
    publishSegment(stream, 1);
    awaitListed(a, stream, 1);
    String path = "/hls/" + stream + "/src/index.m3u8";
    assertThat(get(a, path + "?_HLS_msn=4&_HLS_part=0").statusCode()).isEqualTo(400);
    assertThat(get(a, path + "?_HLS_part=1").statusCode()).isEqualTo(400);
    assertThat(get(a, path + "?_HLS_msn=2&_HLS_part=40").statusCode()).isEqualTo(400);
    HttpResponse<String> badSkip = get(a, path + "?_HLS_skip=maybe");
    assertThat(badSkip.statusCode()).isEqualTo(400);
    assertThat(badSkip.body()).isEqualTo("_HLS_skip must be YES or v2\n");
    assertThat(get(a, "/hls/" + stream + "/src/0.9.ts").statusCode()).isEqualTo(404);
    assertThat(get(a, "/hls/" + stream + "/src/1.0.m4s").statusCode())
        .as("a TS part asked as fMP4")
        .isEqualTo(404);

    long t = System.nanoTime();
    HttpResponse<String> late = get(a, path + "?_HLS_msn=2&_HLS_part=1");
    long waitedMs = (System.nanoTime() - t) / 1_000_000;
    assertThat(late.statusCode()).isEqualTo(503);
    assertThat(late.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(waitedMs).isBetween(2_900L, 8_000L);
  }

  @Test
  void streamWithoutParts_isServedAsPlainHls() throws Exception {
    String stream = "ll-none";
    publishSegmentEvent(stream, 0, storeSegment(stream, 0, new byte[188]));
    awaitListed(a, stream, 0);
    String body = get(a, "/hls/" + stream + "/src/index.m3u8?_HLS_skip=YES").body();
    assertThat(body)
        .doesNotContain("EXT-X-PART")
        .doesNotContain("SERVER-CONTROL")
        .doesNotContain("PRELOAD-HINT")
        .doesNotContain("EXT-X-SKIP");
    assertThat(get(a, "/hls/" + stream + "/src/1.0.ts").statusCode()).isEqualTo(404);
  }

  @Test
  void signedPlayback_servesPartsAndBlockingReloads() throws Exception {
    String stream = "ll-signed";
    publishSegment(stream, 0);
    awaitListed(a, stream, 0);
    String token = new PlaybackTokens(PlaybackSecret.of(SECRET)).sign(stream, t0.plusSeconds(3600));
    String base = "/s/" + token + "/hls/" + stream + "/src/";
    assertThat(get(signed, "/hls/" + stream + "/src/index.m3u8").statusCode()).isEqualTo(403);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> get(signed, base + "index.m3u8").statusCode() == 200);
    double before = held(signed);
    CompletableFuture<long[]> held = timedGet(signed, base + "index.m3u8?_HLS_msn=1&_HLS_part=0");
    CompletableFuture<HttpResponse<byte[]>> part = getBytesAsync(signed, base + "1.0.ts");
    await().atMost(Duration.ofSeconds(10)).until(() -> held(signed) >= before + 2);
    byte[] bytes = storePart(stream, 1, 0);
    sendPart(stream, 1, 0, bytes);
    assertThat(held.get()[0]).isEqualTo(200);
    assertThat(part.get().statusCode()).isEqualTo(200);
    assertThat(part.get().body()).isEqualTo(bytes);
    assertThat(get(signed, base + "index.m3u8").body())
        .contains("#EXT-X-PART:DURATION=0.250000,URI=\"1.0.ts\",INDEPENDENT=YES");
    assertThat(get(signed, "/hls/" + stream + "/src/1.0.ts").statusCode()).isEqualTo(403);
  }

  // --- rule checks ---

  /** The rules every low-latency playlist must keep (rfc8216bis §4.4.3.7, §4.4.3.8, §4.4.4.9). */
  private static void checkRules(MediaPlaylist p) {
    long partTargetUs = p.partTargetUs().orElseThrow();
    var control = p.serverControl().orElseThrow();
    assertThat(control.canBlockReload()).isTrue();
    assertThat(control.partHoldBackUs().orElseThrow()).isGreaterThanOrEqualTo(3 * partTargetUs);
    assertThat(control.canSkipUntilUs().orElseThrow())
        .isGreaterThanOrEqualTo(6L * p.targetDurationSec() * 1_000_000);
    List<PartialSegment> all = new ArrayList<>(p.trailingParts());
    long msn = p.firstSegmentMsn();
    for (MediaSegment s : p.segments()) {
      all.addAll(s.parts());
      if (!s.parts().isEmpty()) {
        assertThat(s.parts().get(0).uri()).isEqualTo(msn + ".0.ts");
        assertThat(s.parts().get(0).independent()).as("first part of %d", msn).isTrue();
        for (int i = 0; i < s.parts().size(); i++) {
          assertThat(s.parts().get(i).uri()).isEqualTo(msn + "." + i + ".ts");
        }
      }
      assertThat(s.uri()).isEqualTo(msn + ".ts");
      msn++;
    }
    if (!p.trailingParts().isEmpty()) {
      assertThat(p.trailingParts().get(0).uri()).isEqualTo(msn + ".0.ts");
      assertThat(p.trailingParts().get(0).independent()).isTrue();
    }
    for (PartialSegment part : all) {
      assertThat(part.durationUs()).isLessThanOrEqualTo(partTargetUs);
    }
  }

  /** A delta update plus the previous full playlist give consecutive, matching segments. */
  private static void checkDelta(MediaPlaylist previousFull, MediaPlaylist delta) {
    assertThat(delta.version()).isGreaterThanOrEqualTo(9);
    long firstKept = delta.firstSegmentMsn();
    assertThat(delta.mediaSequence()).isGreaterThanOrEqualTo(previousFull.mediaSequence());
    assertThat(firstKept - 1)
        .as("skipped segments are in the previous full playlist")
        .isLessThanOrEqualTo(newestMsn(previousFull));
    for (int i = 0; i < delta.segments().size(); i++) {
      long msn = firstKept + i;
      int j = (int) (msn - previousFull.firstSegmentMsn());
      if (j < previousFull.segments().size()) {
        MediaSegment was = previousFull.segments().get(j);
        MediaSegment is = delta.segments().get(i);
        assertThat(is.uri()).isEqualTo(was.uri());
        assertThat(is.durationUs()).isEqualTo(was.durationUs());
        assertThat(is.programDateTime()).isEqualTo(was.programDateTime());
      }
    }
  }

  private static long newestMsn(MediaPlaylist p) {
    return p.firstSegmentMsn() + p.segments().size() - 1;
  }

  /** The last listed part as {msn, part}, or {newest msn, -1} when the playlist lists none. */
  private static long[] lastListed(MediaPlaylist p) {
    long newest = newestMsn(p);
    if (!p.trailingParts().isEmpty()) {
      return new long[] {newest + 1, p.trailingParts().size() - 1};
    }
    List<PartialSegment> parts = p.segments().get(p.segments().size() - 1).parts();
    return new long[] {newest, parts.size() - 1};
  }

  /** The preload hint's {msn, part}. */
  private static long[] hintOf(MediaPlaylist p) {
    assertThat(p.preloadHints()).hasSize(1);
    String[] f = p.preloadHints().get(0).uri().split("\\.");
    assertThat(f).hasSize(3);
    return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
  }

  private static int compare(long[] x, long[] y) {
    return x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]);
  }

  /** Fetches a hinted part (held until it exists): "ok" when its bytes are the stored ones. */
  private CompletableFuture<String> fetchHinted(EdgeService edge, String stream, long[] hint) {
    String name = hint[0] + "." + hint[1];
    return getBytesAsync(edge, "/hls/" + stream + "/src/" + name + ".ts")
        .thenApply(
            r -> {
              if (r.statusCode() == 200) {
                return Arrays.equals(r.body(), stored.get(stream + "/" + name))
                    ? "ok"
                    : "wrong bytes for " + name;
              }
              // A hint past a segment's last part: the segment completed without it.
              return r.statusCode() == 404 && hint[1] == PARTS_PER_SEGMENT
                  ? "404 after a complete segment"
                  : r.statusCode() + " for " + name;
            });
  }

  // --- the segmenter's part ---

  /** Parts 0..3 of {@code msn} and then the segment, at once. */
  private void publishSegment(String stream, long msn) throws Exception {
    publishSegmentPaced(stream, msn, Duration.ZERO);
  }

  private void publishSegmentPaced(String stream, long msn, Duration gap) throws Exception {
    for (int part = 0; part < PARTS_PER_SEGMENT; part++) {
      sendPart(stream, msn, part, storePart(stream, msn, part));
      if (!gap.isZero()) {
        Thread.sleep(gap.toMillis()); // pacing the producer, not waiting for a condition
      }
    }
    publishSegmentEvent(stream, msn);
  }

  private byte[] storePart(String stream, long msn, int part) throws Exception {
    byte[] bytes = new byte[1000 + random.nextInt(3000)];
    random.nextBytes(bytes);
    bytes[0] = 0x47;
    String key = SegmentStore.partKey(stream, "src", SESSION, msn, part, "ts");
    StoredObject object = store.put(key, bytes, "video/mp2t");
    assertThat(object.key()).isEqualTo(key);
    stored.put(stream + "/" + msn + "." + part, bytes);
    return bytes;
  }

  private void sendPart(String stream, long msn, int part, byte[] bytes) throws Exception {
    String key = SegmentStore.partKey(stream, "src", SESSION, msn, part, "ts");
    PartReady event =
        new PartReady(
            SegmentEvent.SCHEMA_VERSION,
            stream,
            "src",
            SESSION,
            msn,
            part,
            PART_US,
            part == 0,
            bytes.length,
            key,
            List.of("s3-0", "s3-1"),
            PART_US,
            msn * 90_000 + part * 22_500L,
            t0.plusMillis(msn * 1000 + part * 250L),
            0,
            false,
            1,
            SegmentFormat.TS,
            null,
            List.of());
    producer.send(new ProducerRecord<>(Topics.SEGMENTS.name(), stream, event)).get();
  }

  private void publishSegmentEvent(String stream, long msn) throws Exception {
    ByteArrayOutputStream whole = new ByteArrayOutputStream();
    for (int part = 0; part < PARTS_PER_SEGMENT; part++) {
      whole.write(stored.get(stream + "/" + msn + "." + part));
    }
    publishSegmentEvent(stream, msn, storeSegment(stream, msn, whole.toByteArray()));
  }

  private StoredObject storeSegment(String stream, long msn, byte[] bytes) throws Exception {
    return store.put(
        SegmentStore.segmentKey(stream, "src", SESSION, msn, "ts"), bytes, "video/mp2t");
  }

  private void publishSegmentEvent(String stream, long msn, StoredObject object) throws Exception {
    SegmentReady event =
        new SegmentReady(
            SegmentEvent.SCHEMA_VERSION,
            stream,
            "src",
            SESSION,
            msn,
            PART_US * PARTS_PER_SEGMENT,
            msn * 90_000,
            t0.plusSeconds(msn),
            0,
            false,
            1,
            "avc1.64001f,mp4a.40.2",
            1280,
            720,
            object.sizeBytes(),
            object.key(),
            List.of("s3-0", "s3-1"));
    producer.send(new ProducerRecord<>(Topics.SEGMENTS.name(), stream, event)).get();
  }

  // --- HTTP ---

  /** Requests this replica has held so far (hls.edge.held). */
  private double held(EdgeService edge) {
    var counter = registries.get(edge).find("hls.edge.held").counter();
    return counter == null ? 0 : counter.count();
  }

  private void awaitListed(EdgeService edge, String stream, long msn) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              HttpResponse<String> r = get(edge, "/hls/" + stream + "/src/index.m3u8");
              return r.statusCode() == 200 && r.body().contains("\n" + msn + ".ts\n");
            });
  }

  private URI uri(EdgeService edge, String path) {
    return URI.create("http://127.0.0.1:" + edge.httpPort() + path);
  }

  private HttpResponse<String> get(EdgeService edge, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(edge, path)).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<byte[]> getBytes(EdgeService edge, String path) throws Exception {
    return getBytesAsync(edge, path).get();
  }

  private CompletableFuture<HttpResponse<byte[]>> getBytesAsync(EdgeService edge, String path) {
    return http.sendAsync(
        HttpRequest.newBuilder(uri(edge, path)).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  /** {status, System.nanoTime() when the whole answer was in}. */
  private CompletableFuture<long[]> timedGet(EdgeService edge, String path) {
    return http.sendAsync(
            HttpRequest.newBuilder(uri(edge, path)).timeout(Duration.ofSeconds(20)).build(),
            HttpResponse.BodyHandlers.ofString())
        .thenApply(r -> new long[] {r.statusCode(), System.nanoTime()});
  }
}
