package io.hlspipeline.catalog.repair;

import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.catalog.store.CassandraCatalogStore;
import io.hlspipeline.catalog.store.CassandraSettings;
import io.hlspipeline.devstack.CassandraNode;
import io.hlspipeline.devstack.SharedDevstack;
import io.hlspipeline.events.catalog.SegmentDto;
import io.hlspipeline.events.catalog.StreamDto;
import io.hlspipeline.events.catalog.StreamStatus;
import io.hlspipeline.events.segments.SegmentFormat;
import io.hlspipeline.storage.S3Endpoint;
import io.hlspipeline.storage.SegmentStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The storage repair command against a real Cassandra and two real S3 servers, R = 2: a segment
 * written while a server was down and one a server lost get their second copy back (same bytes) and
 * their rows name both servers; a healthy segment is untouched; a segment no server holds is
 * reported lost and the exit status says a person must look. An fMP4 init segment that two rows
 * share, written while a server was down, is copied once and both rows name its new servers.
 */
class StorageRepairIT {
  private static final String KEYSPACE = "catalog_repair_it";
  private static final String BUCKET = "repair-it";
  private static final String STREAM = "repair-a";
  private static final String FMP4_STREAM = "repair-b";

  private static CassandraNode node;
  private static CassandraCatalogStore store;
  private static SegmentStore objects;

