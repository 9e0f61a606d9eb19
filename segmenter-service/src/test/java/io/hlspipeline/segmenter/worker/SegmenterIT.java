package io.hlspipeline.segmenter.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hlspipeline.devstack.S3Server;
import io.hlspipeline.devstack.SharedDevstack;
import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.Topics;
import io.hlspipeline.events.ingest.IngestControl;
import io.hlspipeline.events.ingest.IngestHeaders;
import io.hlspipeline.events.ingest.IngestRecordKind;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.segments.StreamEnded;
import io.hlspipeline.segmenter.SegmenterConfig;
import io.hlspipeline.segmenter.SegmenterService;
import io.hlspipeline.storage.S3Endpoint;
import io.hlspipeline.storage.SegmentStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
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
    S3Server s3 = SharedDevstack.s3(0);
    String spec =
        "id="
            + s3.id()
            + ",url="
            + s3.endpoint()
            + ",bucket=segmenter-it,region="
            + s3.region()
            + ",accessKey="
            + s3.accessKey()
            + ",secretKey="
            + s3.secretKey();
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
    Path clip = dir.resolve("clip.ts");
    ffmpeg(
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
        "-map",
        "0:v",
        "-map",
        "1:a",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-g",
        "50",
        "-keyint_min",
        "50",
        "-sc_threshold",
        "0",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-b:a",
        "64k",
        "-f",
        "mpegts",
        clip.toString());
    byte[] ts = Files.readAllBytes(clip);
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
  }

  private static void assertDecodes(byte[] segment) throws Exception {
    Process p =
        new ProcessBuilder("ffmpeg", "-v", "error", "-i", "-", "-f", "null", "-")
            .redirectErrorStream(true)
            .start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(segment);
    }
    String output = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).as("ffmpeg decode errors").isBlank();
  }

  private static void ffmpeg(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-v", "error", "-nostdin", "-y"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
  }

  private static KafkaProducer<String, byte[]> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedDevstack.kafka().bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  private static void sendControl(
      KafkaProducer<String, byte[]> producer, IngestControl control, long seq) {
    IngestRecordKind kind =
        control instanceof IngestControl.PublishStarted
            ? IngestRecordKind.PUBLISH_STARTED
            : IngestRecordKind.PUBLISH_ENDED;
    producer.send(
        new ProducerRecord<>(
            Topics.INGEST.name(),
            null,
            control.streamId(),
            Serdes.ingestControl().serialize(Topics.INGEST.name(), control),
            new IngestHeaders(kind, control.sessionId(), seq, Instant.now()).toKafka()));
  }

  private static void sendChunk(
      KafkaProducer<String, byte[]> producer,
      String streamId,
      String session,
      long seq,
      byte[] chunk) {
    producer.send(
        new ProducerRecord<>(
            Topics.INGEST.name(),
            null,
            streamId,
            chunk,
            new IngestHeaders(IngestRecordKind.CHUNK, session, seq, Instant.now()).toKafka()));
  }

  /** The committed hls.segments events of {@code streamId}, once its StreamEnded arrived. */
  private static List<SegmentEvent> awaitStreamEnded(String streamId) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedDevstack.kafka().bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<SegmentEvent> events = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(Topics.SEGMENTS.name()).stream()
              .map(i -> new TopicPartition(i.topic(), i.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                  if (streamId.equals(r.key())) {
                    events.add(Serdes.segmentEvent().deserialize(r.topic(), r.value()));
                  }
                }
                return !events.isEmpty() && events.get(events.size() - 1) instanceof StreamEnded;
              });
    }
    return events;
  }
}
