package io.hlspipeline.segmenter.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.StreamIds;
import io.hlspipeline.events.Topics;
import io.hlspipeline.events.ingest.SessionSuperseded;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentFormat;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.segments.StreamEnded;
import io.hlspipeline.segmenter.SegmenterMetrics;
import io.hlspipeline.storage.StorageException;
import io.hlspipeline.storage.StoredObject;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The batch's transaction against Kafka's in-memory producer (no broker: the rules only). */
class BatchTransactionTest {
  private static final TopicPartition P0 = new TopicPartition(Topics.INGEST.name(), 0);
  private static final ConsumerGroupMetadata GROUP = new ConsumerGroupMetadata("hls-segmenter");
  private static final Instant AT = Instant.parse("2026-01-01T12:00:00Z");

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final BatchTransaction transaction =
      new BatchTransaction(new SegmenterMetrics(registry, () -> 0));
  private MockProducer<String, byte[]> producer;

  @BeforeEach
  void producer() {
    producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    producer.initTransactions();
  }

  @Test
  void commit_whenBatchEmpty_beginsNoTransaction() throws Exception {
    transaction.commit(new Batch(), producer, GROUP);

    assertThat(producer.transactionInFlight()).isFalse();
    assertThat(producer.commitCount()).isZero();
  }

  @Test
  void commit_publishesEventsWithServers_statesSupersededAndOffsets_inOneTransaction()
      throws Exception {
    Batch batch = new Batch();
    batch.events.add(
        new Batch.Pending(
            segment(0),
            CompletableFuture.completedFuture(
                new StoredObject("seg-0", List.of("s3-0", "s3-1"), 10)),
            null));
    batch.events.add(new Batch.Pending(ended(), null, null));
    batch.states.put("cam", PartitionBookTest.closedState("cam", 0, 30, null));
    batch.superseded.add(
        new SessionSuperseded(SessionSuperseded.SCHEMA_VERSION, "cam", "s1", "s2", AT));
    batch.offsets.put(P0, 31L);

    transaction.commit(batch, producer, GROUP);

    assertThat(producer.commitCount()).isEqualTo(1);
    List<ProducerRecord<String, byte[]>> sent = producer.history();
    assertThat(sent)
        .extracting(ProducerRecord::topic)
        .containsExactly(
            Topics.SEGMENTS.name(),
            Topics.SEGMENTS.name(),
            Topics.SEGMENTER_STATE.name(),
            Topics.INGEST_SUPERSEDED.name());
    SegmentEvent first =
        Serdes.segmentEvent().deserialize(Topics.SEGMENTS.name(), sent.get(0).value());
    assertThat(((SegmentReady) first).servers()).containsExactly("s3-0", "s3-1");
    assertThat(producer.consumerGroupOffsetsHistory())
        .containsExactly(Map.of("hls-segmenter", Map.of(P0, new OffsetAndMetadata(31))));
    assertThat(registry.counter("hls.segmenter.segments").count()).isEqualTo(1);
  }

