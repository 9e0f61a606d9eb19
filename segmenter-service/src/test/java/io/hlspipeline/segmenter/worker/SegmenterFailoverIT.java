package io.hlspipeline.segmenter.worker;

import static io.hlspipeline.segmenter.worker.SegmenterDevstack.awaitStreamEnded;
import static io.hlspipeline.segmenter.worker.SegmenterDevstack.producer;
import static io.hlspipeline.segmenter.worker.SegmenterDevstack.readySegments;
import static io.hlspipeline.segmenter.worker.SegmenterDevstack.sendChunk;
import static io.hlspipeline.segmenter.worker.SegmenterDevstack.sendControl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hlspipeline.devstack.ChildJvm;
import io.hlspipeline.devstack.SharedDevstack;
import io.hlspipeline.events.ingest.IngestControl;
import io.hlspipeline.events.segments.PartReady;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.segments.StreamEnded;
import io.hlspipeline.media.cut.CutSegment;
import io.hlspipeline.media.cut.SegmentCutter;
import io.hlspipeline.segmenter.SegmenterConfig;
import io.hlspipeline.segmenter.SegmenterMain;
import io.hlspipeline.segmenter.SegmenterService;
import io.hlspipeline.storage.S3Endpoint;
import io.hlspipeline.storage.SegmentStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two segmenter workers in one group on the 2-partition {@code hls.ingest}: one a child JVM, one
 * in-process. The child owns the stream's partition, cuts some segments, and is killed with SIGKILL
 * mid-session; the in-process worker takes the partition over from the state topic. The committed
 * {@code hls.segments} must hold every msn exactly once, and every stored segment must equal, byte
 * for byte, what one uninterrupted cutter makes of the clip.
 */
class SegmenterFailoverIT {
  private static final int PARTITIONS = 2;
  private static final long TARGET_US = 2_000_000;
  private static final long CLIP_US = 20_000_000;
  private static final long FRAME_US = 40_000;

  @TempDir Path dir;

  @Test
  void killedWorker_isTakenOver_eachMsnOnce_bytesIdenticalToAnUninterruptedCut() throws Exception {
    byte[] ts = SegmenterDevstack.clip(dir.resolve("clip.ts"), 20);
    List<CutSegment> reference = new ArrayList<>();
    SegmentCutter cutter = new SegmentCutter(TARGET_US, reference::add);
    cutter.accept(ts, 0, ts.length);
    cutter.finish();
    assertThat(reference).hasSize(10);

    String spec = SegmenterDevstack.s3Spec("segmenter-failover-it");
    String group = "segmenter-failover-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", SharedDevstack.kafka().bootstrapServers());
    env.put("HTTP_BIND", "127.0.0.1");
    env.put("HTTP_PORT", "0");
    env.put("S3_ENDPOINTS", spec);
    env.put("KAFKA_TOPIC_PARTITIONS", String.valueOf(PARTITIONS));
    env.put("SEGMENT_TARGET_DURATION", "2s");
    env.put("SEGMENTER_GROUP_ID", group);
    env.put("SEGMENTER_IDLE_TIMEOUT", "60s");

