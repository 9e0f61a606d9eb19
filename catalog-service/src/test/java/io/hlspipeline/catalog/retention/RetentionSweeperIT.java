package io.hlspipeline.catalog.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.catalog.store.CassandraCatalogStore;
import io.hlspipeline.catalog.store.CassandraSettings;
import io.hlspipeline.catalog.store.SessionRecord;
import io.hlspipeline.devstack.CassandraNode;
import io.hlspipeline.devstack.SharedDevstack;
import io.hlspipeline.events.catalog.SegmentDto;
import io.hlspipeline.events.catalog.StreamDto;
import io.hlspipeline.events.catalog.StreamStatus;
import io.hlspipeline.events.segments.SegmentFormat;
import io.hlspipeline.storage.S3Endpoint;
import io.hlspipeline.storage.SegmentStore;
import io.hlspipeline.storage.StorageException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Retention against a real Cassandra and two real S3 servers: an expired recording vanishes from
 * both servers (segments, a part, an init segment, a stray copy) and from the master record; a
 * younger recording, a live one and keys of another layout are untouched; orphans (an unknown
 * session, an msn past an ended session's last) go only once older than the grace, LL-HLS parts (of
 * live and ended recordings) once older than their maximum age.
 */
class RetentionSweeperIT {
  private static final String KEYSPACE = "catalog_retention_it";
  private static final String BUCKET = "retention-it";
  private static final String STREAM = "ret-a";
  private static final Duration MAX_AGE = Duration.ofDays(5);
  private static final Duration GRACE = Duration.ofHours(1);
  private static final Duration PART_MAX_AGE = Duration.ofMinutes(10);

  private static CassandraCatalogStore store;
  private static SegmentStore objects;

  @BeforeAll
  static void start() {
    CassandraNode node = SharedDevstack.cassandra();
    store =
        CassandraCatalogStore.connect(
            new CassandraSettings(
                List.of(node.contactPoint()),
                node.localDatacenter(),
                KEYSPACE,
                1,
                Duration.ofSeconds(5)));
    objects = new SegmentStore(List.of(endpoint(0), endpoint(1)), 1, new SimpleMeterRegistry());
    objects.ensureBuckets();
  }

  @AfterAll
  static void stop() {
    if (objects != null) {
      objects.close();
    }
    if (store != null) {
      store.close();
    }
  }

  private static S3Endpoint endpoint(int i) {
    return S3Endpoint.parseList(SharedDevstack.s3(i).endpointSpec(BUCKET)).get(0);
  }

