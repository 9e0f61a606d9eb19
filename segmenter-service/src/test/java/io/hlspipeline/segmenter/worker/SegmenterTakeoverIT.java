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
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.segments.StreamEnded;
import io.hlspipeline.segmenter.SegmenterConfig;
import io.hlspipeline.segmenter.SegmenterService;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How workers hand streams over (issue #12): a worker killed and restarted under the same instance
 * id (as Kubernetes restarts a container in its pod) fences its predecessor and continues before
 * the session timeout; a worker stopped with SIGTERM leaves the group, so its partitions move at
 * once; an idle stream is closed and a new session of it continues the msn sequence. Every test
 * checks the committed {@code hls.segments}: each msn once and contiguous.
 */
class SegmenterTakeoverIT {
  private static final int PARTITIONS = 2;
  private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration RESTART_SESSION_TIMEOUT = Duration.ofSeconds(60);
  private static final int CHUNK_BYTES = 188 * 40;

  @TempDir static Path dir;
  private static byte[] clip;

  @BeforeAll
  static void clip() throws Exception {
    clip = SegmenterDevstack.clip(dir.resolve("clip.ts"), 20); // 10 segments of 2 s
  }

  @Test
  void killedWorker_restartedUnderItsInstanceId_continuesBeforeTheSessionTimeout()
      throws Exception {
    String group = "takeover-kill-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> env = env(group, "30s");
    env.put("SEGMENTER_INSTANCE_ID", "worker-0");
    // Long enough that the restarted JVM's own start-up (seconds on a loaded machine) stays well
    // inside it: a worker that had to wait for the dead one's session or transaction to expire
    // would take longer than this; one that takes its slot back does not wait at all.
    env.put("SEGMENTER_SESSION_TIMEOUT", RESTART_SESSION_TIMEOUT.toSeconds() + "s");
    String streamId = streamOn(0);
    String session = "20260102T120000.000Z-00000011";
    Instant startedAt = Instant.now();
    long seq = 0;
    int half = clip.length / 2 / CHUNK_BYTES * CHUNK_BYTES;
    ChildJvm restarted = null;
    try (KafkaProducer<String, byte[]> producer = producer();
        ChildJvm first = child("worker-0-first", env)) {
      awaitGroupHolds(group, PARTITIONS);
      sendControl(
          producer,
          new IngestControl.PublishStarted(1, streamId, session, startedAt, "http", false),
          seq++);
      seq = sendRange(producer, streamId, session, seq, 0, half);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> readySegments(streamId, Duration.ofMillis(300)).size() >= 3);
      first.kill();
      long killedNanos = System.nanoTime();
      List<SegmentReady> beforeKill = readySegments(streamId, Duration.ofMillis(300));
      long lastBefore = beforeKill.get(beforeKill.size() - 1).msn();
      restarted = child("worker-0-restarted", env);
      seq = sendRange(producer, streamId, session, seq, half, clip.length);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  readySegments(streamId, Duration.ofMillis(200)).stream()
                      .anyMatch(s -> s.msn() > lastBefore));
      long gapMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedNanos);
      System.out.printf(
          "SegmenterTakeoverIT: worker killed after msn %d and restarted under its instance id;"
              + " next segment %d ms after SIGKILL (session timeout %d s; includes the JVM start)%n",
          lastBefore, gapMs, RESTART_SESSION_TIMEOUT.toSeconds());
      // A new member would wait for the dead one's session to expire, and read_committed readers
      // for its open transaction's timeout: both RESTART_SESSION_TIMEOUT.
      assertThat(gapMs).isLessThan(RESTART_SESSION_TIMEOUT.toMillis());
      sendControl(
          producer,
          new IngestControl.PublishEnded(1, streamId, session, Instant.now(), "eof"),
          seq);
      producer.flush();
      assertEachMsnOnce(awaitStreamEnded(streamId), 10);
    } finally {
      if (restarted != null) {
        restarted.destroy();
      }
    }
  }

  @Test
  void workerStoppedWithSigterm_leavesTheGroup_itsPartitionMovesAtOnce() throws Exception {
    String group = "takeover-term-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> env = env(group, "30s");
    Map<String, String> envA = new HashMap<>(env);
    envA.put("SEGMENTER_INSTANCE_ID", "worker-a");
    Map<String, String> envB = new HashMap<>(env);
    envB.put("SEGMENTER_INSTANCE_ID", "worker-b");
    SegmenterService b = null;
    try (KafkaProducer<String, byte[]> producer = producer();
        ChildJvm a = child("worker-a", envA)) {
      awaitGroupHolds(group, PARTITIONS);
      b =
          new SegmenterService(
              SegmenterConfig.fromEnv(envB), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
      b.start();
      SegmenterService inProcess = b;
      long joinNanos = System.nanoTime();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> inProcess.assignedIngestPartitions().size() == 1);
      System.out.printf(
          "SegmenterTakeoverIT: second worker holds a partition %d ms after it started%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - joinNanos));
      int partitionOfA = inProcess.assignedIngestPartitions().contains(0) ? 1 : 0;
      publishAcross(
          producer,
          streamOn(partitionOfA),
          "20260102T120000.000Z-00000012",
          () -> {
            long termNanos = System.nanoTime();
            a.destroy(); // SIGTERM; returns once the JVM exited
            await()
                .atMost(Duration.ofSeconds(60))
                .until(() -> inProcess.assignedIngestPartitions().size() == PARTITIONS);
            long moveMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - termNanos);
            System.out.printf(
                "SegmenterTakeoverIT: partition moved %d ms after SIGTERM (session timeout %d s)%n",
                moveMs, SESSION_TIMEOUT.toSeconds());
            // A static member that closed without leaving keeps its partitions for the session
            // timeout.
            assertThat(moveMs).isLessThan(SESSION_TIMEOUT.toMillis());
          });
    } finally {
      if (b != null) {
        b.stop();
      }
    }
  }

  /**
   * A worker joining takes an idle partition, whichever partition the stream is on: the stream is
   * not handed over (no re-read, no re-cut, no stall). Kafka's cooperative sticky assignor, blind
   * to streams, moves the same partition number for both cases, so one of them fails with it.
   */
  @ParameterizedTest(name = "stream on partition {0}")
  @ValueSource(ints = {0, 1})
  void joiningWorker_takesTheIdlePartition_theStreamStaysWhereItIs(int streamPartition)
      throws Exception {
    String group = "takeover-join-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> env = env(group, "30s");
    SegmenterService a = null;
    AtomicReference<SegmenterService> joined = new AtomicReference<>();
    try (KafkaProducer<String, byte[]> producer = producer()) {
      a =
          new SegmenterService(
              SegmenterConfig.fromEnv(env), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
      a.start();
      SegmenterService first = a;
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> first.assignedIngestPartitions().size() == PARTITIONS);
      publishAcross(
          producer,
          streamOn(streamPartition),
          "20260102T120000.000Z-00000013",
          () -> {
            SegmenterService second =
                new SegmenterService(
                    SegmenterConfig.fromEnv(env),
                    new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
            joined.set(second);
            second.start();
            await()
                .atMost(Duration.ofSeconds(60))
                .until(
                    () ->
                        second.assignedIngestPartitions().size() == 1
                            && first.assignedIngestPartitions().size() == 1);
            System.out.printf(
                "SegmenterTakeoverIT: stream on partition %d; after the join the first worker"
                    + " holds %s, the newcomer %s%n",
                streamPartition,
                first.assignedIngestPartitions(),
                second.assignedIngestPartitions());
            assertThat(first.assignedIngestPartitions()).containsExactly(streamPartition);
            assertThat(second.assignedIngestPartitions()).doesNotContain(streamPartition);
          });
    } finally {
      if (joined.get() != null) {
        joined.get().stop();
      }
      if (a != null) {
        a.stop();
      }
    }
  }

  @Test
  void idleStream_isClosed_andItsNextSessionContinuesTheMsnSequence() throws Exception {
    String group = "takeover-idle-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> env = env(group, "2s");
    String streamId = streamOn(1);
    SegmenterService worker =
        new SegmenterService(
            SegmenterConfig.fromEnv(env), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    worker.start();
    try (KafkaProducer<String, byte[]> producer = producer()) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> worker.assignedIngestPartitions().size() == PARTITIONS);
      // First session: its ingest dies without a PublishEnded.
      String first = "20260102T120000.000Z-00000013";
      long seq = 0;
      sendControl(
          producer,
          new IngestControl.PublishStarted(1, streamId, first, Instant.now(), "http", false),
          seq++);
      sendRange(producer, streamId, first, seq, 0, clip.length);
      producer.flush();
      List<SegmentEvent> closed = awaitStreamEnded(streamId);
      assertEachMsnOnce(closed, 10);

      // The broadcaster comes back: a new session continues the stream's msn.
      String second = "20260102T120100.000Z-00000014";
      seq = 0;
      sendControl(
          producer,
          new IngestControl.PublishStarted(1, streamId, second, Instant.now(), "http", false),
          seq++);
      seq = sendRange(producer, streamId, second, seq, 0, clip.length);
      sendControl(
          producer, new IngestControl.PublishEnded(1, streamId, second, Instant.now(), "eof"), seq);
      producer.flush();
      List<SegmentEvent> all = SegmenterDevstack.awaitStreamEndedCount(streamId, 2);
      List<SegmentReady> segments =
          all.stream()
              .filter(SegmentReady.class::isInstance)
              .map(SegmentReady.class::cast)
              .toList();
      assertThat(segments)
          .extracting(SegmentReady::msn)
          .containsExactlyElementsOf(LongStream.range(0, 20).boxed().toList());
      SegmentReady firstOfSecond = segments.get(10);
      assertThat(firstOfSecond.sessionId()).isEqualTo(second);
      assertThat(firstOfSecond.discontinuity()).isTrue();
      assertThat(firstOfSecond.discontinuitySequence()).isEqualTo(1);
    } finally {
      worker.stop();
    }
  }

  /** A step of a test that may throw. */
  private interface Step {
    void run() throws Exception;
  }

  /**
   * Publishes one session of the clip: PublishStarted and its first half, waits for three segments,
   * runs {@code between} (the hand-over under test), sends the second half and PublishEnded, and
   * requires each of the 10 msn exactly once up to StreamEnded.
   */
  private static void publishAcross(
      KafkaProducer<String, byte[]> producer, String streamId, String session, Step between)
      throws Exception {
    long seq = 0;
    int half = clip.length / 2 / CHUNK_BYTES * CHUNK_BYTES;
    sendControl(
        producer,
        new IngestControl.PublishStarted(1, streamId, session, Instant.now(), "http", false),
        seq++);
    seq = sendRange(producer, streamId, session, seq, 0, half);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> readySegments(streamId, Duration.ofMillis(300)).size() >= 3);
    between.run();
    seq = sendRange(producer, streamId, session, seq, half, clip.length);
    sendControl(
        producer, new IngestControl.PublishEnded(1, streamId, session, Instant.now(), "eof"), seq);
    producer.flush();
    assertEachMsnOnce(awaitStreamEnded(streamId), 10);
  }

  private static void assertEachMsnOnce(List<SegmentEvent> events, int count) {
    List<SegmentReady> segments =
        events.stream()
            .filter(SegmentReady.class::isInstance)
            .map(SegmentReady.class::cast)
            .toList();
    assertThat(segments)
        .extracting(SegmentReady::msn)
        .containsExactlyElementsOf(LongStream.range(0, count).boxed().toList());
    assertThat(events.get(events.size() - 1))
        .isInstanceOfSatisfying(
            StreamEnded.class, e -> assertThat(e.lastMsn()).isEqualTo(count - 1));
  }

  private static long sendRange(
      KafkaProducer<String, byte[]> producer,
      String streamId,
      String session,
      long seq,
      int from,
      int to) {
    for (int off = from; off < to; off += CHUNK_BYTES) {
      sendChunk(
          producer,
          streamId,
          session,
          seq++,
          Arrays.copyOfRange(clip, off, Math.min(to, off + CHUNK_BYTES)));
    }
    producer.flush();
    return seq;
  }

  private static Map<String, String> env(String group, String idleTimeout) {
    Map<String, String> env =
        WorkerJvms.env(
            SharedDevstack.kafka().bootstrapServers(),
            SegmenterDevstack.s3Spec("segmenter-takeover-it"),
            group,
            PARTITIONS);
    env.put("SEGMENTER_IDLE_TIMEOUT", idleTimeout);
    return env;
  }

  private static ChildJvm child(String name, Map<String, String> env) throws Exception {
    return WorkerJvms.start(name, env, dir);
  }

  private static void awaitGroupHolds(String group, int partitions) {
    WorkerJvms.awaitGroupHolds(SharedDevstack.kafka().bootstrapServers(), group, partitions);
  }

  private static String streamOn(int partition) {
    return WorkerJvms.streamOn("takeover", partition, PARTITIONS);
  }
}
