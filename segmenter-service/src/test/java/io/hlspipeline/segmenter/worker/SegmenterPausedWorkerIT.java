package io.hlspipeline.segmenter.worker;

import static io.hlspipeline.segmenter.worker.SegmenterDevstack.awaitStreamEnded;
import static io.hlspipeline.segmenter.worker.SegmenterDevstack.producer;
import static io.hlspipeline.segmenter.worker.SegmenterDevstack.readySegments;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hlspipeline.devstack.ChildJvm;
import io.hlspipeline.devstack.SharedDevstack;
import io.hlspipeline.devstack.TopicReader;
import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.Topics;
import io.hlspipeline.events.segments.PartReady;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.segments.StreamEnded;
import io.hlspipeline.media.cut.CutSegment;
import io.hlspipeline.media.cut.SegmentCutter;
import io.hlspipeline.segmenter.SegmenterConfig;
import io.hlspipeline.segmenter.SegmenterService;
import io.hlspipeline.storage.S3Endpoint;
import io.hlspipeline.storage.SegmentStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A zombie worker (issue #12): worker A, a child JVM, cuts a real-time stream; it is paused with
 * SIGSTOP past its session timeout (6 s, the broker's minimum), worker B (in-process) takes the
 * partition over and carries on, then A is resumed with SIGCONT in the middle of the stream. A
 * still holds the stream's cutter and an in-flight fetch, and so cuts and uploads what follows (the
 * same keys and bytes B writes) and tries to commit it; that transaction is refused (its group
 * generation is gone, KIP-447, or the coordinator aborted its open transaction at the timeout) and
 * A rejoins as a fresh member. The committed {@code hls.segments} must show none of it: every msn
 * once and in order, events never going back in msn, the stored bytes those of one clean cut.
 */
class SegmenterPausedWorkerIT {
  private static final int PARTITIONS = 2;
  private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(6);
  private static final Duration CLIP = Duration.ofSeconds(30);
  private static final int SEGMENTS = 15; // 2 s each

  @TempDir Path dir;

  @Test
  void pausedWorker_resumedAfterItsPartitionMoved_publishesNothing() throws Exception {
    byte[] clip = SegmenterDevstack.clip(dir.resolve("clip.ts"), (int) CLIP.toSeconds());
    List<CutSegment> reference = new ArrayList<>();
    SegmentCutter cutter = new SegmentCutter(2_000_000, reference::add);
    cutter.accept(clip, 0, clip.length);
    cutter.finish();
    assertThat(reference).hasSize(SEGMENTS);

    String bootstrap = SharedDevstack.kafka().bootstrapServers();
    String spec = SegmenterDevstack.s3Spec("segmenter-paused-it");
    String group = "paused-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> env = WorkerJvms.env(bootstrap, spec, group, PARTITIONS);
    env.put("SEGMENTER_IDLE_TIMEOUT", "60s");
    env.put("SEGMENTER_SESSION_TIMEOUT", SESSION_TIMEOUT.toSeconds() + "s");
    Map<String, String> envA = new HashMap<>(env);
    envA.put("SEGMENTER_INSTANCE_ID", "worker-a");
    Map<String, String> envB = new HashMap<>(env);
    envB.put("SEGMENTER_INSTANCE_ID", "worker-b");

    SegmenterService b = null;
    try (ChildJvm a = WorkerJvms.start("worker-a", envA, dir);
        KafkaProducer<String, byte[]> producer = producer()) {
      WorkerJvms.awaitGroupHolds(bootstrap, group, PARTITIONS);
      b =
          new SegmenterService(
              SegmenterConfig.fromEnv(envB), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
      b.start();
      SegmenterService inProcess = b;
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> inProcess.assignedIngestPartitions().size() == 1);
      int partitionOfA = inProcess.assignedIngestPartitions().contains(0) ? 1 : 0;
      String streamId = WorkerJvms.streamOn("paused", partitionOfA, PARTITIONS);

      try (RealTimeReplay replay =
          new RealTimeReplay(producer, clip, CLIP, List.of(streamId), Duration.ZERO)) {
        replay.start();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> readySegments(streamId, Duration.ofMillis(200)).size() >= 3);
        WorkerJvms.pause(a);
        long pausedNanos = System.nanoTime();
        List<SegmentReady> beforePause = readySegments(streamId, Duration.ofMillis(200));
        long lastBefore = beforePause.get(beforePause.size() - 1).msn();
        // B holds the partition once A's session expired, and publishes after A's last segment.
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> inProcess.assignedIngestPartitions().size() == PARTITIONS);
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    readySegments(streamId, Duration.ofMillis(200)).stream()
                        .anyMatch(s -> s.msn() > lastBefore));
        long takenOverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pausedNanos);
        WorkerJvms.resume(a);
        System.out.printf(
            "SegmenterPausedWorkerIT: worker A paused after msn %d; B published a later segment"
                + " %d ms after SIGSTOP (session timeout %d s); A resumed%n",
            lastBefore, takenOverMs, SESSION_TIMEOUT.toSeconds());
        assertThat(takenOverMs).isGreaterThanOrEqualTo(SESSION_TIMEOUT.toMillis());
        replay.awaitEnd(CLIP.plusSeconds(60));
      }

      List<SegmentEvent> events = awaitStreamEnded(streamId);
      assertInOrderEachMsnOnce(events);
      String zombie = zombieFailure(a.logFile());
      System.out.printf(
          "SegmenterPausedWorkerIT: after SIGCONT worker A logged: %s; hls.segments holds %d"
              + " events of the stream read_committed, %d read_uncommitted (aborted ones included)%n",
          zombie,
          events.size(),
          TopicReader.of(
                  bootstrap,
                  Topics.SEGMENTS.name(),
                  r -> Serdes.segmentEvent().deserialize(r.topic(), r.value()))
              .readToEnd(streamId, Duration.ofMillis(200))
              .size());

      try (SegmentStore store =
          new SegmentStore(S3Endpoint.parseList(spec), 1, new SimpleMeterRegistry())) {
        for (SegmentEvent e : events) {
          if (e instanceof SegmentReady s) {
            CutSegment expected = reference.get((int) s.msn());
            assertThat(s.durationUs()).isEqualTo(expected.durationUs());
            assertThat(s.startPts90k()).isEqualTo(expected.startPts90k());
            assertThat(Arrays.equals(store.get(s.storageKey(), s.servers()), expected.data()))
                .as("msn %d stored bytes equal the clean cut", s.msn())
                .isTrue();
          }
        }
      }
    } finally {
      if (b != null) {
        b.stop();
      }
    }
  }

  /**
   * Every SegmentReady msn once, 0.. contiguous, then StreamEnded; and no event goes back in msn (a
   * part announced again by a take-over is the same event, at the same msn as the one before it).
   */
  private static void assertInOrderEachMsnOnce(List<SegmentEvent> events) {
    assertThat(
            events.stream()
                .filter(SegmentReady.class::isInstance)
                .map(e -> ((SegmentReady) e).msn()))
        .containsExactlyElementsOf(LongStream.range(0, SEGMENTS).boxed().toList());
    assertThat(events.get(events.size() - 1))
        .isInstanceOfSatisfying(
            StreamEnded.class, e -> assertThat(e.lastMsn()).isEqualTo(SEGMENTS - 1));
    Map<String, PartReady> parts = new HashMap<>();
    long msn = 0;
    for (SegmentEvent e : events) {
      long eventMsn;
      if (e instanceof SegmentReady s) {
        eventMsn = s.msn();
      } else if (e instanceof PartReady p) {
        eventMsn = p.msn();
        assertThat(parts.putIfAbsent(p.storageKey(), p)).isIn(null, p);
      } else {
        continue;
      }
      assertThat(eventMsn).as("msn of %s after msn %d", e, msn).isGreaterThanOrEqualTo(msn);
      msn = eventMsn;
    }
    assertThat(parts).isNotEmpty();
  }

  /** The worker's own account of its refused commit (its log line, or the exception's). */
  private static String zombieFailure(Path log) throws Exception {
    List<String> lines = Files.readAllLines(log);
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains("commit refused")) {
        return lines.get(i).trim();
      }
      if (lines.get(i).contains("segmenter worker failed")) {
        return i + 1 < lines.size() ? lines.get(i + 1).trim() : lines.get(i).trim();
      }
    }
    return "no failed commit";
  }
}
