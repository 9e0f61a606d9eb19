package io.hlspipeline.segmenter.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.Topics;
import io.hlspipeline.events.ingest.IngestControl;
import io.hlspipeline.events.ingest.IngestHeaders;
import io.hlspipeline.events.ingest.IngestRecordKind;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.segments.StreamEnded;
import io.hlspipeline.segmenter.SegmenterConfig;
import io.hlspipeline.segmenter.SegmenterMetrics;
import io.hlspipeline.storage.StoredObject;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** Records to sessions, cuts, uploads and batches, with an in-memory store (no Kafka, no S3). */
class IngestBatcherTest {
  private static final TopicPartition P0 = new TopicPartition(Topics.INGEST.name(), 0);
  private static final Path SAMPLE = Path.of("../media/src/test/resources/samples/ts_jump.ts");
  private static final Instant STARTED = Instant.parse("2026-01-01T12:00:00Z");
  private static final int CHUNK_BYTES = 188 * 100;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final PartitionBook book = new PartitionBook();
  private final Map<String, byte[]> stored = new TreeMap<>();
  private Instant now = STARTED.plusSeconds(60);

  private IngestBatcher batcher() {
    book.own(List.of(P0));
    SegmenterConfig config =
        SegmenterConfig.fromEnv(
            Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092",
                "S3_ENDPOINTS",
                    "id=a,url=http://127.0.0.1:9000,bucket=hls,accessKey=key-a,secretKey=secret-a",
                "SEGMENT_TARGET_DURATION", "2s",
                "HLS_PART_TARGET", "0s",
                "SEGMENTER_RECONNECT_GRACE", "10s"));
    Clock clock =
        new Clock() {
          @Override
          public Instant instant() {
            return now;
          }

          @Override
          public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }
        };
    return new IngestBatcher(
        config,
        new SegmenterMetrics(registry, () -> 0),
        clock,
        book,
        (key, data, contentType) -> {
          stored.put(key, data);
          return CompletableFuture.completedFuture(
              new StoredObject(key, List.of("mem"), data.length));
        });
  }

  @Test
  void process_wholeSession_queuesSegmentsThenStreamEnded_andCommitsPastTheEnd() throws Exception {
    IngestBatcher batcher = batcher();
    Batch batch = new Batch();

    long end = feedSession(batcher, batch, "cam", "s1", 10, "eof");

    List<SegmentEvent> events = batch.events.stream().map(Batch.Pending::event).toList();
    assertThat(events).last().isInstanceOf(StreamEnded.class);
    List<SegmentReady> segments =
        events.stream()
            .filter(SegmentReady.class::isInstance)
            .map(SegmentReady.class::cast)
            .toList();
    assertThat(segments).isNotEmpty();
    assertThat(segments).extracting(SegmentReady::msn).startsWith(0L, 1L);
    assertThat(stored)
        .containsKeys(segments.stream().map(SegmentReady::storageKey).toArray(String[]::new));
    assertThat(batch.offsets).containsExactly(Map.entry(P0, end + 1));
    assertThat(batch.states.get("cam").open()).isFalse();
    assertThat(book.open("cam")).isNull();
    assertThat(book.remembered("cam").nextMsn()).isEqualTo(segments.size());
  }

  @Test
  void process_whileSegmentOpen_commitOffsetStaysAtItsFirstRecord() throws Exception {
    IngestBatcher batcher = batcher();
    Batch batch = new Batch();
    batcher.process(P0, control(10, started("cam", "s1")), batch);
    batcher.process(P0, chunk(11, "cam", "s1", new byte[188 * 10]), batch);

    // a chunk of no keyframe cuts nothing: no event, the partition holds at PublishStarted
    assertThat(book.commitOffset(P0, 12)).isEqualTo(10);
  }

  @Test
  void process_whenRecordBeforeSkipPoint_skipsIt() throws Exception {
    IngestBatcher batcher = batcher();
    book.skipBefore(P0, "cam", 20);
    Batch batch = new Batch();

    batcher.process(P0, control(19, started("cam", "s1")), batch);
    assertThat(book.open("cam")).as("a session cut before the take-over").isNull();
    assertThat(registry.counter("hls.segmenter.chunks.skipped").count()).isEqualTo(1);

    batcher.process(P0, control(20, started("cam", "s2")), batch);
    assertThat(book.open("cam").segmenter().sessionId()).isEqualTo("s2");
  }

  @Test
  void process_whenPublisherDropsAndReturnsWithinGrace_continuesWithoutStreamEnded()
      throws Exception {
    IngestBatcher batcher = batcher();
    Batch batch = new Batch();
    long end = feedSession(batcher, batch, "cam", "s1", 10, "error");
    assertThat(book.awaitingStreams()).extracting(Awaiting::streamId).containsExactly("cam");
    long msn = book.remembered("cam").nextMsn();

    batcher.process(P0, control(end + 1, started("cam", "s2", STARTED.plusSeconds(8))), batch);

    assertThat(batch.events).noneMatch(p -> p.event() instanceof StreamEnded);
    assertThat(book.awaitingStreams()).isEmpty();
    assertThat(book.open("cam").segmenter().nextMsn()).isEqualTo(msn);
  }

  @Test
  void endAwaitedStreams_whenGraceRanOutAndCaughtUp_endsAtConsumerPosition() throws Exception {
    IngestBatcher batcher = batcher();
    feedSession(batcher, new Batch(), "cam", "s1", 10, "error");
    Batch batch = new Batch();
    now = Instant.parse("2026-01-01T13:00:00Z");

    // The partition was not read since its assignment: its position is the committed offset (900),
    // never a default such as 0.
    batcher.endAwaitedStreams(batch, positions(900, OptionalLong.of(0)));

    assertThat(batch.events)
        .singleElement()
        .extracting(Batch.Pending::event)
        .isInstanceOf(StreamEnded.class);
    assertThat(batch.offsets).containsExactly(Map.entry(P0, 900L));
    assertThat(book.awaitingStreams()).isEmpty();
  }

  @Test
  void endAwaitedStreams_whenLagUnknown_keepsAwaiting() throws Exception {
    IngestBatcher batcher = batcher();
    feedSession(batcher, new Batch(), "cam", "s1", 10, "error");
    Batch batch = new Batch();
    now = Instant.parse("2026-01-01T13:00:00Z");

    batcher.endAwaitedStreams(batch, positions(900, OptionalLong.empty()));

    assertThat(batch.isEmpty()).isTrue();
    assertThat(book.awaitingStreams()).hasSize(1);
  }

  @Test
  void process_segmentCut_carriesTheIngestTimeOfTheRecordThatCompletedIt() throws Exception {
    IngestBatcher batcher = batcher();
    Batch batch = new Batch();
    byte[] ts = Files.readAllBytes(SAMPLE);
    batcher.process(P0, control(10, started("cam", "s1")), batch);
    long offset = 11;
    int cutByChunks = 0;
    for (int at = 0; at < ts.length; at += CHUNK_BYTES, offset++) {
      byte[] data = Arrays.copyOfRange(ts, at, Math.min(ts.length, at + CHUNK_BYTES));
      Instant ingestTime = STARTED.plusSeconds(offset); // each record its own ingest time
      int before = batch.events.size();
      batcher.process(
          P0,
          record(
              offset,
              "cam",
              data,
              new IngestHeaders(IngestRecordKind.CHUNK, "s1", offset, ingestTime)),
          batch);
      for (Batch.Pending p : batch.events.subList(before, batch.events.size())) {
        if (p.event() instanceof SegmentReady) {
          assertThat(p.completedAt()).isEqualTo(ingestTime);
          cutByChunks++;
        }
      }
    }
    assertThat(cutByChunks).isPositive();

    Instant endedAt = STARTED.plusSeconds(offset);
    int before = batch.events.size();
    batcher.process(
        P0,
        record(
            offset,
            "cam",
            Serdes.ingestControl()
                .serialize(
                    Topics.INGEST.name(),
                    new IngestControl.PublishEnded(1, "cam", "s1", endedAt, "eof")),
            new IngestHeaders(IngestRecordKind.PUBLISH_ENDED, "s1", offset, endedAt)),
        batch);
    assertThat(batch.events.subList(before, batch.events.size()))
        .filteredOn(p -> p.event() instanceof SegmentReady)
        .as("the last segment, completed by PublishEnded")
        .isNotEmpty()
        .allSatisfy(p -> assertThat(p.completedAt()).isEqualTo(endedAt));
  }

  /** Feeds one whole session; returns the PublishEnded record's offset. */
  private long feedSession(
      IngestBatcher batcher,
      Batch batch,
      String streamId,
      String session,
      long first,
      String reason)
      throws Exception {
    byte[] ts = Files.readAllBytes(SAMPLE);
    batcher.process(P0, control(first, started(streamId, session)), batch);
    long offset = first + 1;
    for (int at = 0; at < ts.length; at += CHUNK_BYTES, offset++) {
      byte[] data = Arrays.copyOfRange(ts, at, Math.min(ts.length, at + CHUNK_BYTES));
      batcher.process(P0, chunk(offset, streamId, session, data), batch);
    }
    batcher.process(
        P0,
        control(
            offset,
            new IngestControl.PublishEnded(1, streamId, session, STARTED.plusSeconds(7), reason)),
        batch);
    return offset;
  }

  private static IngestControl.PublishStarted started(String streamId, String session) {
    return started(streamId, session, STARTED);
  }

  private static IngestControl.PublishStarted started(String streamId, String session, Instant at) {
    return new IngestControl.PublishStarted(1, streamId, session, at, "rtmp", false);
  }

  private static ConsumerRecord<String, byte[]> control(long offset, IngestControl control) {
    IngestRecordKind kind =
        control instanceof IngestControl.PublishStarted
            ? IngestRecordKind.PUBLISH_STARTED
            : IngestRecordKind.PUBLISH_ENDED;
    return record(
        offset,
        control.streamId(),
        Serdes.ingestControl().serialize(Topics.INGEST.name(), control),
        new IngestHeaders(kind, control.sessionId(), offset, STARTED));
  }

  private static ConsumerRecord<String, byte[]> chunk(
      long offset, String streamId, String session, byte[] data) {
    return record(
        offset,
        streamId,
        data,
        new IngestHeaders(IngestRecordKind.CHUNK, session, offset, STARTED));
  }

  private static ConsumerRecord<String, byte[]> record(
      long offset, String key, byte[] value, IngestHeaders headers) {
    return new ConsumerRecord<>(
        Topics.INGEST.name(),
        P0.partition(),
        offset,
        STARTED.toEpochMilli(),
        TimestampType.CREATE_TIME,
        -1,
        value.length,
        key,
        value,
        headers.toKafka(),
        Optional.empty());
  }

  private static IngestBatcher.Positions positions(long position, OptionalLong lag) {
    return new IngestBatcher.Positions() {
      @Override
      public long position(TopicPartition tp) {
        return position;
      }

      @Override
      public OptionalLong lag(TopicPartition tp) {
        return lag;
      }
    };
  }
}
