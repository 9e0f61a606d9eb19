package io.hlspipeline.catalog.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.hlspipeline.catalog.SegmentEvents;
import io.hlspipeline.devstack.CassandraNode;
import io.hlspipeline.devstack.SharedDevstack;
import io.hlspipeline.events.catalog.SegmentDto;
import io.hlspipeline.events.catalog.StreamDto;
import io.hlspipeline.events.catalog.StreamStatus;
import io.hlspipeline.events.segments.SegmentFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Cassandra store against a real node: schema versioning, bucketed rows, exact round trips. */
class CassandraCatalogStoreIT {
  private static final String KEYSPACE = "catalog_store_it";
  private static CassandraNode node;
  private static CassandraCatalogStore store;
  private static CqlSession raw;

  @BeforeAll
  static void connect() {
    node = SharedDevstack.cassandra();
    store = CassandraCatalogStore.connect(settings());
    raw =
        CqlSession.builder()
            .addContactPoint(node.contactPoint())
            .withLocalDatacenter(node.localDatacenter())
            .build();
  }

  private static CassandraSettings settings() {
    return new CassandraSettings(
        List.of(node.contactPoint()), node.localDatacenter(), KEYSPACE, 1, Duration.ofSeconds(5));
  }

  @AfterAll
  static void close() {
    if (raw != null) {
      raw.close();
    }
    if (store != null) {
      store.close();
    }
  }

  @Test
  void connectAgain_findsSchemaAppliedOnce() {
    try (CassandraCatalogStore second = CassandraCatalogStore.connect(settings())) {
      assertThat(second.schemaVersion()).isEqualTo(CatalogSchema.MIGRATIONS.size());
    }
    List<Row> versions = raw.execute("SELECT version FROM " + KEYSPACE + ".schema_version").all();
    assertThat(versions).extracting(r -> r.getInt("version")).containsExactly(1, 2, 3);
  }

  @Test
  void segment_roundTripsExactly_andLandsInItsBucket() {
    SegmentDto late = SegmentDto.from(SegmentEvents.segment("bucketed", "s1", 2500));
    SegmentDto early = SegmentDto.from(SegmentEvents.segment("bucketed", "s1", 7));
    store.upsertSegment(late);
    store.upsertSegment(early);
    store.upsertSegment(early); // idempotent

    Row row =
        raw.execute(
                "SELECT msn, program_date_time_ns FROM "
                    + KEYSPACE
                    + ".segments WHERE stream_id = 'bucketed' AND rendition = 'src' AND bucket = 2")
            .one();
    assertThat(row).isNotNull();
    assertThat(row.getLong("msn")).isEqualTo(2500);
    assertThat(
            raw.execute(
                    "SELECT count(*) FROM "
                        + KEYSPACE
                        + ".segments WHERE stream_id = 'bucketed' AND rendition = 'src' AND bucket = 0")
                .one()
                .getLong(0))
        .isEqualTo(1);
    // Nanosecond program-date-time survives (a CQL timestamp would cut it to milliseconds).
    assertThat(store.segments("bucketed", "src", 0, 10, 2500).segments())
        .containsExactly(early, late);
    assertThat(store.segments("bucketed", "src", 2400, 10, 2500).segments()).containsExactly(late);
  }

  @Test
  void fmp4Segment_roundTripsFormatAndInit_andRowsBeforeV3ReadAsTs() {
    SegmentDto fmp4 = SegmentDto.from(SegmentEvents.fmp4Segment("formats", "s1", 1, "00ff"));
    store.upsertSegment(fmp4);
    // A row as schema 2 wrote it: no format columns.
    raw.execute(
        "INSERT INTO "
            + KEYSPACE
            + ".segments (stream_id, rendition, bucket, msn, session_id, duration_us,"
            + " start_pts_90k, program_date_time_ns, discontinuity_sequence, discontinuity,"
            + " target_duration_s, codecs, width, height, size_bytes, storage_key, servers)"
            + " VALUES ('formats', 'src', 0, 0, 's1', 4000000, 900000, 0, 0, false, 4, 'avc1', 1,"
            + " 1, 10, 'formats/src/s1/0.ts', ['s3-0'])");
    List<SegmentDto> read = store.segments("formats", "src", 0, 10, 1).segments();
    assertThat(read).hasSize(2);
    assertThat(read.get(0).segmentFormat()).isEqualTo(SegmentFormat.TS);
    assertThat(read.get(0).initKey()).isNull();
    assertThat(read.get(0).initServers()).isEmpty();
    assertThat(read.get(1)).isEqualTo(fmp4);
    assertThat(read.get(1).initKey()).isEqualTo("formats/src/s1/init-00ff.mp4");
    // A TS segment written now leaves the init columns unset.
    store.upsertSegment(SegmentDto.from(SegmentEvents.segment("formats", "s1", 2)));
    Row row =
        raw.execute(
                "SELECT segment_format, init_key FROM "
                    + KEYSPACE
                    + ".segments WHERE stream_id = 'formats' AND rendition = 'src' AND bucket = 0"
                    + " AND msn = 2")
            .one();
    assertThat(row.getString("segment_format")).isEqualTo("ts");
    assertThat(row.isNull("init_key")).isTrue();
  }

  @Test
  void stream_upsertReplacesRow_andNullsStayNull() {
    StreamDto live =
        new StreamDto(
            "roundtrip",
            StreamStatus.LIVE,
            "s1",
            Instant.parse("2025-01-01T00:00:00.000000001Z"),
            null,
            3,
            4,
            "avc1.64001f",
            1920,
            1080,
            List.of("src"));
    store.upsertStream(live);
    assertThat(store.findStream("roundtrip")).contains(live);

    StreamDto ended =
        new StreamDto(
            "roundtrip",
            StreamStatus.ENDED,
            "s1",
            live.startedAt(),
            Instant.parse("2025-01-01T01:00:00Z"),
            9,
            4,
            "avc1.64001f",
            1920,
            1080,
            List.of("src"));
    store.upsertStream(ended);
    assertThat(store.findStream("roundtrip")).contains(ended);
    assertThat(store.findStream("unknown")).isEmpty();
    assertThat(store.listStreams(100)).contains(ended);
  }

  @Test
  void sessions_partialUpdatesMerge() {
    Instant start = Instant.parse("2025-01-01T00:00:00.5Z");
    Instant end = Instant.parse("2025-01-01T00:10:00Z");
    store.sessionStarted("sessions", "a", start, 0);
    store.sessionProgressed("sessions", "a", 5);
    store.sessionEnded("sessions", "a", end, 6);
    store.sessionProgressed("sessions", "b", 7);

    assertThat(store.sessions("sessions"))
        .containsExactly(
            new SessionRecord("sessions", "a", start, end, 0, 6),
            new SessionRecord("sessions", "b", null, null, -1, 7));
  }
}
