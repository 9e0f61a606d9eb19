package io.hlspipeline.segmenter.worker;

import io.hlspipeline.devstack.Ffmpeg;
import io.hlspipeline.devstack.SharedDevstack;
import io.hlspipeline.devstack.TopicReader;
import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.Topics;
import io.hlspipeline.events.ingest.IngestControl;
import io.hlspipeline.events.ingest.IngestHeaders;
import io.hlspipeline.events.ingest.IngestRecordKind;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.segments.StreamEnded;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the segmenter ITs do on the shared devstack: make a clip, point a segmenter at S3 server 0,
 * write {@code hls.ingest} as ingest-service does, read back the committed {@code hls.segments}.
 */
final class SegmenterDevstack {
  private SegmenterDevstack() {}

  /** {@code seconds} of 320x240 25 fps H.264 (a keyframe every 2 s) + AAC, as an MPEG-TS file. */
  static byte[] clip(Path file, int seconds) throws Exception {
    Ffmpeg.run(
        Duration.ofSeconds(120),
        Ffmpeg.testSource("320x240", 25)
            .seconds(seconds)
            .gopFrames(50)
            .to("-f", "mpegts", file.toString()));
    return Files.readAllBytes(file);
  }

  /** The {@code S3_ENDPOINTS} value for {@code bucket} on the shared S3 server 0. */
  static String s3Spec(String bucket) {
    return SharedDevstack.s3(0).endpointSpec(bucket);
  }

  /** An idempotent producer (acks=all) to the shared broker, as ingest-service's. */
  static KafkaProducer<String, byte[]> producer() {
    return producer(SharedDevstack.kafka().bootstrapServers());
  }

  /** An idempotent producer (acks=all) to {@code bootstrap}, as ingest-service's. */
  static KafkaProducer<String, byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  static void sendControl(KafkaProducer<String, byte[]> producer, IngestControl control, long seq) {
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

  static void sendChunk(
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
  static List<SegmentEvent> awaitStreamEnded(String streamId) {
    return segments()
        .awaitUntil(
            streamId,
            events -> !events.isEmpty() && events.get(events.size() - 1) instanceof StreamEnded,
            Duration.ofSeconds(60));
  }

  /**
   * The committed hls.segments events of {@code streamId}, once {@code ends} StreamEnded arrived.
   */
  static List<SegmentEvent> awaitStreamEndedCount(String streamId, int ends) {
    return segments()
        .awaitUntil(
            streamId,
            events -> events.stream().filter(StreamEnded.class::isInstance).count() >= ends,
            Duration.ofSeconds(60));
  }

  /** The committed SegmentReady events of {@code streamId} so far. */
  static List<SegmentReady> readySegments(String streamId, Duration poll) {
    List<SegmentReady> out = new ArrayList<>();
    for (SegmentEvent e : segments().readToEnd(streamId, poll)) {
      if (e instanceof SegmentReady r) {
        out.add(r);
      }
    }
    return out;
  }

  private static TopicReader<SegmentEvent> segments() {
    return TopicReader.committed(
        SharedDevstack.kafka().bootstrapServers(),
        Topics.SEGMENTS.name(),
        r -> Serdes.segmentEvent().deserialize(r.topic(), r.value()));
  }
}
