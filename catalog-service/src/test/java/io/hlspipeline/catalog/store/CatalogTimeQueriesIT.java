package io.hlspipeline.catalog.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hlspipeline.catalog.http.CatalogHttpHandler;
import io.hlspipeline.catalog.stream.CatalogWriter;
import io.hlspipeline.devstack.CassandraNode;
import io.hlspipeline.devstack.SharedDevstack;
import io.hlspipeline.events.catalog.CatalogApi;
import io.hlspipeline.events.catalog.RecordingDto;
import io.hlspipeline.events.catalog.RecordingListDto;
import io.hlspipeline.events.catalog.SegmentDto;
import io.hlspipeline.events.catalog.SegmentListDto;
import io.hlspipeline.events.json.EventJson;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.segments.StreamEnded;
import io.hlspipeline.kit.http.HttpService;
import io.hlspipeline.kit.http.HttpSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Time queries on the master record against a real Cassandra node, with 10 s time buckets so one
 * minute-long recording spans seven index partitions: session "a" (segments 0..29, 2 s each from
 * 12:00:01.5, ended at 12:01:01.5) and session "b" (segments 30..34 from 12:01:41.5, still live).
 */
class CatalogTimeQueriesIT {
  private static final String KEYSPACE = "catalog_time_it";
  private static final Instant T0 = Instant.parse("2025-03-01T12:00:01.5Z");
  private static final Instant B_START = T0.plusSeconds(100);
  private static final long SEGMENT_US = 2_000_000;
  private static final ObjectMapper JSON = EventJson.newMapper();
  private static final HttpClient client = HttpClient.newHttpClient();

  // A stream id per run: the IT can run again on the same node and see only its own rows.
  private static final String STREAM = "rec-" + UUID.randomUUID().toString().substring(0, 8);

  private static CassandraCatalogStore store;
  private static CqlSession raw;
  private static HttpService http;

  @BeforeAll
  static void setUp() throws Exception {
    CassandraNode node = SharedDevstack.cassandra();
    store =
        CassandraCatalogStore.connect(
            new CassandraSettings(
                List.of(node.contactPoint()),
                node.localDatacenter(),
                KEYSPACE,
                1,
                Duration.ofSeconds(5),
                Duration.ofSeconds(10)));
    raw =
        CqlSession.builder()
            .addContactPoint(node.contactPoint())
            .withLocalDatacenter(node.localDatacenter())
            .build();
    CatalogWriter writer = new CatalogWriter(store);
    for (long msn = 0; msn < 30; msn++) {
      writer.apply(segment("a", msn, T0.plusSeconds(2 * msn)));
    }
    writer.apply(
        new StreamEnded(SegmentEvent.SCHEMA_VERSION, STREAM, "src", "a", 29, T0.plusSeconds(60)));
    for (long msn = 30; msn < 35; msn++) {
      writer.apply(segment("b", msn, B_START.plusSeconds(2 * (msn - 30))));
    }
    http =
        new HttpService(
                "catalog-time-it", HttpSettings.of("127.0.0.1", 0), new SimpleMeterRegistry())
            .route(CatalogApi.STREAMS, new CatalogHttpHandler(store));
    http.start();
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (http != null) {
      http.stop();
    }
    if (raw != null) {
      raw.close();
    }
    if (store != null) {
      store.close();
    }
  }

