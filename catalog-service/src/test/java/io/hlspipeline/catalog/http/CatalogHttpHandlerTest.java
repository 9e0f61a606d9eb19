package io.hlspipeline.catalog.http;

import static io.hlspipeline.catalog.SegmentEvents.ended;
import static io.hlspipeline.catalog.SegmentEvents.segment;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hlspipeline.catalog.store.InMemoryCatalogStore;
import io.hlspipeline.catalog.stream.CatalogWriter;
import io.hlspipeline.events.catalog.CatalogApi;
import io.hlspipeline.events.catalog.RecordingDto;
import io.hlspipeline.events.catalog.RecordingListDto;
import io.hlspipeline.events.catalog.SegmentDto;
import io.hlspipeline.events.catalog.SegmentListDto;
import io.hlspipeline.events.catalog.StreamDto;
import io.hlspipeline.events.catalog.StreamListDto;
import io.hlspipeline.events.json.EventJson;
import io.hlspipeline.kit.http.HttpService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The API over a real HTTP server on port 0 and an in-memory store. */
class CatalogHttpHandlerTest {
  private static final ObjectMapper JSON = EventJson.newMapper();
  private static final HttpClient client = HttpClient.newHttpClient();
  private static final InMemoryCatalogStore store = new InMemoryCatalogStore();
  private static HttpService http;

  // One server for the class: each stop waits out the server's stop grace.
  @BeforeAll
  static void start() throws Exception {
    CatalogWriter writer = new CatalogWriter(store);
    for (long msn = 0; msn < 5; msn++) {
      writer.apply(segment("cam", "s1", msn));
    }
    writer.apply(ended("cam", "s1", 4));
    http =
        new HttpService(
                "test",
                io.hlspipeline.kit.http.HttpSettings.of("127.0.0.1", 0),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry())
            .route(CatalogApi.STREAMS, new CatalogHttpHandler(store));
    http.start();
  }

  @AfterAll
  static void stop() throws Exception {
    http.stop();
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return send("GET", path);
  }