  @BeforeAll
  static void start() {
    node = SharedDevstack.cassandra();
    store =
        CassandraCatalogStore.connect(
            new CassandraSettings(
                List.of(node.contactPoint()),
                node.localDatacenter(),
                KEYSPACE,
                1,
                Duration.ofSeconds(5)));
    objects = new SegmentStore(List.of(endpoint(0), endpoint(1)), 2, new SimpleMeterRegistry());
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

  @Test
  void repair_copiesUnderReplicatedSegmentsBack_andReportsTheLost() throws Exception {
    String a = objects.serverIds().get(0);
    String b = objects.serverIds().get(1);
    store.upsertStream(
        new StreamDto(
            STREAM,
            StreamStatus.ENDED,
            "s1",
            Instant.now(),
            Instant.now(),
            3,
            2,
            "avc1",
            320,
            240,
            List.of("src")));
    // msn 0: healthy on both. msn 1: written while b was down. msn 2: b lost it. msn 3: gone.
    putOn(0, "0.ts", List.of(a, b));
    putOn(1, "1.ts", List.of(a));
    putOn(2, "2.ts", List.of(a, b));
    objects.delete(key("2.ts"), List.of(b));
    segment(0, List.of(a, b));
    segment(1, List.of(a));
    segment(2, List.of(a, b));
    segment(3, List.of(b));
    // An fMP4 stream: both segments whole on a and b, their shared init written while b was down.
    store.upsertStream(
        new StreamDto(
            FMP4_STREAM,
            StreamStatus.ENDED,
            "s1",
            Instant.now(),
            Instant.now(),
            1,
            2,
            "avc1",
            320,
            240,
            List.of("src")));
    putKey(fmp4Key("init-00000000000000aa.mp4"), List.of(a));
    for (long msn = 0; msn < 2; msn++) {
      putKey(fmp4Key(msn + ".m4s"), List.of(a, b));
      fmp4Segment(msn, List.of(a, b), List.of(a));
    }

    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9");
    env.put(
        "CASSANDRA_CONTACT_POINTS",
        node.contactPoint().getHostString() + ":" + node.contactPoint().getPort());
    env.put("CASSANDRA_LOCAL_DC", node.localDatacenter());
    env.put("CASSANDRA_KEYSPACE", KEYSPACE);
    env.put("S3_ENDPOINTS", spec(0) + ";" + spec(1));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        RepairCommand.run(
            new String[] {"--replication", "2"}, env, new PrintStream(out), new PrintStream(err));
    System.out.printf("StorageRepairIT: %s", out);
    assertThat(err.toString()).isEmpty();
    // 4 TS segments, 2 fMP4 segments and their one init: the init is checked (and copied) once.
    assertThat(out.toString()).contains("checked 7 objects: 3 repaired, 1 lost, 0 undecided");
    assertThat(status).isEqualTo(1);

    for (String file : List.of("0.ts", "1.ts", "2.ts")) {
      for (String server : List.of(a, b)) {
        assertThat(objects.exists(server, key(file))).as("%s on %s", file, server).isTrue();
        assertThat(new String(objects.get(key(file), List.of(server)), StandardCharsets.UTF_8))
            .isEqualTo(key(file));
      }
    }
    List<SegmentDto> rows = store.segments(STREAM, "src", 0, 10, 3).segments();
    assertThat(rows.get(1).servers()).containsExactlyInAnyOrder(a, b);
    assertThat(rows.get(1).servers()).isEqualTo(objects.placement(key("1.ts")));
    assertThat(rows.get(2).servers()).containsExactlyInAnyOrder(a, b);
    assertThat(rows.get(3).servers()).containsExactly(b);

    String init = fmp4Key("init-00000000000000aa.mp4");
    assertThat(new String(objects.get(init, List.of(b)), StandardCharsets.UTF_8)).isEqualTo(init);
    for (SegmentDto row : store.segments(FMP4_STREAM, "src", 0, 10, 1).segments()) {
      assertThat(row.initServers()).as("init of %d", row.msn()).isEqualTo(objects.placement(init));
      assertThat(row.servers()).containsExactly(a, b);
    }
  }

  private static String fmp4Key(String file) {
    return FMP4_STREAM + "/src/s1/" + file;
  }

  private static void fmp4Segment(long msn, List<String> servers, List<String> initServers) {
    store.upsertSegment(
        new SegmentDto(
            FMP4_STREAM,
            "src",
            "s1",
            msn,
            2_000_000,
            msn * 180_000,
            Instant.parse("2026-01-01T00:00:00Z").plusSeconds(2 * msn),
            0,
            false,
            2,
            "avc1",
            320,
            240,
            10,
            fmp4Key(msn + ".m4s"),
            servers,
            SegmentFormat.FMP4,
            fmp4Key("init-00000000000000aa.mp4"),
            initServers));
  }

  /** Puts an object whose bytes are its key on exactly {@code servers}. */
  private static void putKey(String key, List<String> servers) throws Exception {
    for (String server : servers) {
      int index = objects.serverIds().indexOf(server);
      try (SegmentStore one =
          new SegmentStore(List.of(endpoint(index)), 1, new SimpleMeterRegistry())) {
        one.put(key, key.getBytes(StandardCharsets.UTF_8), "video/mp4");
      }
    }
  }

  private static String key(String file) {
    return STREAM + "/src/s1/" + file;
  }

  private static void segment(long msn, List<String> servers) {
    store.upsertSegment(
        new SegmentDto(
            STREAM,
            "src",
            "s1",
            msn,
            2_000_000,
            msn * 180_000,
            Instant.parse("2026-01-01T00:00:00Z").plusSeconds(2 * msn),
            0,
            false,
            2,
            "avc1",
            320,
            240,
            10,
            key(msn + ".ts"),
            servers,
            SegmentFormat.TS,
            null,
            List.of()));
  }

  /** Puts the object on exactly {@code servers}. */
  private static void putOn(long msn, String file, List<String> servers) throws Exception {
    for (String server : servers) {
      int index = objects.serverIds().indexOf(server);
      try (SegmentStore one =
          new SegmentStore(List.of(endpoint(index)), 1, new SimpleMeterRegistry())) {
        one.put(key(file), key(file).getBytes(StandardCharsets.UTF_8), "video/mp2t");
      }
    }
  }

  private static S3Endpoint endpoint(int i) {
    return S3Endpoint.parseList(spec(i)).get(0);
  }

  private static String spec(int i) {
    return SharedDevstack.s3(i).endpointSpec(BUCKET);
  }
}
