package io.hlspipeline.segmenter.worker;

import static io.hlspipeline.segmenter.worker.SegmenterDevstack.producer;
import static io.hlspipeline.segmenter.worker.SegmenterDevstack.sendChunk;
import static io.hlspipeline.segmenter.worker.SegmenterDevstack.sendControl;
import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.devstack.Ffmpeg;
import io.hlspipeline.devstack.SharedDevstack;
import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.Topics;
import io.hlspipeline.events.ingest.IngestControl;
import io.hlspipeline.events.segments.PartReady;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentFormat;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.segmenter.SegmenterConfig;
import io.hlspipeline.segmenter.SegmenterService;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;
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
 * Benchmark, not a test: how many live streams with low-latency parts one segmenter worker keeps up
 * with. Runs only with {@code -Dhls.bench.streams=10,25,50} (bench/segmenter-parts.sh); skipped in
 * a normal build.
 *
 * <p>For each stream count N: N streams publish a 720p clip in real time (one chunk per 40 ms per
 * stream, as ingest writes them; starts spread over 2 s), a fresh worker (4 s segments, 334 ms
 * parts, one S3 server) cuts them, and a read_committed reader notes when each PartReady becomes
 * visible. A part's lag = that moment − (its program-date-time + its duration): the time from the
 * part's last frame being due to its announcement. Kafka, S3Proxy, the worker and the load all run
 * in this one JVM on the machine's cores, so the figures are a floor for a worker with its own.
 * With {@code -Dhls.bench.parts=0s} the worker cuts no parts and the lag is each SegmentReady's
 * (visible − (program-date-time + duration)): issue #12's streams-per-worker figure.
 */
class SegmenterCapacityBench {
  private static final Duration RUN = Duration.ofSeconds(Long.getLong("hls.bench.seconds", 30));

  /**
   * {@code HLS_PART_TARGET} of the worker ({@code -Dhls.bench.parts}, 334ms); {@code 0s}: no parts,
   * and the lag measured is each SegmentReady's instead (issue #12's figure).
   */
  private static final String PARTS = System.getProperty("hls.bench.parts", "334ms");

  private static final boolean WITH_PARTS = !PARTS.matches("0+[a-z]*");

  /** The clip's video bitrate ({@code -Dhls.bench.bitrate}, 1500k). */
  private static final String BITRATE = System.getProperty("hls.bench.bitrate", "1500k");

  private static final long TICK_NANOS = 40_000_000L;

  @TempDir static Path dir;

  @Test
  void streamsPerWorker_withParts() throws Exception {
    String counts = System.getProperty("hls.bench.streams");
    if (counts == null) {
      counts = "10,25,50";
    }
    Path file = dir.resolve("bench.ts");
    Ffmpeg.run(
        Duration.ofSeconds(300),
        Ffmpeg.testSource("1280x720", 25)
            .seconds((int) RUN.toSeconds() + 5)
            .gopFrames(50)
            .to("-b:v", BITRATE, "-f", "mpegts", file.toString()));
    byte[] clip = Files.readAllBytes(file);
    System.out.printf(
        "segmenter capacity: clip %d bytes (%.2f Mb/s), run %d s, cores %d, parts %s%n",
        clip.length,
        clip.length * 8.0 / (RUN.toSeconds() + 5) / 1e6,
        RUN.toSeconds(),
        Runtime.getRuntime().availableProcessors(),
        WITH_PARTS ? PARTS : "off (SegmentReady lag)");
    for (String n : counts.split(",")) {
      run(Integer.parseInt(n.trim()), clip);
    }
  }

