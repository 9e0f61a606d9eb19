package io.hlspipeline.catalog;

import static io.hlspipeline.catalog.SegmentEvents.ended;
import static io.hlspipeline.catalog.SegmentEvents.segment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hlspipeline.catalog.store.CassandraCatalogStore;
import io.hlspipeline.catalog.store.CassandraSettings;
import io.hlspipeline.catalog.store.SegmentPage;
import io.hlspipeline.catalog.store.SessionRecord;
import io.hlspipeline.devstack.CassandraNode;
import io.hlspipeline.devstack.SharedDevstack;
import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.Topics;
import io.hlspipeline.events.catalog.CatalogApi;
import io.hlspipeline.events.catalog.SegmentDto;
import io.hlspipeline.events.catalog.SegmentListDto;
import io.hlspipeline.events.catalog.StreamDto;
import io.hlspipeline.events.catalog.StreamListDto;
import io.hlspipeline.events.catalog.StreamStatus;
import io.hlspipeline.events.json.EventJson;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.kit.kafka.KafkaProps;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * catalog-service in-process on port 0 against real Kafka and Cassandra: events produced to {@code
 * hls.segments} reach the HTTP API and the Cassandra rows.
 */
class CatalogIT {
  private static final String KEYSPACE = "catalog_it";
  private static final Duration AWAIT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = EventJson.newMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static CatalogService service;
  private static PrometheusMeterRegistry registry;
  private static CassandraCatalogStore readBack;
  private static KafkaProducer<String, byte[]> producer;
  private static String base;

  @BeforeAll
  static void startService() throws Exception {
    String bootstrap = SharedDevstack.kafka().bootstrapServers();
    CassandraNode cassandra = SharedDevstack.cassandra();
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    service = new CatalogService(config("catalog-it-" + UUID.randomUUID()), registry);
    service.start();
    base = "http://127.0.0.1:" + service.httpPort();
    await().atMost(AWAIT).until(service::isReady);
    readBack =
        CassandraCatalogStore.connect(
            new CassandraSettings(
                List.of(cassandra.contactPoint()),
                cassandra.localDatacenter(),
                KEYSPACE,
                1,
                Duration.ofSeconds(5)));
    producer =
        new KafkaProducer<>(
            KafkaProps.producer(bootstrap, "catalog-it"),
            new StringSerializer(),
            new ByteArraySerializer());
  }

  private static CatalogConfig config(String applicationId) {
    String bootstrap = SharedDevstack.kafka().bootstrapServers();
    CassandraNode cassandra = SharedDevstack.cassandra();
    String contactPoint =
        cassandra.contactPoint().getHostString() + ":" + cassandra.contactPoint().getPort();
    return CatalogConfig.fromEnv(
        Map.of(
            CatalogConfig.KAFKA_BOOTSTRAP_SERVERS,
            bootstrap,
            CatalogConfig.HTTP_BIND,
            "127.0.0.1",
            CatalogConfig.HTTP_PORT,
            "0",
            CatalogConfig.ADMIN_PORT,
            "0",
            CatalogConfig.CASSANDRA_CONTACT_POINTS,
            contactPoint,
            CatalogConfig.CASSANDRA_LOCAL_DC,
            cassandra.localDatacenter(),
            CatalogConfig.CASSANDRA_KEYSPACE,
            KEYSPACE,
            CatalogConfig.CATALOG_APPLICATION_ID,
            applicationId,
            CatalogConfig.KAFKA_TOPIC_PARTITIONS,
            "2"));
  }

