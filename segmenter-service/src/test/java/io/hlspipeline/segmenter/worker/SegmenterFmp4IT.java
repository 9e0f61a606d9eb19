package io.hlspipeline.segmenter.worker;

import static io.hlspipeline.segmenter.worker.SegmenterDevstack.awaitStreamEnded;
import static io.hlspipeline.segmenter.worker.SegmenterDevstack.producer;
import static io.hlspipeline.segmenter.worker.SegmenterDevstack.sendChunk;
import static io.hlspipeline.segmenter.worker.SegmenterDevstack.sendControl;
import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.devstack.Ffmpeg;
import io.hlspipeline.devstack.SharedDevstack;
import io.hlspipeline.events.ingest.IngestControl;
import io.hlspipeline.events.segments.SegmentFormat;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.segmenter.SegmenterConfig;
import io.hlspipeline.segmenter.SegmenterService;
import io.hlspipeline.storage.S3Endpoint;
import io.hlspipeline.storage.SegmentStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fMP4 segments from the real segmenter (shared Kafka, a real S3 server): the same bytes published
 * as a TS stream (the configured default) and as an fMP4 stream (asked for in PublishStarted) give
 * the same grid and sample counts, and every stored init + fragment decodes with ffmpeg.
 */
class SegmenterFmp4IT {
  @TempDir static Path dir;
  private static SegmenterService service;
  private static List<S3Endpoint> endpoints;
  private static final Instant STARTED_AT = Instant.parse("2026-01-01T12:00:00Z");

  @BeforeAll
  static void start() throws Exception {
    String spec = SegmenterDevstack.s3Spec("segmenter-fmp4-it");
    endpoints = S3Endpoint.parseList(spec);
    service =
        new SegmenterService(
            SegmenterConfig.fromEnv(
                Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", SharedDevstack.kafka().bootstrapServers(),
                    "HTTP_BIND", "127.0.0.1",
                    "HTTP_PORT", "0",
                    "S3_ENDPOINTS", spec,
                    "KAFKA_TOPIC_PARTITIONS", "2",
                    "SEGMENT_TARGET_DURATION", "4s",
                    "HLS_SEGMENT_FORMAT", "ts")),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    service.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (service != null) {
      service.stop();
    }
  }

  @Test
  void h264Aac_fmp4MatchesTs_andEveryFragmentDecodes() throws Exception {
    byte[] ts = SegmenterDevstack.clip(dir.resolve("h264.ts"), 12);
    compareFormats("fmp4-h264", ts);
  }

  @Test
  void hevcAac_fmp4MatchesTs_andEveryFragmentDecodes() throws Exception {
    Path file = dir.resolve("h265.ts");
    Ffmpeg.run(
        Duration.ofSeconds(120),
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x240:rate=25",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=1000:sample_rate=48000",
        "-t",
        "12",
        "-c:v",
        "libx265",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-x265-params",
        "keyint=50:min-keyint=50:scenecut=0:log-level=error",
        "-c:a",
        "aac",
        "-b:a",
        "64k",
        "-f",
        "mpegts",
        file.toString());
    compareFormats("fmp4-h265", Files.readAllBytes(file));
  }

  @Test
  void resolutionChange_storesANewInit_andMarksTheDiscontinuity() throws Exception {
    // 8 s at 320x240, then 8 s at 640x360 with timestamps continuing (the cutter sees no jump).
    Path a = dir.resolve("a.ts");
    Path b = dir.resolve("b.ts");
    Ffmpeg.run(
        Duration.ofSeconds(120),
        Ffmpeg.testSource("320x240", 25).seconds(8).gopFrames(50).to("-f", "mpegts", a.toString()));
    Ffmpeg.run(
        Duration.ofSeconds(120),
        Ffmpeg.testSource("640x360", 25)
            .seconds(8)
            .gopFrames(50)
            .to("-output_ts_offset", "8", "-f", "mpegts", b.toString()));
    byte[] ts = concat(Files.readAllBytes(a), Files.readAllBytes(b));
    List<SegmentReady> segments = publish("fmp4-resize", ts, SegmentFormat.FMP4);

    assertThat(segments).extracting(SegmentReady::width).containsExactly(320, 320, 640, 640);
    assertThat(segments.get(0).initKey()).isEqualTo(segments.get(1).initKey());
    assertThat(segments.get(2).initKey())
        .isNotEqualTo(segments.get(1).initKey())
        .isEqualTo(segments.get(3).initKey());
    assertThat(segments)
        .extracting(SegmentReady::discontinuity)
        .containsExactly(false, false, true, false);
    try (SegmentStore store = store()) {
      for (SegmentReady s : segments) {
        assertThat(decodeErrors(fetch(store, s))).as("msn %d", s.msn()).isEmpty();
      }
    }
  }

