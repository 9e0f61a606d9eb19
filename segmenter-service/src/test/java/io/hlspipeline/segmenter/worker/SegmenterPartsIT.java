package io.hlspipeline.segmenter.worker;

import static io.hlspipeline.segmenter.worker.SegmenterDevstack.awaitStreamEnded;
import static io.hlspipeline.segmenter.worker.SegmenterDevstack.producer;
import static io.hlspipeline.segmenter.worker.SegmenterDevstack.sendChunk;
import static io.hlspipeline.segmenter.worker.SegmenterDevstack.sendControl;
import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.devstack.Ffmpeg;
import io.hlspipeline.devstack.SharedDevstack;
import io.hlspipeline.devstack.TopicReader;
import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.Topics;
import io.hlspipeline.events.ingest.IngestControl;
import io.hlspipeline.events.segments.PartReady;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentFormat;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.segments.StreamEnded;
import io.hlspipeline.segmenter.SegmenterConfig;
import io.hlspipeline.segmenter.SegmenterService;
import io.hlspipeline.storage.S3Endpoint;
import io.hlspipeline.storage.SegmentStore;
import io.hlspipeline.storage.StorageException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Low-latency parts through segmenter-service on the shared real Kafka broker and a real S3 server:
 * PartReady before SegmentReady, every object stored before a read_committed reader sees its event,
 * and the same part keys and bytes after a restart in the middle of a segment.
 */
class SegmenterPartsIT {
  private static final Instant STARTED_AT = Instant.parse("2026-01-01T12:00:00Z");

  /** 334 ms requested at 25 fps: 8 frames. */
  private static final long PART_TARGET_US = 320_000;

  @TempDir static Path dir;
  private static String spec;
  private static List<S3Endpoint> endpoints;
  private static byte[] clip;

  @BeforeAll
  static void setUp() throws Exception {
    spec = SegmenterDevstack.s3Spec("segmenter-parts-it");
    endpoints = S3Endpoint.parseList(spec);
    clip = SegmenterDevstack.clip(dir.resolve("clip.ts"), 6); // keyframes every 2 s
  }

  private static SegmenterService startService() throws Exception {
    SegmenterService service =
        new SegmenterService(
            SegmenterConfig.fromEnv(
                Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", SharedDevstack.kafka().bootstrapServers(),
                    "HTTP_BIND", "127.0.0.1",
                    "HTTP_PORT", "0",
                    "S3_ENDPOINTS", spec,
                    "KAFKA_TOPIC_PARTITIONS", "2",
                    "SEGMENT_TARGET_DURATION", "2s",
                    "HLS_PART_TARGET", "334ms")),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    service.start();
    return service;
  }

  @Test
  void parts_comeInOrderBeforeTheirSegment_storedBeforeVisible_andJoinToTheSegment()
      throws Exception {
    String streamId = "parts-ts";
    String session = "20260101T120000.000Z-0000a001";
    SegmenterService service = startService();
    try (SegmentStore store = new SegmentStore(endpoints, 1, new SimpleMeterRegistry());
        VisibilityWatch watch = new VisibilityWatch(streamId, store)) {
      publish(streamId, session, SegmentFormat.TS, clip, 0, clip.length, true);
      List<SegmentEvent> events = awaitStreamEnded(streamId);
      watch.awaitStreamEnded();
      assertThat(watch.missing).as("objects missing when their event became visible").isEmpty();
      assertThat(watch.checked).hasSizeGreaterThan(events.size() - 2);

      List<SegmentReady> segments = checkOrderAndFields(events, streamId, session, "ts");
      assertThat(segments).extracting(SegmentReady::msn).containsExactly(0L, 1L, 2L);
      for (SegmentReady segment : segments) {
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (PartReady part : partsOf(events, segment.msn())) {
          byte[] object = store.get(part.storageKey(), part.servers());
          assertThat(object).hasSize((int) part.sizeBytes());
          joined.writeBytes(object);
        }
        assertThat(joined.toByteArray())
            .as("parts of msn %d joined", segment.msn())
            .isEqualTo(store.get(segment.storageKey(), segment.servers()));
      }
    } finally {
      service.stop();
    }
  }