  @Test
  void stop_leavesTheConsumerGroup_soAReplacementTakesOverAtOnce() throws Exception {
    String applicationId = "catalog-leave-" + UUID.randomUUID();
    CatalogService replica =
        new CatalogService(
            config(applicationId), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedDevstack.kafka().bootstrapServers()))) {
      try {
        replica.start();
        await().atMost(AWAIT).until(replica::isReady);
        await().atMost(AWAIT).until(() -> groupMembers(admin, applicationId) > 0);
      } finally {
        replica.stop();
      }
      // Without leaving, the member would stay until the session timeout expired.
      assertThat(groupMembers(admin, applicationId)).isZero();
    }
  }

  private static int groupMembers(Admin admin, String groupId) throws Exception {
    return admin
        .describeConsumerGroups(List.of(groupId))
        .describedGroups()
        .get(groupId)
        .get()
        .members()
        .size();
  }

  @AfterAll
  static void stopService() throws Exception {
    if (producer != null) {
      producer.close();
    }
    if (readBack != null) {
      readBack.close();
    }
    if (service != null) {
      service.stop();
    }
  }

  private static void send(String streamId, byte[] value) throws Exception {
    producer.send(new ProducerRecord<>(Topics.SEGMENTS.name(), streamId, value)).get();
  }

  private static void send(SegmentEvent event) throws Exception {
    send(event.streamId(), Serdes.segmentEvent().serialize(Topics.SEGMENTS.name(), event));
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static <T> T getJson(String path, Class<T> type) throws Exception {
    HttpResponse<String> response = get(path);
    assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
    return JSON.readValue(response.body(), type);
  }

  @Test
  void segmentsAndEnd_reachApiAndCassandra_despiteDuplicateAndMalformedEvent() throws Exception {
    String streamId = "it-" + UUID.randomUUID().toString().substring(0, 8);
    List<SegmentDto> expected =
        List.of(0L, 1L, 2L, 3L, 4L).stream()
            .map(msn -> SegmentDto.from(segment(streamId, "sess-1", msn)))
            .toList();
    send(segment(streamId, "sess-1", 0));
    send(segment(streamId, "sess-1", 1));
    send(segment(streamId, "sess-1", 2));
    send(segment(streamId, "sess-1", 2));
    send(streamId, "{\"type\":\"SegmentReady\",\"msn\":".getBytes(StandardCharsets.UTF_8));
    send(segment(streamId, "sess-1", 3));
    send(segment(streamId, "sess-1", 4));
    send(ended(streamId, "sess-1", 4));

    await()
        .atMost(AWAIT)
        .untilAsserted(
            () -> {
              HttpResponse<String> r = get(CatalogApi.stream(streamId));
              assertThat(r.statusCode()).isEqualTo(200);
              assertThat(JSON.readValue(r.body(), StreamDto.class).status())
                  .isEqualTo(StreamStatus.ENDED);
            });

    StreamDto stream = getJson(CatalogApi.stream(streamId), StreamDto.class);
    assertThat(stream)
        .isEqualTo(
            new StreamDto(
                streamId,
                StreamStatus.ENDED,
                "sess-1",
                expected.get(0).programDateTime(),
                ended(streamId, "sess-1", 4).endedAt(),
                4,
                4,
                "avc1.64001f,mp4a.40.2",
                1280,
                720,
                List.of("src")));

    SegmentListDto all =
        getJson(CatalogApi.segments(streamId, "src", 0, 100), SegmentListDto.class);
    assertThat(all.segments()).containsExactlyElementsOf(expected);
    assertThat(all.ended()).isTrue();
    assertThat(all.nextMsn()).isEqualTo(-1);

    // Paging with limit=2: 0-1, 2-3, 4.
    SegmentListDto p1 = getJson(CatalogApi.segments(streamId, "src", 0, 2), SegmentListDto.class);
    assertThat(p1.segments()).extracting(SegmentDto::msn).containsExactly(0L, 1L);
    SegmentListDto p2 =
        getJson(CatalogApi.segments(streamId, "src", p1.nextMsn(), 2), SegmentListDto.class);
    assertThat(p2.segments()).extracting(SegmentDto::msn).containsExactly(2L, 3L);
    SegmentListDto p3 =
        getJson(CatalogApi.segments(streamId, "src", p2.nextMsn(), 2), SegmentListDto.class);
    assertThat(p3.segments()).extracting(SegmentDto::msn).containsExactly(4L);
    assertThat(p3.nextMsn()).isEqualTo(-1);

    // The rows in Cassandra, read back through a second connection.
    assertThat(readBack.findStream(streamId)).contains(stream);
    SegmentPage rows = readBack.segments(streamId, "src", 0, 1000, 4);
    assertThat(rows.segments()).containsExactlyElementsOf(expected);
    assertThat(readBack.sessions(streamId))
        .containsExactly(
            new SessionRecord(
                streamId, "sess-1", expected.get(0).programDateTime(), stream.endedAt(), 0, 4));

    StreamListDto list = getJson(CatalogApi.STREAMS, StreamListDto.class);
    assertThat(list.streams()).contains(stream);
    assertThat(registry.get("hls.catalog.events").tag("outcome", "duplicate").counter().count())
        .isGreaterThanOrEqualTo(1);
    assertThat(registry.scrape()).contains("hls_catalog_store_write_seconds_count");
  }

  @Test
  void segmentInLaterBucket_isFoundFromItsBucket() throws Exception {
    String streamId = "it-bucket-" + UUID.randomUUID().toString().substring(0, 8);
    send(segment(streamId, "sess-1", 0));
    send(segment(streamId, "sess-1", 2500));

    await()
        .atMost(AWAIT)
        .untilAsserted(
            () -> {
              HttpResponse<String> r = get(CatalogApi.stream(streamId));
              assertThat(r.statusCode()).isEqualTo(200);
              assertThat(JSON.readValue(r.body(), StreamDto.class).lastMsn()).isEqualTo(2500);
            });

    SegmentListDto page =
        getJson(CatalogApi.segments(streamId, "src", 2400, 10), SegmentListDto.class);
    assertThat(page.segments()).containsExactly(SegmentDto.from(segment(streamId, "sess-1", 2500)));
    assertThat(page.ended()).isFalse();
    assertThat(page.nextMsn()).isEqualTo(-1);
    SegmentListDto fromStart =
        getJson(CatalogApi.segments(streamId, "src", 0, 10), SegmentListDto.class);
    assertThat(fromStart.segments()).extracting(SegmentDto::msn).containsExactly(0L, 2500L);
  }

  @Test
  void hostileOrUnknownPaths_getClientErrors() throws Exception {
    assertThat(get(CatalogApi.STREAMS + "/Bad..Id").statusCode()).isEqualTo(400);
    assertThat(get(CatalogApi.STREAMS + "/..%2F..%2Fetc").statusCode()).isEqualTo(400);
    assertThat(get(CatalogApi.stream("no-such-stream")).statusCode()).isEqualTo(404);
    assertThat(get(CatalogApi.STREAMS + "/x/renditions/src/segments?limit=0").statusCode())
        .isEqualTo(400);
    assertThat(get(CatalogApi.STREAMS + "/x/renditions/src/segments?fromMsn=-1").statusCode())
        .isEqualTo(400);
    assertThat(get(CatalogApi.segments("no-such-stream", "src", 0, 10)).statusCode())
        .isEqualTo(404);
  }

  @Test
  void adminEndpoints_answerOnTheAdminPortOnly() throws Exception {
    String admin = "http://127.0.0.1:" + service.adminPort();
    for (String path : List.of("/health/live", "/health/ready", "/metrics")) {
      assertThat(
              HTTP.send(
                      HttpRequest.newBuilder(URI.create(admin + path)).build(),
                      HttpResponse.BodyHandlers.discarding())
                  .statusCode())
          .as("admin %s", path)
          .isEqualTo(200);
      assertThat(get(path).statusCode()).as("API port %s", path).isEqualTo(404);
    }
    assertThat(get(CatalogApi.STREAMS).statusCode()).isEqualTo(200);
    assertThat(
            HTTP.send(
                    HttpRequest.newBuilder(URI.create(admin + CatalogApi.STREAMS)).build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode())
        .isEqualTo(404);
  }
}
