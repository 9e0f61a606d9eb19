package io.hlspipeline.segmenter.worker;

import static io.hlspipeline.segmenter.worker.SegmenterDevstack.awaitStreamEnded;
import static io.hlspipeline.segmenter.worker.SegmenterDevstack.producer;
import static io.hlspipeline.segmenter.worker.SegmenterDevstack.sendChunk;
import static io.hlspipeline.segmenter.worker.SegmenterDevstack.sendControl;
import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.devstack.Ffmpeg;
import io.hlspipeline.devstack.SharedDevstack;
import io.hlspipeline.events.ingest.IngestControl;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.segments.StreamEnded;
import io.hlspipeline.segmenter.SegmenterConfig;
import io.hlspipeline.segmenter.SegmenterService;
import io.hlspipeline.storage.S3Endpoint;
import io.hlspipeline.storage.SegmentStore;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** segmenter-service in-process against the shared real Kafka broker and a real S3 server. */
class SegmenterIT {
  private static final long FRAME_US = 40_000; // 25 fps

  @TempDir static Path dir;
  private static SegmenterService service;
  private static PrometheusMeterRegistry registry;
  private static List<S3Endpoint> endpoints;

  @BeforeAll
  static void start() throws Exception {
    String spec = SegmenterDevstack.s3Spec("segmenter-it");
    endpoints = S3Endpoint.parseList(spec);
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    service =
        new SegmenterService(
            SegmenterConfig.fromEnv(
                Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", SharedDevstack.kafka().bootstrapServers(),
                    "HTTP_BIND", "127.0.0.1",
                    "HTTP_PORT", "0",
                    "S3_ENDPOINTS", spec,
                    "KAFKA_TOPIC_PARTITIONS", "2",
                    "SEGMENT_TARGET_DURATION", "4s")),
            registry);
    service.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (service != null) {
      service.stop();
    }
  }

  @Test
  void twelveSecondClip_becomesThreeStoredDecodableSegmentsThenStreamEnded_despiteABrokenNeighbour()
      throws Exception {
    byte[] ts = SegmenterDevstack.clip(dir.resolve("clip.ts"), 12);
    String good = "seg-good";
    String broken = "seg-broken";
    String goodSession = "20260101T120000.000Z-00000001";
    String brokenSession = "20260101T120000.000Z-00000002";
    Instant startedAt = Instant.parse("2026-01-01T12:00:00Z");

    try (KafkaProducer<String, byte[]> producer = producer()) {
      sendControl(
          producer,
          new IngestControl.PublishStarted(1, good, goodSession, startedAt, "http", false),
          0);
      sendControl(
          producer,
          new IngestControl.PublishStarted(1, broken, brokenSession, startedAt, "http", false),
          0);
      Random random = new Random(7);
      long seq = 1;
      int chunkBytes = 188 * 100;
      for (int off = 0; off < ts.length; off += chunkBytes) {
        byte[] chunk = Arrays.copyOfRange(ts, off, Math.min(ts.length, off + chunkBytes));
        sendChunk(producer, good, goodSession, seq, chunk);
        byte[] garbage = new byte[188 * 10];
        random.nextBytes(garbage);
        for (int p = 0; p < garbage.length; p += 188) {
          garbage[p] = 0x47;
        }
        sendChunk(producer, broken, brokenSession, seq, garbage);
        seq++;
      }
      sendControl(
          producer,
          new IngestControl.PublishEnded(1, good, goodSession, startedAt.plusSeconds(12), "eof"),
          seq);
      sendControl(
          producer,
          new IngestControl.PublishEnded(
              1, broken, brokenSession, startedAt.plusSeconds(12), "eof"),
          seq);
      producer.flush();
    }

    List<SegmentEvent> events = awaitStreamEnded(good);
    List<SegmentReady> segments =
        events.stream()
            .filter(SegmentReady.class::isInstance)
            .map(SegmentReady.class::cast)
            .toList();
    assertThat(segments).extracting(SegmentReady::msn).containsExactly(0L, 1L, 2L);
    assertThat(events.get(events.size() - 1))
        .isInstanceOfSatisfying(StreamEnded.class, e -> assertThat(e.lastMsn()).isEqualTo(2));
    long totalUs = segments.stream().mapToLong(SegmentReady::durationUs).sum();
    assertThat(totalUs).isBetween(12_000_000L - FRAME_US, 12_000_000L + FRAME_US);
    assertThat(segments.get(0).programDateTime()).isEqualTo(startedAt);
    assertThat(segments.get(1).programDateTime())
        .isEqualTo(startedAt.plusNanos(segments.get(0).durationUs() * 1000));
    assertThat(segments)
        .allSatisfy(
            s -> {
              assertThat(s.codecs()).startsWith("avc1.").contains("mp4a.40.2");
              assertThat(s.width()).isEqualTo(320);
              assertThat(s.height()).isEqualTo(240);
              assertThat(s.targetDurationSec()).isEqualTo(4);
              assertThat(s.servers()).containsExactly("s3-0");
              assertThat(s.storageKey())
                  .isEqualTo(good + "/src/" + goodSession + "/" + s.msn() + ".ts");
            });
    try (SegmentStore store = new SegmentStore(endpoints, 1, new SimpleMeterRegistry())) {
      for (SegmentReady s : segments) {
        byte[] object = store.get(s.storageKey(), s.servers());
        assertThat(object).hasSize((int) s.sizeBytes());
        assertThat(object[0]).isEqualTo((byte) 0x47);
        assertDecodes(object);
      }
    }

    List<SegmentEvent> brokenEvents = awaitStreamEnded(broken);
    assertThat(brokenEvents).singleElement().isInstanceOf(StreamEnded.class);
    assertThat(registry.get("hls.segmenter.malformed").counter().count()).isGreaterThanOrEqualTo(1);
    // each segment timed from the ingest time of the record that completed it to its commit
    Timer ready = registry.get("hls.segmenter.segment.ready.latency").timer();
    System.out.printf(
        "segment-ready latency: %d segments, mean %.0f ms, max %.0f ms%n",
        ready.count(), ready.mean(TimeUnit.MILLISECONDS), ready.max(TimeUnit.MILLISECONDS));
    assertThat(ready.count()).isGreaterThanOrEqualTo(segments.size());
    assertThat(registry.scrape()).contains("hls_segmenter_segment_ready_latency_seconds_bucket{");
  }

  private static void assertDecodes(byte[] segment) throws Exception {
    Path file = Files.createTempFile(dir, "segment", ".ts");
    Files.write(file, segment);
    Ffmpeg.Decoded decoded = Ffmpeg.decode(file);
    assertThat(decoded.exitStatus()).as(decoded.log()).isZero();
    assertThat(decoded.log()).as("ffmpeg decode errors").isBlank();
  }
}