  @Test
  void fmp4Parts_afterTheInit_decodeAndAnnounceTheSegmentsInit() throws Exception {
    String streamId = "parts-fmp4";
    String session = "20260101T120000.000Z-0000a002";
    SegmenterService service = startService();
    try (SegmentStore store = new SegmentStore(endpoints, 1, new SimpleMeterRegistry());
        VisibilityWatch watch = new VisibilityWatch(streamId, store)) {
      publish(streamId, session, SegmentFormat.FMP4, clip, 0, clip.length, true);
      List<SegmentEvent> events = awaitStreamEnded(streamId);
      watch.awaitStreamEnded();
      assertThat(watch.missing).isEmpty();
      List<SegmentReady> segments = checkOrderAndFields(events, streamId, session, "m4s");
      assertThat(segments).hasSize(3);
      for (SegmentReady segment : segments) {
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        joined.writeBytes(store.get(segment.initKey(), segment.initServers()));
        for (PartReady part : partsOf(events, segment.msn())) {
          assertThat(part.initKey()).isEqualTo(segment.initKey());
          assertThat(part.initServers()).isEqualTo(segment.initServers());
          joined.writeBytes(store.get(part.storageKey(), part.servers()));
        }
        Path mp4 = dir.resolve("parts-" + segment.msn() + ".mp4");
        Files.write(mp4, joined.toByteArray());
        Ffmpeg.Decoded decoded = Ffmpeg.decode(mp4);
        assertThat(decoded.exitStatus()).as(decoded.log()).isZero();
        assertThat(decoded.log()).as("ffmpeg decode errors, msn %d", segment.msn()).isBlank();
      }
    } finally {
      service.stop();
    }
  }

  @Test
  void restartMidSegment_recutsThePartsWithTheSameKeysAndBytes() throws Exception {
    String streamId = "parts-restart";
    String session = "20260101T120000.000Z-0000a003";
    // About 3 s of the clip: segment 0 (0-2 s) ends, segment 1 has parts but no end yet.
    int half = (clip.length / 2) / 188 * 188;
    Map<String, byte[]> firstBytes = new HashMap<>();
    List<PartReady> firstParts;
    SegmenterService first = startService();
    try (SegmentStore store = new SegmentStore(endpoints, 1, new SimpleMeterRegistry())) {
      publish(streamId, session, SegmentFormat.TS, clip, 0, half, false);
      List<SegmentEvent> before =
          committed()
              .awaitUntil(
                  streamId, events -> partsOf(events, 1).size() >= 2, Duration.ofSeconds(60));
      firstParts = partsOf(before, 1);
      assertThat(before).noneMatch(e -> e instanceof SegmentReady r && r.msn() == 1);
      for (PartReady p : firstParts) {
        firstBytes.put(p.storageKey(), store.get(p.storageKey(), p.servers()));
      }
    } finally {
      first.stop();
    }
    SegmenterService second = startService();
    try (SegmentStore store = new SegmentStore(endpoints, 1, new SimpleMeterRegistry())) {
      publish(streamId, session, SegmentFormat.TS, clip, half, clip.length, true);
      List<SegmentEvent> events = awaitStreamEnded(streamId);
      List<SegmentReady> segments =
          events.stream()
              .filter(SegmentReady.class::isInstance)
              .map(SegmentReady.class::cast)
              .toList();
      assertThat(segments).extracting(SegmentReady::msn).containsExactly(0L, 1L, 2L);
      // The restarted worker resumed at segment 1's start and cut its parts again: each part
      // announced before the restart is announced again, with the same fields and bytes.
      Map<String, List<PartReady>> byKey = new HashMap<>();
      for (SegmentEvent e : events) {
        if (e instanceof PartReady p) {
          byKey.computeIfAbsent(p.storageKey(), k -> new ArrayList<>()).add(p);
        }
      }
      for (PartReady p : firstParts) {
        assertThat(byKey.get(p.storageKey()))
            .as("announcements of %s", p.storageKey())
            .hasSize(2)
            .containsOnly(p);
        assertThat(store.get(p.storageKey(), p.servers()))
            .as("bytes of %s after the restart", p.storageKey())
            .isEqualTo(firstBytes.get(p.storageKey()));
      }
      // After the duplicates, the re-cut sequence is complete and joins to the segment.
      List<PartReady> parts1 = lastAnnouncements(events, 1);
      assertThat(parts1).extracting(PartReady::partIndex).isSorted();
      ByteArrayOutputStream joined = new ByteArrayOutputStream();
      for (PartReady p : parts1) {
        joined.writeBytes(store.get(p.storageKey(), p.servers()));
      }
      assertThat(joined.toByteArray())
          .isEqualTo(store.get(segments.get(1).storageKey(), segments.get(1).servers()));
    } finally {
      second.stop();
    }
  }

