package io.hlspipeline.segmenter.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hlspipeline.devstack.ChildJvm;
import io.hlspipeline.devstack.KafkaBroker;
import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.Topics;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.segments.StreamEnded;
import io.hlspipeline.media.cut.CutSegment;
import io.hlspipeline.media.cut.SegmentCutter;
import io.hlspipeline.storage.S3Endpoint;
import io.hlspipeline.storage.SegmentStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segmenter workers at scale (issue #12): 3 workers in child JVMs and 30 live streams sharing 12
 * {@code hls.ingest} partitions, each stream replaying the same 2-minute MPEG-TS clip in real time.
 * While they run, a 4th worker joins, then one is killed with SIGKILL and restarted under its
 * instance id at once (as Kubernetes restarts a container in its pod), then one is stopped with
 * SIGTERM. The committed {@code hls.segments} must hold every stream's msns exactly once and
 * contiguous, each stored segment equal to a clean cut of the clip; the longest interval between
 * two segments of any stream is printed per phase and bounded loosely.
 *
 * <p>Its own broker (12 partitions; the shared one's topics have 2), the shared S3 server 0. Low-
 * latency parts are off ({@code HLS_PART_TARGET=0s}): the test is about hand-overs, and the parts'
 * uploads would only add load on the shared machine.
 */
class SegmenterScaleIT {
  private static final int PARTITIONS = 12;
  private static final int STREAMS = 30;
  private static final Duration CLIP = Duration.ofSeconds(120);
  private static final Duration TARGET = Duration.ofSeconds(2);
  private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);

  /** A stream without a segment for this long has stalled (e.g. a rebalance storm). */
  private static final Duration STALL = Duration.ofSeconds(60);

  private static final int SEGMENTS = (int) (CLIP.toSeconds() / TARGET.toSeconds());

  @TempDir Path dir;

  /** Worker logs, kept after the run (target/ of the module). */
  private final Path logs = Path.of("target", "segmenter-scale-it");

  @Test
  void thirtyStreams_workersJoinDieAndLeave_eachMsnOnce_bytesEqual_shortGaps() throws Exception {
    long suiteNanos = System.nanoTime();
    if (Files.isDirectory(logs)) {
      try (var old = Files.list(logs)) {
        for (Path f : old.toList()) {
          Files.delete(f);
        }
      }
    }
    String spec = SegmenterDevstack.s3Spec("segmenter-scale-it");
    Map<String, ChildJvm> workers = new LinkedHashMap<>();
    try (KafkaBroker kafka =
        KafkaBroker.builder(dir.resolve("kafka")).defaultPartitions(PARTITIONS).start()) {
      String bootstrap = kafka.bootstrapServers();
      kafka.createTopic(Topics.INGEST.name(), PARTITIONS, Map.of());
      Map<String, String> env = WorkerJvms.env(bootstrap, spec, "segmenter-scale", PARTITIONS);
      env.put("SEGMENTER_IDLE_TIMEOUT", "60s");
      env.put("SEGMENTER_SESSION_TIMEOUT", SESSION_TIMEOUT.toSeconds() + "s");
      env.put("HLS_PART_TARGET", "0s");
      for (int i = 1; i <= 3; i++) {
        workers.put("worker-" + i, startWorker(env, "worker-" + i, "worker-" + i));
      }
      // The clip is encoded while the workers start.
      byte[] clip = SegmenterDevstack.clip(dir.resolve("clip.ts"), (int) CLIP.toSeconds());
      List<CutSegment> reference = new ArrayList<>();
      SegmentCutter cutter = new SegmentCutter(TARGET.toNanos() / 1000, reference::add);
      cutter.accept(clip, 0, clip.length);
      cutter.finish();
      assertThat(reference).hasSize(SEGMENTS);
      WorkerJvms.awaitGroupHolds(bootstrap, "segmenter-scale", PARTITIONS);
      System.out.printf(
          "SegmenterScaleIT: broker and 3 workers ready %d ms after the start; clip %d bytes"
              + " (%.2f Mb/s); load average %.1f%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - suiteNanos),
          clip.length,
          clip.length * 8.0 / CLIP.toSeconds() / 1e6,
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

      List<String> streamIds = IntStream.range(0, STREAMS).mapToObj(i -> "scale-" + i).toList();
      Map<String, Long> phases = new LinkedHashMap<>();
      try (SegmentLog log = new SegmentLog(bootstrap);
          KafkaProducer<String, byte[]> producer = SegmenterDevstack.producer(bootstrap);
          RealTimeReplay replay =
              new RealTimeReplay(producer, clip, CLIP, streamIds, Duration.ofSeconds(2))) {
        replay.start();
        phases.put("steady", System.nanoTime());

        awaitEverySegmentCount(log, streamIds, SEGMENTS / 6);
        phases.put("join", System.nanoTime());
        workers.put("worker-4", startWorker(env, "worker-4", "worker-4"));
        try (Admin admin = kafka.admin()) {
          await()
              .atMost(Duration.ofSeconds(90))
              .ignoreExceptions()
              .until(
                  () ->
                      members(admin) == 4
                          && WorkerJvms.heldPartitions(admin, "segmenter-scale") == PARTITIONS);
        }
        long joinedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - phases.get("join"));

        awaitEverySegmentCount(log, streamIds, SEGMENTS * 5 / 12);
        phases.put("kill", System.nanoTime());
        workers.remove("worker-1").kill();
        workers.put("worker-1", startWorker(env, "worker-1-restarted", "worker-1"));

        awaitEverySegmentCount(log, streamIds, SEGMENTS * 2 / 3);
        phases.put("sigterm", System.nanoTime());
        long termNanos = System.nanoTime();
        workers.remove("worker-2").destroy(); // SIGTERM; returns once the JVM exited
        long termMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - termNanos);

        replay.awaitEnd(CLIP.plusSeconds(60));
        await().atMost(Duration.ofSeconds(90)).until(() -> streamIds.stream().allMatch(log::ended));
        System.out.printf(
            "SegmenterScaleIT: worker-4 held partitions %d ms after its start; worker-2 exited %d"
                + " ms after SIGTERM; replay at most %d ms late%n",
            joinedMs, termMs, replay.maxLateness().toMillis());

        // Every stream: msn 0..SEGMENTS-1 exactly once, in order, then StreamEnded.
        for (String id : streamIds) {
          List<SegmentEvent> events = log.events(id);
          assertThat(events.stream().filter(SegmentReady.class::isInstance))
              .as("segments of %s", id)
              .map(e -> ((SegmentReady) e).msn())
              .containsExactlyElementsOf(LongStream.range(0, SEGMENTS).boxed().toList());
          assertThat(events.get(events.size() - 1))
              .as("last event of %s", id)
              .isInstanceOfSatisfying(
                  StreamEnded.class, e -> assertThat(e.lastMsn()).isEqualTo(SEGMENTS - 1));
          assertThat(events).as("events of %s", id).hasSize(SEGMENTS + 1);
        }
        long readNanos = System.nanoTime();
        try (SegmentStore store =
            new SegmentStore(S3Endpoint.parseList(spec), 1, new SimpleMeterRegistry())) {
          for (String id : streamIds) {
            for (SegmentEvent e : log.events(id)) {
              if (e instanceof SegmentReady s) {
                CutSegment expected = reference.get((int) s.msn());
                assertThat(s.durationUs()).isEqualTo(expected.durationUs());
                assertThat(s.startPts90k()).isEqualTo(expected.startPts90k());
                assertThat(Arrays.equals(store.get(s.storageKey(), s.servers()), expected.data()))
                    .as("%s msn %d stored bytes equal the clean cut", id, s.msn())
                    .isTrue();
              }
            }
          }
        }
        System.out.printf(
            "SegmenterScaleIT: %d segments compared with the clean cut in %d ms%n",
            STREAMS * SEGMENTS, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - readNanos));

        Map<String, Gap> longest = log.longestGaps(streamIds, phases);
        longest.forEach(
            (phase, gap) ->
                System.out.printf(
                    "SegmenterScaleIT: phase %-7s longest gap between two segments of a stream"
                        + " %5d ms (%s, msn %d)%n",
                    phase, gap.millis(), gap.streamId(), gap.msn()));
        // Bounded only against a stall (STALL): on this shared 2-core machine (load average
        // 20-28 in these runs) even the steady phase shows gaps of 8-11 s, so the targets (join
        // and SIGTERM under 3 x target, kill-and-restart under session timeout + target) are
        // printed, not asserted; figures in segmenter-service/README.md.
        longest.forEach(
            (phase, gap) -> assertThat(gap.millis()).as(phase).isLessThan(STALL.toMillis()));
      }
    } finally {
      // SIGTERM to all first, so they stop in parallel.
      workers.values().forEach(w -> w.process().toHandle().destroy());
      workers.values().forEach(ChildJvm::destroy);
      System.out.printf(
          "SegmenterScaleIT: %d s in all; load average %.1f%n",
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - suiteNanos),
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }

  private ChildJvm startWorker(Map<String, String> env, String name, String instanceId)
      throws Exception {
    Map<String, String> own = new HashMap<>(env);
    own.put("SEGMENTER_INSTANCE_ID", instanceId);
    return WorkerJvms.start(name, own, logs);
  }

  private static int members(Admin admin) throws Exception {
    return admin
        .describeConsumerGroups(List.of("segmenter-scale"))
        .describedGroups()
        .get("segmenter-scale")
        .get()
        .members()
        .size();
  }

  /** Waits until every stream has published at least {@code count} segments. */
  private static void awaitEverySegmentCount(SegmentLog log, List<String> ids, int count) {
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> ids.stream().allMatch(id -> log.segmentCount(id) >= count));
  }

  /** An interval between two consecutive segments of a stream; {@code msn} is the later one's. */
  record Gap(long millis, String streamId, long msn) {}

  /**
   * A read_committed reader of {@code hls.segments} on its own thread, from the beginning: each
   * stream's events in order, and when each SegmentReady became visible.
   */
  private static final class SegmentLog implements AutoCloseable {
    private final Map<String, List<SegmentEvent>> events = new ConcurrentHashMap<>();
    private final Map<String, List<Long>> visibleNanos = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    SegmentLog(String bootstrap) {
      Properties p = new Properties();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
      KafkaConsumer<String, byte[]> consumer =
          new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
      List<TopicPartition> partitions =
          IntStream.range(0, PARTITIONS)
              .mapToObj(i -> new TopicPartition(Topics.SEGMENTS.name(), i))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      thread =
          new Thread(
              () -> {
                try (consumer) {
                  while (running) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                      long now = System.nanoTime();
                      SegmentEvent e = Serdes.segmentEvent().deserialize(r.topic(), r.value());
                      List<SegmentEvent> ofStream =
                          events.computeIfAbsent(r.key(), k -> new ArrayList<>());
                      synchronized (ofStream) {
                        ofStream.add(e);
                      }
                      if (e instanceof SegmentReady) {
                        List<Long> times =
                            visibleNanos.computeIfAbsent(r.key(), k -> new ArrayList<>());
                        synchronized (times) {
                          times.add(now);
                        }
                      }
                    }
                  }
                }
              },
              "scale-segment-log");
      thread.start();
    }

    int segmentCount(String id) {
      List<Long> seen = visibleNanos.get(id);
      if (seen == null) {
        return 0;
      }
      synchronized (seen) {
        return seen.size();
      }
    }

    boolean ended(String id) {
      List<SegmentEvent> seen = events.get(id);
      if (seen == null) {
        return false;
      }
      synchronized (seen) {
        return !seen.isEmpty() && seen.get(seen.size() - 1) instanceof StreamEnded;
      }
    }

    List<SegmentEvent> events(String id) {
      List<SegmentEvent> seen = events.getOrDefault(id, List.of());
      synchronized (seen) {
        return List.copyOf(seen);
      }
    }

    /**
     * Per phase (name → start, in order), the longest interval between two consecutive segments of
     * any stream, counted in the phase where it ended.
     */
    Map<String, Gap> longestGaps(List<String> ids, Map<String, Long> phases) {
      Map<String, Gap> longest = new LinkedHashMap<>();
      phases.keySet().forEach(phase -> longest.put(phase, new Gap(0, "-", -1)));
      List<Map.Entry<String, Long>> starts = new ArrayList<>(phases.entrySet());
      for (String id : ids) {
        List<Long> seen;
        List<Long> times = visibleNanos.getOrDefault(id, List.of());
        synchronized (times) {
          seen = List.copyOf(times);
        }
        for (int i = 1; i < seen.size(); i++) {
          String phase = starts.get(0).getKey();
          for (Map.Entry<String, Long> start : starts) {
            if (seen.get(i) - start.getValue() >= 0) {
              phase = start.getKey();
            }
          }
          long millis = TimeUnit.NANOSECONDS.toMillis(seen.get(i) - seen.get(i - 1));
          if (millis > longest.get(phase).millis()) {
            longest.put(phase, new Gap(millis, id, i));
          }
        }
      }
      return longest;
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      thread.join();
    }
  }
}