    // The child joins first and holds both partitions; then the in-process worker joins.
    ChildJvm.Builder child =
        ChildJvm.builder(SegmenterMain.class.getName())
            .name("segmenter-a")
            .inheritClasspath()
            .jvmArg("-Xmx256m")
            .logFile(dir.resolve("segmenter-a.log"));
    env.forEach(child::env);
    SegmenterService b = null;
    try (ChildJvm a = child.start()) {
      try (var admin = org.apache.kafka.clients.admin.Admin.create(adminProps())) {
        await()
            .atMost(Duration.ofSeconds(60))
            .ignoreExceptions() // the group does not exist until the child joins
            .until(() -> groupPartitions(admin, group) == PARTITIONS);
      }
      b =
          new SegmenterService(
              SegmenterConfig.fromEnv(env), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
      b.start();
      SegmenterService inProcess = b;
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> inProcess.assignedIngestPartitions().size() == 1);
      int childPartition = inProcess.assignedIngestPartitions().contains(0) ? 1 : 0;
      String streamId = WorkerJvms.streamOn("failover", childPartition, PARTITIONS);
      String session = "20260102T120000.000Z-00000003";
      Instant startedAt = Instant.parse("2026-01-02T12:00:00Z");

      int chunkBytes = 188 * 40;
      int half = ts.length / 2 / chunkBytes * chunkBytes;
      long seq = 0;
      try (KafkaProducer<String, byte[]> producer = producer()) {
        sendControl(
            producer,
            new IngestControl.PublishStarted(1, streamId, session, startedAt, "http", false),
            seq++);
        for (int off = 0; off < half; off += chunkBytes) {
          sendChunk(
              producer, streamId, session, seq++, Arrays.copyOfRange(ts, off, off + chunkBytes));
        }
        producer.flush();
        // The child cuts some segments, then dies without any shutdown.
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> readySegments(streamId, Duration.ofMillis(500)).size() >= 3);
        a.kill();
        long killedNanos = System.nanoTime();
        List<SegmentReady> beforeKill = readySegments(streamId, Duration.ofMillis(500));
        long lastBefore = beforeKill.get(beforeKill.size() - 1).msn();

        for (int off = half; off < ts.length; off += chunkBytes) {
          sendChunk(
              producer,
              streamId,
              session,
              seq++,
              Arrays.copyOfRange(ts, off, Math.min(ts.length, off + chunkBytes)));
        }
        producer.flush();
        await()
            .atMost(Duration.ofSeconds(90))
            .until(
                () ->
                    readySegments(streamId, Duration.ofMillis(300)).stream()
                        .anyMatch(s -> s.msn() > lastBefore));
        long takeOverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedNanos);
        System.out.printf(
            "SegmenterFailoverIT: child killed after msn %d; first segment by the new owner %d ms"
                + " after SIGKILL (session timeout 10 s)%n",
            lastBefore, takeOverMs);
        assertThat(inProcess.assignedIngestPartitions()).contains(childPartition);
        sendControl(
            producer,
            new IngestControl.PublishEnded(1, streamId, session, startedAt.plusSeconds(20), "eof"),
            seq);
        producer.flush();
      }

      List<SegmentEvent> events = awaitStreamEnded(streamId);
      List<SegmentReady> segments =
          events.stream()
              .filter(SegmentReady.class::isInstance)
              .map(SegmentReady.class::cast)
              .toList();
      assertThat(segments)
          .extracting(SegmentReady::msn)
          .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
      assertThat(events.get(events.size() - 1))
          .isInstanceOfSatisfying(StreamEnded.class, e -> assertThat(e.lastMsn()).isEqualTo(9));
      // Besides parts (LL-HLS), only the segments and StreamEnded; a part announced again after
      // the take-over (the new owner re-cuts the open segment) is the same event.
      assertThat(events.stream().filter(e -> !(e instanceof PartReady)))
          .hasSize(segments.size() + 1);
      Map<String, PartReady> parts = new HashMap<>();
      for (SegmentEvent e : events) {
        if (e instanceof PartReady p) {
          assertThat(p.msn()).isBetween(0L, 9L);
          assertThat(parts.putIfAbsent(p.storageKey(), p)).isIn(null, p);
        }
      }
      assertThat(parts).isNotEmpty();
      long totalUs = segments.stream().mapToLong(SegmentReady::durationUs).sum();
      assertThat(totalUs).isBetween(CLIP_US - FRAME_US, CLIP_US + FRAME_US);
      assertThat(segments).extracting(SegmentReady::discontinuity).containsOnly(false);
      assertThat(segments).extracting(SegmentReady::discontinuitySequence).containsOnly(0L);
      try (SegmentStore store =
          new SegmentStore(S3Endpoint.parseList(spec), 1, new SimpleMeterRegistry())) {
        for (SegmentReady s : segments) {
          CutSegment expected = reference.get((int) s.msn());
          assertThat(s.durationUs()).isEqualTo(expected.durationUs());
          assertThat(s.startPts90k()).isEqualTo(expected.startPts90k());
          byte[] stored = store.get(s.storageKey(), s.servers());
          assertThat(Arrays.equals(stored, expected.data()))
              .as("msn %d stored bytes equal the uninterrupted cut", s.msn())
              .isTrue();
        }
      }
    } finally {
      if (b != null) {
        b.stop();
      }
    }
  }

  private static Properties adminProps() {
    Properties p = new Properties();
    p.put("bootstrap.servers", SharedDevstack.kafka().bootstrapServers());
    return p;
  }

  /** Partitions assigned over the group's members (0 while it rebalances). */
  private static int groupPartitions(org.apache.kafka.clients.admin.Admin admin, String group)
      throws Exception {
    var description =
        admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
    return description.members().stream()
        .mapToInt(m -> m.assignment().topicPartitions().size())
        .sum();
  }
}