  /** Publishes {@code ts} twice, as TS and as fMP4, and compares the two outputs. */
  private void compareFormats(String streamId, byte[] ts) throws Exception {
    List<SegmentReady> tsSegments = publish(streamId + "-ts", ts, null);
    List<SegmentReady> fmp4 = publish(streamId, ts, SegmentFormat.FMP4);

    assertThat(tsSegments).hasSize(3).allSatisfy(s -> assertThat(s.initKey()).isNull());
    assertThat(tsSegments).extracting(SegmentReady::segmentFormat).containsOnly(SegmentFormat.TS);
    assertThat(fmp4).extracting(SegmentReady::segmentFormat).containsOnly(SegmentFormat.FMP4);
    assertThat(fmp4)
        .extracting(SegmentReady::durationUs)
        .containsExactlyElementsOf(tsSegments.stream().map(SegmentReady::durationUs).toList());
    assertThat(fmp4)
        .extracting(SegmentReady::startPts90k)
        .containsExactlyElementsOf(tsSegments.stream().map(SegmentReady::startPts90k).toList());
    // One decoder configuration: one init segment, named by every segment.
    assertThat(fmp4).extracting(SegmentReady::initKey).containsOnly(fmp4.get(0).initKey());
    assertThat(fmp4.get(0).initKey()).matches(streamId + "/src/[^/]+/init-[0-9a-f]{16}\\.mp4");
    assertThat(fmp4).allSatisfy(s -> assertThat(s.storageKey()).endsWith("/" + s.msn() + ".m4s"));

    ByteArrayOutputStream all = new ByteArrayOutputStream();
    try (SegmentStore store = store()) {
      all.writeBytes(store.get(fmp4.get(0).initKey(), fmp4.get(0).initServers()));
      for (int i = 0; i < fmp4.size(); i++) {
        Path mp4 = dir.resolve(streamId + "-" + i + ".mp4");
        Files.write(mp4, fetch(store, fmp4.get(i)));
        Path tsFile = dir.resolve(streamId + "-" + i + ".ts");
        Files.write(tsFile, store.get(tsSegments.get(i).storageKey(), tsSegments.get(i).servers()));
        assertThat(decodeErrors(Files.readAllBytes(mp4))).as("segment %d", i).isEmpty();
        for (String stream : List.of("v:0", "a:0")) {
          assertThat(probe(mp4, stream, "pts"))
              .as("%s samples of segment %d", stream, i)
              .hasSameSizeAs(probe(tsFile, stream, "pts"));
        }
        all.writeBytes(store.get(fmp4.get(i).storageKey(), fmp4.get(i).servers()));
      }
    }
    // Timestamps continue across segments: each packet's DTS = the previous DTS + its duration.
    Path whole = dir.resolve(streamId + "-all.mp4");
    Files.write(whole, all.toByteArray());
    for (String stream : List.of("v:0", "a:0")) {
      List<Long> dts = probe(whole, stream, "dts");
      List<Long> durations = probe(whole, stream, "duration");
      assertThat(dts).hasSizeGreaterThan(100);
      for (int i = 1; i < dts.size(); i++) {
        if (durations.get(i - 1) == null) {
          continue; // ffprobe gives no duration for a track's first packet
        }
        assertThat(dts.get(i))
            .as("%s dts %d", stream, i)
            .isEqualTo(dts.get(i - 1) + durations.get(i - 1));
      }
    }
  }

  private static List<SegmentReady> publish(String streamId, byte[] ts, SegmentFormat format) {
    String session = "20260101T120000.000Z-" + Integer.toHexString(streamId.hashCode());
    try (KafkaProducer<String, byte[]> producer = producer()) {
      sendControl(
          producer,
          new IngestControl.PublishStarted(
              IngestControl.SCHEMA_VERSION, streamId, session, STARTED_AT, "http", false, format),
          0);
      long seq = 1;
      int chunkBytes = 188 * 100;
      for (int off = 0; off < ts.length; off += chunkBytes) {
        byte[] chunk = Arrays.copyOfRange(ts, off, Math.min(ts.length, off + chunkBytes));
        sendChunk(producer, streamId, session, seq++, chunk);
      }
      sendControl(
          producer,
          new IngestControl.PublishEnded(1, streamId, session, STARTED_AT.plusSeconds(12), "eof"),
          seq);
      producer.flush();
    }
    return awaitStreamEnded(streamId).stream()
        .filter(SegmentReady.class::isInstance)
        .map(SegmentReady.class::cast)
        .toList();
  }

  private static SegmentStore store() {
    return new SegmentStore(endpoints, 1, new SimpleMeterRegistry());
  }

  /** The segment's init segment followed by its fragment: what a player appends. */
  private static byte[] fetch(SegmentStore store, SegmentReady s) throws Exception {
    byte[] fragment = store.get(s.storageKey(), s.servers());
    assertThat(fragment).hasSize((int) s.sizeBytes());
    return concat(store.get(s.initKey(), s.initServers()), fragment);
  }

  private static String decodeErrors(byte[] media) throws Exception {
    Path file = Files.createTempFile(dir, "segment", ".mp4");
    Files.write(file, media);
    Ffmpeg.Decoded decoded = Ffmpeg.decode(file);
    assertThat(decoded.exitStatus()).as(decoded.log()).isZero();
    return decoded.log();
  }

  /** One ffprobe packet field of a stream, in file order. */
  private static List<Long> probe(Path file, String stream, String field) throws Exception {
    Process p =
        new ProcessBuilder(
                "ffprobe",
                "-v",
                "error",
                "-select_streams",
                stream,
                "-show_entries",
                "packet=" + field,
                "-of",
                "csv=p=0",
                file.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("ffprobe failed on " + file);
    }
    List<Long> values = new ArrayList<>();
    for (String line : out.split("\n")) {
      String v = line.strip().replace(",", "");
      if (!v.isEmpty()) {
        values.add(v.equals("N/A") ? null : Long.valueOf(v));
      }
    }
    return values;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