  @Test
  void getStream_returnsRecordAsJson() throws Exception {
    HttpResponse<String> r = get(CatalogApi.stream("cam"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(JSON.readValue(r.body(), StreamDto.class)).isEqualTo(store.findStream("cam").get());
  }

  @Test
  void listStreams_containsStream() throws Exception {
    for (String path : new String[] {CatalogApi.STREAMS, CatalogApi.STREAMS + "/"}) {
      HttpResponse<String> r = get(path);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(JSON.readValue(r.body(), StreamListDto.class).streams())
          .extracting(StreamDto::streamId)
          .containsExactly("cam");
    }
  }

  @Test
  void segments_pageWithNextMsnAndEndedFlag() throws Exception {
    SegmentListDto page =
        JSON.readValue(get(CatalogApi.segments("cam", "src", 1, 3)).body(), SegmentListDto.class);
    assertThat(page.segments()).extracting(SegmentDto::msn).containsExactly(1L, 2L, 3L);
    assertThat(page.segments().get(0)).isEqualTo(SegmentDto.from(segment("cam", "s1", 1)));
    assertThat(page.nextMsn()).isEqualTo(4);
    assertThat(page.ended()).isTrue();
  }

  @Test
  void segments_defaultsToFromZeroAndLimit100() throws Exception {
    SegmentListDto page =
        JSON.readValue(
            get(CatalogApi.STREAMS + "/cam/renditions/src/segments").body(), SegmentListDto.class);
    assertThat(page.segments()).hasSize(5);
    assertThat(page.nextMsn()).isEqualTo(-1);
  }

  // Segments of SegmentEvents: msn n starts at 12:00:00.123456789 + 4 s × n (+333 ns), ~4 s long.

  @Test
  void segmentAt_returnsTheSegmentHoldingTheInstant() throws Exception {
    for (String t : new String[] {"2025-03-01T12:00:10Z", "2025-03-01T12%3A00%3A10.5Z"}) {
      HttpResponse<String> r = get(CatalogApi.STREAMS + "/cam/renditions/src/segments/at?t=" + t);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(JSON.readValue(r.body(), SegmentDto.class))
          .isEqualTo(SegmentDto.from(segment("cam", "s1", 2)));
    }
  }

  @Test
  void segmentsBetween_areExactlyThoseOverlappingTheRange() throws Exception {
    SegmentListDto page =
        JSON.readValue(
            get(CatalogApi.STREAMS
                    + "/cam/renditions/src/segments"
                    + "?fromTime=2025-03-01T12:00:10Z&toTime=2025-03-01T12:00:16Z")
                .body(),
            SegmentListDto.class);
    // msn 2 holds 12:00:10, msn 3 starts at 12:00:12.12, msn 4 at 12:00:16.12 (past the end).
    assertThat(page.segments()).extracting(SegmentDto::msn).containsExactly(2L, 3L);
    assertThat(page.nextMsn()).isEqualTo(-1);
  }

  @Test
  void segmentsBetween_pagedByNextMsnWithTheSameEnd() throws Exception {
    String base = CatalogApi.STREAMS + "/cam/renditions/src/segments";
    SegmentListDto first =
        JSON.readValue(
            get(base + "?fromTime=2025-03-01T12:00:00.5Z&toTime=2025-03-01T12:00:12Z&limit=2")
                .body(),
            SegmentListDto.class);
    assertThat(first.segments()).extracting(SegmentDto::msn).containsExactly(0L, 1L);
    assertThat(first.nextMsn()).isEqualTo(2);
    SegmentListDto second =
        JSON.readValue(
            get(base + "?fromMsn=2&toTime=2025-03-01T12:00:12Z&limit=2").body(),
            SegmentListDto.class);
    assertThat(second.segments()).extracting(SegmentDto::msn).containsExactly(2L);
    assertThat(second.nextMsn()).isEqualTo(-1);
  }

  @Test
  void segmentsFromTimeBeforeTheStream_startAtTheFirstSegment() throws Exception {
    SegmentListDto page =
        JSON.readValue(
            get(CatalogApi.STREAMS
                    + "/cam/renditions/src/segments?fromTime=2025-03-01T11:00:00Z&limit=1")
                .body(),
            SegmentListDto.class);
    assertThat(page.segments()).extracting(SegmentDto::msn).containsExactly(0L);
  }

  @Test
  void recordings_listTheEndedSession() throws Exception {
    HttpResponse<String> r = get(CatalogApi.recordings("cam"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    RecordingListDto list = JSON.readValue(r.body(), RecordingListDto.class);
    assertThat(list.streamId()).isEqualTo("cam");
    assertThat(list.recordings()).hasSize(1);
    RecordingDto rec = list.recordings().get(0);
    assertThat(rec.id()).isEqualTo("s1");
    assertThat(rec.segments()).isEqualTo(5);
    assertThat(rec.ended()).isEqualTo(Instant.parse("2025-03-01T13:00:00.5Z"));
    assertThat(rec.durationSeconds())
        .isEqualTo(Duration.between(rec.started(), rec.ended()).toNanos() / 1e9);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/Cam",
        "/ca%6D",
        "/..%2Fetc",
        "/-cam",
        "//renditions/src/segments",
        "/cam/renditions/SRC/segments",
        "/cam/renditions/src/segments?limit=0",
        "/cam/renditions/src/segments?limit=1001",
        "/cam/renditions/src/segments?limit=abc",
        "/cam/renditions/src/segments?fromMsn=-1",
        "/cam/renditions/src/segments?fromMsn=%2B1",
        "/cam/renditions/src/segments?fromMsn=99999999999999999999",
        "/cam/renditions/src/segments?fromMsn=1&fromMsn=2",
        "/cam/renditions/src/segments?fromTime=2025-03-01T12:00:10Z&fromMsn=1",
        "/cam/renditions/src/segments?fromTime=yesterday",
        "/cam/renditions/src/segments?fromTime=NaN",
        "/cam/renditions/src/segments?fromTime=",
        "/cam/renditions/src/segments?fromTime=1969-12-31T23:59:59Z",
        "/cam/renditions/src/segments?toTime=9999-01-01T00:00:00Z",
        "/cam/renditions/src/segments?fromTime=2025-03-01T12:00:10Z&toTime=2025-03-01T12:00:10Z",
        "/cam/renditions/src/segments?fromTime=2025-03-01T12:00:10Z&toTime=2025-03-01T12:00:09Z",
        "/cam/renditions/src/segments/at",
        "/cam/renditions/src/segments/at?t=-5",
        "/cam/renditions/src/segments/at?t=2025-03-01T12:00:10",
        "/cam/renditions/src/segments/at?t=2025-03-01T12:00:10Z&t=2025-03-01T12:00:11Z",
        "/cam/renditions/SRC/segments/at?t=2025-03-01T12:00:10Z",
        "/Cam/recordings"
      })
  void malformedRequest_is400(String suffix) throws Exception {
    HttpResponse<String> r = get(CatalogApi.STREAMS + suffix);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(r.body()).isNotBlank();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/nope",
        "/nope/renditions/src/segments",
        "/cam/renditions/hd/segments",
        "/cam/segments",
        "/cam/renditions/src/segments/extra",
        "s-and-more",
        "s/cam",
        "/nope/recordings",
        "/cam/recordings/extra",
        "/nope/renditions/src/segments/at?t=2025-03-01T12:00:10Z",
        "/cam/renditions/hd/segments/at?t=2025-03-01T12:00:10Z",
        "/cam/renditions/src/segments/at?t=2025-03-01T11:59:59Z",
        "/cam/renditions/src/segments/at?t=2025-03-01T12:00:21Z"
      })
  void unknownResourceOrPath_is404(String suffix) throws Exception {
    assertThat(get(CatalogApi.STREAMS + suffix).statusCode()).isEqualTo(404);
  }

  @Test
  void otherMethods_are405() throws Exception {
    HttpResponse<String> r = send("POST", CatalogApi.stream("cam"));
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).contains("GET, HEAD");
  }

  @Test
  void storeDown_is503() throws Exception {
    store.setAvailable(false);
    try {
      assertThat(get(CatalogApi.stream("cam")).statusCode()).isEqualTo(503);
    } finally {
      store.setAvailable(true);
    }
  }
}