  private static SegmentReady segment(String session, long msn, Instant start) {
    return new SegmentReady(
        SegmentEvent.SCHEMA_VERSION,
        STREAM,
        "src",
        session,
        msn,
        SEGMENT_US,
        msn * 180_000,
        start,
        0,
        false,
        2,
        "avc1.64001f",
        1280,
        720,
        100_000 + msn,
        STREAM + "/src/" + session + "/" + msn + ".ts",
        List.of("s3-0"));
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void recording_spansManyIndexPartitions() {
    long partitions =
        raw
            .execute(
                "SELECT DISTINCT stream_id, rendition, time_bucket FROM "
                    + KEYSPACE
                    + ".segments_by_time")
            .all()
            .stream()
            .filter(r -> r.getString("stream_id").equals(STREAM))
            .count();
    // Session a: 12:00:01.5 .. 12:00:59.5 in buckets 12:00:00..12:00:50 (6), b: 12:01:40 (1).
    assertThat(partitions).isEqualTo(7);
  }

  @ParameterizedTest
  @ValueSource(doubles = {0, 0.5, 8.7, 9.9, 31.3, 57.9, 59.99, 100, 109.99})
  void segmentAt_findsTheHolder_readingAtMostThreePartitions(double offsetSeconds) {
    Instant t = T0.plusNanos((long) (offsetSeconds * 1e9));
    long before = store.partitionReads();
    SegmentDto found = store.segmentAt(STREAM, "src", t).orElseThrow();
    long reads = store.partitionReads() - before;

    long expectedMsn =
        offsetSeconds < 60 ? (long) (offsetSeconds / 2) : 30 + (long) ((offsetSeconds - 100) / 2);
    assertThat(found.msn()).isEqualTo(expectedMsn);
    assertThat(found.programDateTime()).isBeforeOrEqualTo(t);
    assertThat(found.programDateTime().plusNanos(SEGMENT_US * 1000)).isAfter(t);
    // At most two index partitions (t's bucket and the one before) and the segment's own.
    assertThat(reads).isBetween(2L, 3L);
  }

  @Test
  void segmentAt_inAGapOrBeforeOrAfter_isEmpty_readingAtMostThreePartitions() {
    for (Instant t :
        List.of(
            T0.minusSeconds(1), T0.plusSeconds(61), T0.plusSeconds(80), B_START.plusSeconds(10))) {
      long before = store.partitionReads();
      assertThat(store.segmentAt(STREAM, "src", t)).as(t.toString()).isEmpty();
      assertThat(store.partitionReads() - before).isLessThanOrEqualTo(3);
    }
  }

  @Test
  void firstMsnEndingAfter_inTheGapBetweenSessions_isTheNextSessionsFirst() {
    long before = store.partitionReads();
    assertThat(store.firstMsnEndingAfter(STREAM, "src", T0.plusSeconds(80))).isEqualTo(30);
    assertThat(store.partitionReads() - before).isLessThanOrEqualTo(3);
    assertThat(store.firstMsnEndingAfter(STREAM, "src", B_START.plusSeconds(60))).isEqualTo(-1);
  }

  @Test
  void segmentsBetween_overHttp_pagedExactlyOverTheRange() throws Exception {
    // [12:00:16.5, 12:00:46.5): segment 7 (15.5..17.5) through 22 (45.5..47.5).
    String to = T0.plusSeconds(45).toString();
    List<Long> msns = new ArrayList<>();
    String next =
        "/" + STREAM + "/renditions/src/segments?fromTime=" + T0.plusSeconds(15) + "&toTime=" + to;
    int pages = 0;
    while (next != null) {
      HttpResponse<String> r = get(CatalogApi.STREAMS + next + "&limit=5");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      SegmentListDto page = JSON.readValue(r.body(), SegmentListDto.class);
      page.segments().forEach(s -> msns.add(s.msn()));
      next =
          page.nextMsn() < 0
              ? null
              : "/"
                  + STREAM
                  + "/renditions/src/segments?fromMsn="
                  + page.nextMsn()
                  + "&toTime="
                  + to;
      pages++;
    }
    List<Long> expected = new ArrayList<>();
    for (long m = 7; m <= 22; m++) {
      expected.add(m);
    }
    assertThat(msns).isEqualTo(expected);
    assertThat(pages).isEqualTo(4);
  }

  @Test
  void recordings_overHttp_oneEndedOneLive_newestFirst() throws Exception {
    HttpResponse<String> r = get(CatalogApi.recordings(STREAM));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<RecordingDto> recordings = JSON.readValue(r.body(), RecordingListDto.class).recordings();
    assertThat(recordings).extracting(RecordingDto::id).containsExactly("b", "a");

    RecordingDto live = recordings.get(0);
    assertThat(live.started()).isEqualTo(B_START);
    assertThat(live.ended()).isNull();
    assertThat(live.segments()).isEqualTo(5);
    assertThat(live.durationSeconds()).isPositive();

    RecordingDto ended = recordings.get(1);
    assertThat(ended.started()).isEqualTo(T0);
    assertThat(ended.ended()).isEqualTo(T0.plusSeconds(60));
    assertThat(ended.durationSeconds()).isEqualTo(60.0);
    assertThat(ended.segments()).isEqualTo(30);
  }

  @Test
  void segmentAt_overHttp() throws Exception {
    HttpResponse<String> r =
        get(
            CatalogApi.STREAMS
                + "/"
                + STREAM
                + "/renditions/src/segments/at?t="
                + T0.plusSeconds(11));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(JSON.readValue(r.body(), SegmentDto.class).msn()).isEqualTo(5);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/renditions/src/segments/at?t=soon",
        "/renditions/src/segments/at",
        "/renditions/src/segments/at?t=-1",
        "/renditions/src/segments?fromTime=2025-03-01T12:00:30Z&toTime=2025-03-01T12:00:20Z",
        "/renditions/src/segments?fromTime=2025-03-01T12:00:30Z&fromMsn=3",
        "/renditions/src/segments?toTime=1960-01-01T00:00:00Z"
      })
  void badValues_are400WithAOneLineReason(String suffix) throws Exception {
    HttpResponse<String> r = get(CatalogApi.STREAMS + "/" + STREAM + suffix);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(r.body().strip()).isNotBlank().doesNotContain("\n");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/renditions/src/segments/at?t=2025-03-01T12:01:20Z",
        "/renditions/hd/segments/at?t=2025-03-01T12:00:20Z",
        "/renditions/hd/segments?fromTime=2025-03-01T12:00:20Z"
      })
  void unknownOrEmpty_are404(String suffix) throws Exception {
    HttpResponse<String> r = get(CatalogApi.STREAMS + "/" + STREAM + suffix);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
    assertThat(get(CatalogApi.recordings("never-seen")).statusCode()).isEqualTo(404);
  }
}