  @Test
  void sweep_deletesExpiredRecordingsEverywhere_andOrphansPastTheGrace() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    String s0 = objects.serverIds().get(0);
    String s1 = objects.serverIds().get(1);
    store.upsertStream(
        new StreamDto(
            STREAM, StreamStatus.LIVE, "live", now, null, 7, 2, "avc1", 320, 240, List.of("src")));
    // An expired recording (ended 9 days ago), msn 0..2, with a part, an init, a stray copy.
    recording("old", now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(9)), 0, 2);
    put(0, "ret-a/src/old/0.ts", "ret-a/src/old/1.ts", "ret-a/src/old/2.ts");
    put(0, "ret-a/src/old/2.1.m4s", "ret-a/src/old/init-ab12.mp4");
    put(1, "ret-a/src/old/0.ts");
    // A younger recording (ended an hour ago), msn 3..4, plus msn 5 that never committed.
    recording("young", now.minus(Duration.ofHours(2)), now.minus(Duration.ofHours(1)), 3, 4);
    put(0, "ret-a/src/young/3.ts", "ret-a/src/young/4.ts", "ret-a/src/young/5.ts");
    // A live recording, msn 6..7, and its newest segment not in the record yet.
    store.sessionStarted(STREAM, "live", now.minus(Duration.ofMinutes(5)), 6);
    store.sessionProgressed(STREAM, "live", 7);
    segment("live", 6, now.minus(Duration.ofMinutes(5)));
    segment("live", 7, now.minus(Duration.ofMinutes(4)));
    put(0, "ret-a/src/live/6.ts", "ret-a/src/live/7.ts", "ret-a/src/live/8.ts");
    // LL-HLS parts of the younger and of the live recording: kept while young, then deleted.
    put(0, "ret-a/src/young/4.0.ts", "ret-a/src/live/7.2.m4s");
    put(1, "ret-a/src/live/8.0.m4s");
    // A session the record never knew, and a key of another layout.
    put(1, "ret-a/src/ghost/0.ts", "notes/readme.txt");

    // Now: the old recording goes; the orphans are younger than the grace and stay.
    RetentionSweeper.Result first = sweeper(Clock.fixed(now, ZoneOffset.UTC)).sweepOnce();
    System.out.printf("RetentionSweeperIT: first sweep %s%n", first);
    assertThat(first.recordings()).isEqualTo(1);
    assertThat(first.objects()).isEqualTo(6);
    assertThat(first.orphans()).isZero();
    assertThat(first.parts()).isZero();
    assertThat(keys(s0))
        .containsExactly(
            "ret-a/src/live/6.ts",
            "ret-a/src/live/7.2.m4s",
            "ret-a/src/live/7.ts",
            "ret-a/src/live/8.ts",
            "ret-a/src/young/3.ts",
            "ret-a/src/young/4.0.ts",
            "ret-a/src/young/4.ts",
            "ret-a/src/young/5.ts");
    assertThat(keys(s1))
        .containsExactly("notes/readme.txt", "ret-a/src/ghost/0.ts", "ret-a/src/live/8.0.m4s");
    assertThat(store.sessions(STREAM))
        .extracting(SessionRecord::sessionId)
        .containsExactly("live", "young");
    assertThat(store.segments(STREAM, "src", 0, 100, 7).segments())
        .extracting(SegmentDto::msn)
        .containsExactly(3L, 4L, 6L, 7L);
    assertThat(store.segmentAt(STREAM, "src", now.minus(Duration.ofDays(10)).plusSeconds(3)))
        .as("the time index forgot the expired recording")
        .isEmpty();
    assertThat(store.segmentAt(STREAM, "src", now.minus(Duration.ofHours(2)).plusSeconds(1)))
        .as("and kept the younger one's")
        .map(SegmentDto::msn)
        .contains(3L);
    assertThat(store.segmentAt(STREAM, "src", now.minus(Duration.ofMinutes(5)).plusSeconds(1)))
        .as("and the live one's")
        .map(SegmentDto::msn)
        .contains(6L);

    // Two hours on: the orphans are past the grace, the parts past their age (live or not);
    // every segment the record names stays.
    RetentionSweeper.Result second =
        sweeper(Clock.fixed(now.plus(Duration.ofHours(2)), ZoneOffset.UTC)).sweepOnce();
    System.out.printf("RetentionSweeperIT: second sweep %s%n", second);
    assertThat(second).isEqualTo(new RetentionSweeper.Result(0, 0, 2, 3));
    assertThat(keys(s0))
        .containsExactly(
            "ret-a/src/live/6.ts",
            "ret-a/src/live/7.ts",
            "ret-a/src/live/8.ts",
            "ret-a/src/young/3.ts",
            "ret-a/src/young/4.ts");
    assertThat(keys(s1)).containsExactly("notes/readme.txt");
    assertThat(store.segments(STREAM, "src", 0, 100, 7).segments())
        .extracting(SegmentDto::msn)
        .containsExactly(3L, 4L, 6L, 7L);
  }

  private static RetentionSweeper sweeper(Clock clock) {
    return new RetentionSweeper(
        store, objects, MAX_AGE, GRACE, PART_MAX_AGE, clock, new SimpleMeterRegistry());
  }

  private static void recording(
      String session, Instant started, Instant ended, long firstMsn, long lastMsn) {
    store.sessionStarted(STREAM, session, started, firstMsn);
    for (long msn = firstMsn; msn <= lastMsn; msn++) {
      segment(session, msn, started.plusSeconds(2 * (msn - firstMsn)));
    }
    store.sessionEnded(STREAM, session, ended, lastMsn);
  }

  private static void segment(String session, long msn, Instant pdt) {
    store.upsertSegment(
        new SegmentDto(
            STREAM,
            "src",
            session,
            msn,
            2_000_000,
            msn * 180_000,
            pdt,
            0,
            false,
            2,
            "avc1",
            320,
            240,
            10,
            STREAM + "/src/" + session + "/" + msn + ".ts",
            List.of(objects.serverIds().get(0)),
            SegmentFormat.TS,
            null,
            List.of()));
  }

  /** Puts each key on exactly server {@code index} (a one-server store over its endpoint). */
  private static void put(int index, String... keys) throws StorageException {
    try (SegmentStore one =
        new SegmentStore(List.of(endpoint(index)), 1, new SimpleMeterRegistry())) {
      for (String key : keys) {
        one.put(key, key.getBytes(StandardCharsets.UTF_8), "application/octet-stream");
      }
    }
  }

  private static List<String> keys(String serverId) throws StorageException {
    Set<String> out = new TreeSet<>();
    objects.forEachObject(serverId, "", o -> out.add(o.key()));
    return new ArrayList<>(out);
  }
}