  /**
   * Checks the rules on the stream's events and returns its segments: per msn, parts 0, 1, ... then
   * the SegmentReady; each part within the target, all but the last at least 85 % of it, part 0
   * independent, the segment's timing, discontinuity and target on each part.
   */
  private static List<SegmentReady> checkOrderAndFields(
      List<SegmentEvent> events, String streamId, String session, String ext) {
    List<SegmentReady> segments = new ArrayList<>();
    List<PartReady> open = new ArrayList<>();
    for (SegmentEvent e : events) {
      if (e instanceof PartReady p) {
        assertThat(p.partIndex()).as("part order").isEqualTo(open.size());
        assertThat(p.msn()).isEqualTo(segments.size());
        open.add(p);
      } else if (e instanceof SegmentReady s) {
        assertThat(open).as("parts of msn %d", s.msn()).hasSizeGreaterThan(2);
        long totalUs = 0;
        for (int i = 0; i < open.size(); i++) {
          PartReady p = open.get(i);
          assertThat(p.partTargetUs()).isEqualTo(PART_TARGET_US);
          assertThat(p.durationUs()).isLessThanOrEqualTo(PART_TARGET_US);
          if (i < open.size() - 1) {
            assertThat(p.durationUs()).isGreaterThanOrEqualTo(PART_TARGET_US * 85 / 100);
          }
          assertThat(p.independent()).isEqualTo(i == 0);
          assertThat(p.storageKey())
              .isEqualTo(streamId + "/src/" + session + "/" + s.msn() + "." + i + "." + ext)
              .endsWith("/" + p.fileName());
          assertThat(p.discontinuity()).isEqualTo(s.discontinuity());
          assertThat(p.discontinuitySequence()).isEqualTo(s.discontinuitySequence());
          assertThat(p.targetDurationSec()).isEqualTo(s.targetDurationSec());
          assertThat(p.segmentFormat()).isEqualTo(s.segmentFormat());
          assertThat(p.servers()).containsExactly("s3-0");
          long offsetNanos = (p.startPts90k() - s.startPts90k()) * 100_000L / 9;
          assertThat(p.programDateTime()).isEqualTo(s.programDateTime().plusNanos(offsetNanos));
          totalUs += p.durationUs();
        }
        assertThat(open.get(0).startPts90k()).isEqualTo(s.startPts90k());
        assertThat(totalUs).isBetween(s.durationUs() - open.size(), s.durationUs());
        segments.add(s);
        open.clear();
      }
    }
    assertThat(events.get(events.size() - 1)).isInstanceOf(StreamEnded.class);
    assertThat(segments.get(0).programDateTime()).isEqualTo(STARTED_AT);
    return segments;
  }

  private static List<PartReady> partsOf(List<SegmentEvent> events, long msn) {
    return events.stream()
        .filter(e -> e instanceof PartReady p && p.msn() == msn)
        .map(PartReady.class::cast)
        .toList();
  }