  private void run(int streams, byte[] clip) throws Exception {
    String prefix = "cap" + streams + "-" + Long.toHexString(System.nanoTime() & 0xFFFFFF);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    SegmenterService service =
        new SegmenterService(
            SegmenterConfig.fromEnv(
                Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", SharedDevstack.kafka().bootstrapServers(),
                    "HTTP_BIND", "127.0.0.1",
                    "HTTP_PORT", "0",
                    "S3_ENDPOINTS", SegmenterDevstack.s3Spec("segmenter-capacity"),
                    "KAFKA_TOPIC_PARTITIONS", "2",
                    "SEGMENT_TARGET_DURATION", "4s",
                    "HLS_PART_TARGET", PARTS,
                    // One group for every count: a run starts at the previous one's committed end.
                    "SEGMENTER_GROUP_ID", "segmenter-capacity")),
            registry);
    service.start();
    List<Long> lagsMs = Collections.synchronizedList(new ArrayList<>());
    Instant[] startedAt = new Instant[streams];
    Reader reader = new Reader(prefix, startedAt, lagsMs);
    long cpuBefore = processCpuNanos();
    Map<Long, Long> workerCpuBefore = workerThreadCpu("segmenter-capacity");
    long wallBefore = System.nanoTime();
    try (KafkaProducer<String, byte[]> producer = producer()) {
      int ticks = (int) (RUN.toNanos() / TICK_NANOS);
      int perTick = clip.length / ((int) (RUN.toSeconds() + 5) * 25);
      int spread = 50; // starts spread over 2 s of ticks
      long t0 = System.nanoTime();
      for (int tick = 0; tick < ticks + spread; tick++) {
        LockSupport.parkNanos(t0 + tick * TICK_NANOS - System.nanoTime());
        for (int s = 0; s < streams; s++) {
          int own = tick - s * spread / streams; // this stream's tick
          String id = prefix + "-" + s;
          String session = "20260101T120000.000Z-" + String.format("%08x", s);
          if (own == 0) {
            startedAt[s] = Instant.now();
            sendControl(
                producer,
                new IngestControl.PublishStarted(
                    IngestControl.SCHEMA_VERSION,
                    id,
                    session,
                    startedAt[s],
                    "http",
                    false,
                    SegmentFormat.TS),
                0);
          }
          if (own >= 0 && own < ticks) {
            int from = own * perTick;
            sendChunk(
                producer, id, session, own + 1, Arrays.copyOfRange(clip, from, from + perTick));
          }
          if (own == ticks) {
            sendControl(
                producer,
                new IngestControl.PublishEnded(1, id, session, Instant.now(), "eof"),
                own + 1);
          }
        }
      }
      producer.flush();
    }
    long wallNanos = System.nanoTime() - wallBefore;
    long cpuNanos = processCpuNanos() - cpuBefore;
    long workerCpuNanos = 0;
    for (Map.Entry<Long, Long> t : workerThreadCpu("segmenter-capacity").entrySet()) {
      workerCpuNanos += t.getValue() - workerCpuBefore.getOrDefault(t.getKey(), 0L);
    }
    // The last parts: wait until no new one has come for a second (at most 60 s).
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    int seen = -1;
    while (seen != lagsMs.size() && System.nanoTime() < deadline) {
      seen = lagsMs.size();
      LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
    }
    reader.close();
    double published =
        count(registry, "hls.segmenter.parts") + count(registry, "hls.segmenter.segments");
    service.stop();
    List<Long> lags;
    synchronized (lagsMs) {
      lags = new ArrayList<>(lagsMs);
    }
    Collections.sort(lags);
    long expectedParts =
        WITH_PARTS
            ? (long) streams * (RUN.toMillis() - 400) / 320
            : (long) streams * (RUN.toSeconds() / 4);
    System.gc();
    long heapMiB = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
    System.out.printf(
        "segmenter capacity: %d streams: %d %s seen (~%d expected), lag p50 %d ms, p95 %d ms,"
            + " p99 %d ms, max %d ms; worker threads %.3f cores = %.1f ms CPU per stream-second;"
            + " whole JVM %.2f cores (Kafka, S3Proxy, load and worker), heap after GC %d MiB;"
            + " %.0f parts+segments published, %.2f ms worker CPU each; load average %.1f%n",
        streams,
        lags.size(),
        WITH_PARTS ? "parts" : "segments",
        expectedParts,
        pct(lags, 50),
        pct(lags, 95),
        pct(lags, 99),
        lags.isEmpty() ? -1 : lags.get(lags.size() - 1),
        workerCpuNanos / (double) wallNanos,
        workerCpuNanos / 1e6 / streams / (wallNanos / 1e9),
        cpuNanos / (double) wallNanos,
        heapMiB,
        published,
        workerCpuNanos / 1e6 / Math.max(1, published),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    assertThat(lags).isNotEmpty();
  }

  private static double count(PrometheusMeterRegistry registry, String name) {
    io.micrometer.core.instrument.Counter c = registry.find(name).counter();
    return c == null ? 0 : c.count();
  }

  private static long pct(List<Long> sorted, int p) {
    return sorted.isEmpty() ? -1 : sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100));
  }

  /**
   * CPU time per live thread of the worker: its loop, its upload pool, the store's write pool and
   * its Kafka clients' threads (named after its group and client ids).
   */
  private static Map<Long, Long> workerThreadCpu(String group) {
    java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Map<Long, Long> cpu = new java.util.HashMap<>();
    for (java.lang.management.ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      String name = info.getThreadName();
      if (name.startsWith("segmenter-worker")
          || name.startsWith("segmenter-upload-")
          || name.startsWith("hls-storage-write-")
          || name.contains(group)) {
        long nanos = mx.getThreadCpuTime(info.getThreadId());
        if (nanos >= 0) {
          cpu.put(info.getThreadId(), nanos);
        }
      }
    }
    return cpu;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** read_committed, from the end: the lag of each PartReady of this run's streams. */
  private static final class Reader implements AutoCloseable {
    private final Thread thread;
    private volatile boolean running = true;

    Reader(String prefix, Instant[] startedAt, List<Long> lagsMs) {
      Properties p = new Properties();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedDevstack.kafka().bootstrapServers());
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      KafkaConsumer<String, byte[]> consumer =
          new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
      List<TopicPartition> partitions =
          consumer.partitionsFor(Topics.SEGMENTS.name()).stream()
              .map(i -> new TopicPartition(i.topic(), i.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position);
      thread =
          new Thread(
              () -> {
                try (consumer) {
                  while (running) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(10))) {
                      if (r.key() == null || !r.key().startsWith(prefix + "-")) {
                        continue;
                      }
                      Instant now = Instant.now();
                      SegmentEvent e = Serdes.segmentEvent().deserialize(r.topic(), r.value());
                      if (WITH_PARTS && e instanceof PartReady part) {
                        Instant due = part.programDateTime().plusNanos(part.durationUs() * 1000);
                        lagsMs.add(Duration.between(due, now).toMillis());
                      } else if (!WITH_PARTS && e instanceof SegmentReady segment) {
                        Instant due =
                            segment.programDateTime().plusNanos(segment.durationUs() * 1000);
                        lagsMs.add(Duration.between(due, now).toMillis());
                      }
                    }
                  }
                }
              },
              "capacity-reader");
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      thread.join();
    }
  }
}