  @Test
  void commit_timesEachSegmentFromTheIngestTimeThatCompletedIt_toTheCommit() throws Exception {
    BatchTransaction timed =
        new BatchTransaction(
            new SegmenterMetrics(registry, () -> 0),
            Clock.fixed(AT.plusMillis(1500), ZoneOffset.UTC));
    Batch batch = new Batch();
    batch.events.add(new Batch.Pending(segment(0), stored(0), null, AT));
    // ingest's clock ahead of this worker's: counted as zero, not dropped
    batch.events.add(new Batch.Pending(segment(1), stored(1), null, AT.plusSeconds(5)));
    // closed by the idle timeout: no record completed it, not timed
    batch.events.add(new Batch.Pending(segment(2), stored(2), null, null));
    batch.events.add(new Batch.Pending(ended(), null, null, AT));
    batch.offsets.put(P0, 31L);

    timed.commit(batch, producer, GROUP);

    Timer latency = registry.get("hls.segmenter.segment.ready.latency").timer();
    assertThat(latency.count()).isEqualTo(2);
    assertThat(latency.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(1500);
    assertThat(latency.max(TimeUnit.MILLISECONDS)).isEqualTo(1500);
  }

  @Test
  void commit_whenRefused_timesNoSegment() {
    producer.commitTransactionException = new ProducerFencedException("fenced");
    BatchTransaction timed =
        new BatchTransaction(
            new SegmenterMetrics(registry, () -> 0),
            Clock.fixed(AT.plusMillis(1500), ZoneOffset.UTC));
    Batch batch = new Batch();
    batch.events.add(new Batch.Pending(segment(0), stored(0), null, AT));
    batch.offsets.put(P0, 31L);

    assertThatThrownBy(() -> timed.commit(batch, producer, GROUP))
        .isInstanceOf(ProducerFencedException.class);
    assertThat(registry.get("hls.segmenter.segment.ready.latency").timer().count()).isZero();
  }

  private static CompletableFuture<StoredObject> stored(long msn) {
    return CompletableFuture.completedFuture(new StoredObject("seg-" + msn, List.of("s3-0"), 10));
  }

  @Test
  void commit_whenUploadFailed_throwsItsCause_andBeginsNoTransaction() {
    Batch batch = new Batch();
    batch.events.add(
        new Batch.Pending(
            segment(0),
            CompletableFuture.failedFuture(new StorageException("no server took it", null)),
            null));
    batch.offsets.put(P0, 31L);

    assertThatThrownBy(() -> transaction.commit(batch, producer, GROUP))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("no server took it");
    assertThat(producer.history()).isEmpty();
    assertThat(producer.transactionInFlight()).isFalse();
    assertThat(producer.commitCount()).isZero();
  }

  @Test
  void commit_whenCommitRefused_abortsAndThrows_nothingVisible() {
    producer.commitTransactionException = new ProducerFencedException("fenced");
    Batch batch = new Batch();
    batch.events.add(new Batch.Pending(ended(), null, null));
    batch.offsets.put(P0, 31L);

    assertThatThrownBy(() -> transaction.commit(batch, producer, GROUP))
        .isInstanceOf(ProducerFencedException.class);
    assertThat(producer.transactionAborted()).isTrue();
    assertThat(producer.transactionCommitted()).isFalse();
    assertThat(producer.history()).as("committed records").isEmpty();
  }

  @Test
  void commit_whenAbortFailsToo_keepsAbortFailureAsSuppressed() {
    producer.sendOffsetsToTransactionException = new IllegalStateException("generation moved");
    producer.abortTransactionException = new IllegalStateException("abort failed");
    Batch batch = new Batch();
    batch.offsets.put(P0, 31L);

    assertThatThrownBy(() -> transaction.commit(batch, producer, GROUP))
        .hasMessage("generation moved")
        .satisfies(
            e ->
                assertThat(e.getSuppressed())
                    .extracting(Throwable::getMessage)
                    .containsExactly("abort failed"));
  }

  @Test
  void full_whenSegmentAndEarlyCommitUploads_orMaxUploads() {
    Batch batch = new Batch();
    batch.uploads = Batch.EARLY_COMMIT_UPLOADS;
    assertThat(batch.full()).as("parts only").isFalse();
    batch.hasSegment = true;
    assertThat(batch.full()).isTrue();
    Batch parts = new Batch();
    parts.uploads = Batch.MAX_BATCH_UPLOADS;
    assertThat(parts.full()).isTrue();
  }

  @Test
  void withServers_keepsEventFieldsAndSetsServers() {
    SegmentReady ready = segment(3);

    SegmentReady withServers =
        (SegmentReady) BatchTransaction.withServers(ready, List.of("s3-1"), null);

    assertThat(withServers.servers()).containsExactly("s3-1");
    assertThat(withServers).usingRecursiveComparison().ignoringFields("servers").isEqualTo(ready);
    assertThat(BatchTransaction.withServers(ready, null, null)).isSameAs(ready);
  }

  private static SegmentReady segment(long msn) {
    return new SegmentReady(
        SegmentEvent.SCHEMA_VERSION,
        "cam",
        StreamIds.SOURCE_RENDITION,
        "s1",
        msn,
        2_000_000,
        90_000,
        AT,
        0,
        false,
        2,
        "avc1.64001f",
        1280,
        720,
        10,
        "seg-" + msn,
        List.of(),
        SegmentFormat.TS,
        null,
        null);
  }

  private static StreamEnded ended() {
    return new StreamEnded(
        SegmentEvent.SCHEMA_VERSION, "cam", StreamIds.SOURCE_RENDITION, "s1", 0, AT);
  }
}