  /** The parts of {@code msn} announced after the last part 0 (the final cut of that segment). */
  private static List<PartReady> lastAnnouncements(List<SegmentEvent> events, long msn) {
    List<PartReady> parts = partsOf(events, msn);
    int lastStart = 0;
    for (int i = 0; i < parts.size(); i++) {
      if (parts.get(i).partIndex() == 0) {
        lastStart = i;
      }
    }
    return parts.subList(lastStart, parts.size());
  }

  private static TopicReader<SegmentEvent> committed() {
    return TopicReader.committed(
        SharedDevstack.kafka().bootstrapServers(),
        Topics.SEGMENTS.name(),
        r -> Serdes.segmentEvent().deserialize(r.topic(), r.value()));
  }

  /** Sends PublishStarted (when {@code from} is 0), the chunks of [from, to), PublishEnded. */
  private static void publish(
      String streamId,
      String session,
      SegmentFormat format,
      byte[] ts,
      int from,
      int to,
      boolean end) {
    try (KafkaProducer<String, byte[]> producer = producer()) {
      int chunkBytes = 188 * 20;
      long seq = 1 + from / chunkBytes;
      if (from == 0) {
        sendControl(
            producer,
            new IngestControl.PublishStarted(
                IngestControl.SCHEMA_VERSION, streamId, session, STARTED_AT, "http", false, format),
            0);
      }
      for (int off = from; off < to; off += chunkBytes) {
        byte[] chunk = Arrays.copyOfRange(ts, off, Math.min(to, off + chunkBytes));
        sendChunk(producer, streamId, session, seq++, chunk);
      }
      if (end) {
        sendControl(
            producer,
            new IngestControl.PublishEnded(1, streamId, session, STARTED_AT.plusSeconds(6), "eof"),
            seq);
      }
      producer.flush();
    }
  }

  /**
   * A read_committed reader of hls.segments that, the moment one of the stream's events becomes
   * visible, reads the object it names (one attempt, no retry): an object stored after its
   * transaction committed would be missing here.
   */
  private static final class VisibilityWatch implements AutoCloseable {
    final List<String> checked = new CopyOnWriteArrayList<>();
    final Map<String, String> missing = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean ended;

    VisibilityWatch(String streamId, SegmentStore store) {
      Properties p = new Properties();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedDevstack.kafka().bootstrapServers());
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      KafkaConsumer<String, byte[]> consumer =
          new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
      // The topic exists once a segmenter started (it creates what it writes).
      List<TopicPartition> partitions =
          consumer.partitionsFor(Topics.SEGMENTS.name()).stream()
              .map(i -> new TopicPartition(i.topic(), i.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToEnd(partitions); // only what becomes visible from now on
      partitions.forEach(consumer::position);
      thread =
          new Thread(
              () -> {
                try (consumer) {
                  while (running && !ended) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                      if (streamId.equals(r.key())) {
                        check(Serdes.segmentEvent().deserialize(r.topic(), r.value()), store);
                      }
                    }
                  }
                }
              },
              "visibility-watch");
      thread.start();
    }

    private void check(SegmentEvent event, SegmentStore store) {
      String key = null;
      List<String> servers = null;
      if (event instanceof PartReady p) {
        key = p.storageKey();
        servers = p.servers();
      } else if (event instanceof SegmentReady s) {
        key = s.storageKey();
        servers = s.servers();
      } else if (event instanceof StreamEnded) {
        ended = true;
        return;
      }
      try {
        store.get(key, servers);
        checked.add(key);
      } catch (StorageException | RuntimeException e) {
        missing.put(key, String.valueOf(e.getMessage()));
      }
    }

    void awaitStreamEnded() throws InterruptedException {
      thread.join(Duration.ofSeconds(60).toMillis());
      assertThat(ended).as("the watch saw StreamEnded").isTrue();
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      thread.join();
    }
  }
}
