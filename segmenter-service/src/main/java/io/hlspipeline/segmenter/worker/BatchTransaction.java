package io.hlspipeline.segmenter.worker;

import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.Topics;
import io.hlspipeline.events.ingest.SessionSuperseded;
import io.hlspipeline.events.segments.PartReady;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.state.SegmenterState;
import io.hlspipeline.segmenter.SegmenterMetrics;
import io.hlspipeline.segmenter.stream.StreamSegmenter;
import io.hlspipeline.storage.StoredObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Publishes a {@link Batch} in one Kafka transaction, after its objects are stored: waits for every
 * upload, then sends its events (with the servers that took each object) to {@code hls.segments},
 * its states to {@code hls.segmenter.state}, its superseded sessions to {@code
 * hls.ingest.superseded}, and its offsets with the consumer-group metadata (KIP-447: a worker that
 * lost the partition is refused), and commits. So no event is visible before the object it names,
 * and a batch is visible whole or not at all.
 */
final class BatchTransaction {
  private static final Logger log = LoggerFactory.getLogger(BatchTransaction.class);

  private final SegmenterMetrics metrics;
  private final Clock clock;

  BatchTransaction(SegmenterMetrics metrics) {
    this(metrics, Clock.systemUTC());
  }

  /**
   * @param clock read once a transaction is committed, for its segments' ready latency
   */
  BatchTransaction(SegmenterMetrics metrics, Clock clock) {
    this.metrics = metrics;
    this.clock = clock;
  }

  /**
   * Commits the batch; an empty batch begins no transaction. A failed upload throws before the
   * transaction begins; a Kafka failure aborts it (an abort failure is added as suppressed) and
   * throws. Either way nothing of the batch is visible; the caller resumes from the committed
   * offsets. Once committed, the streams learn the servers of their init segments.
   */
  void commit(Batch batch, Producer<String, byte[]> producer, ConsumerGroupMetadata group)
      throws Exception {
    if (batch.isEmpty()) {
      return;
    }
    long startNanos = System.nanoTime();
    List<SegmentEvent> events = new ArrayList<>(batch.events.size());
    for (Batch.Pending p : batch.events) {
      List<String> servers = p.object() == null ? null : await(p.object()).servers();
      List<String> initServers = p.init() == null ? null : await(p.init()).servers();
      events.add(withServers(p.event(), servers, initServers));
    }
    for (Future<StoredObject> init : batch.inits.values()) {
      await(init);
    }
    long uploadedNanos = System.nanoTime();
    producer.beginTransaction();
    try {
      for (SegmentEvent event : events) {
        producer.send(
            new ProducerRecord<>(
                Topics.SEGMENTS.name(),
                event.streamId(),
                Serdes.segmentEvent().serialize(Topics.SEGMENTS.name(), event)));
      }
      for (SegmenterState state : batch.states.values()) {
        producer.send(
            new ProducerRecord<>(
                Topics.SEGMENTER_STATE.name(),
                state.streamId(),
                Serdes.segmenterState().serialize(Topics.SEGMENTER_STATE.name(), state)));
      }
      for (SessionSuperseded superseded : batch.superseded) {
        producer.send(
            new ProducerRecord<>(
                Topics.INGEST_SUPERSEDED.name(),
                superseded.streamId(),
                Serdes.sessionSuperseded().serialize(Topics.INGEST_SUPERSEDED.name(), superseded)));
      }
      if (!batch.offsets.isEmpty()) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        batch.offsets.forEach((tp, offset) -> offsets.put(tp, new OffsetAndMetadata(offset)));
        producer.sendOffsetsToTransaction(offsets, group);
      }
      producer.commitTransaction();
    } catch (RuntimeException e) {
      try {
        producer.abortTransaction();
      } catch (RuntimeException abortFailure) {
        e.addSuppressed(abortFailure);
      }
      throw e;
    }
    recordReadyLatencies(batch);
    for (Map.Entry<StreamSegmenter, Future<StoredObject>> init : batch.inits.entrySet()) {
      StoredObject stored = init.getValue().get();
      init.getKey().initStored(stored.key(), stored.servers());
      log.info("init segment {} stored", stored.key());
    }
    logCommitted(batch, events);
    log.debug(
        "batch: {} events, {} uploads in {} ms, committed in {} ms",
        events.size(),
        batch.uploads,
        (uploadedNanos - startNanos) / 1_000_000,
        (System.nanoTime() - uploadedNanos) / 1_000_000);
  }

  /** Each committed SegmentReady's latency from the ingest time of the record that completed it. */
  private void recordReadyLatencies(Batch batch) {
    Instant committedAt = clock.instant();
    for (Batch.Pending p : batch.events) {
      if (p.event() instanceof SegmentReady && p.completedAt() != null) {
        metrics.segmentReady(Duration.between(p.completedAt(), committedAt));
      }
    }
  }

  private void logCommitted(Batch batch, List<SegmentEvent> events) {
    int parts = 0;
    for (SegmentEvent event : events) {
      if (event instanceof PartReady) {
        parts++;
      } else if (event instanceof SegmentReady ready) {
        metrics.segmentPublished();
        MDC.put("streamId", ready.streamId());
        log.info(
            "segment msn {} ({} us, {} bytes) published as {}",
            ready.msn(),
            ready.durationUs(),
            ready.sizeBytes(),
            ready.storageKey());
        MDC.remove("streamId");
      }
    }
    metrics.partsPublished(parts);
    for (SessionSuperseded superseded : batch.superseded) {
      MDC.put("streamId", superseded.streamId());
      log.info(
          "session {} superseded by {}: its ingest replica is told to stop it",
          superseded.sessionId(),
          superseded.supersededBy());
      MDC.remove("streamId");
    }
  }

  private static StoredObject await(Future<StoredObject> upload) throws Exception {
    try {
      return upload.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /** The event with the servers its uploads went to ({@code null}: unchanged). */
  static SegmentEvent withServers(
      SegmentEvent event, List<String> servers, List<String> initServers) {
    if (servers == null && initServers == null) {
      return event;
    }
    if (event instanceof SegmentReady r) {
      return new SegmentReady(
          r.v(),
          r.streamId(),
          r.rendition(),
          r.sessionId(),
          r.msn(),
          r.durationUs(),
          r.startPts90k(),
          r.programDateTime(),
          r.discontinuitySequence(),
          r.discontinuity(),
          r.targetDurationSec(),
          r.codecs(),
          r.width(),
          r.height(),
          r.sizeBytes(),
          r.storageKey(),
          servers == null ? r.servers() : servers,
          r.segmentFormat(),
          r.initKey(),
          initServers == null ? r.initServers() : initServers);
    }
    if (event instanceof PartReady p) {
      return new PartReady(
          p.v(),
          p.streamId(),
          p.rendition(),
          p.sessionId(),
          p.msn(),
          p.partIndex(),
          p.durationUs(),
          p.independent(),
          p.sizeBytes(),
          p.storageKey(),
          servers == null ? p.servers() : servers,
          p.partTargetUs(),
          p.startPts90k(),
          p.programDateTime(),
          p.discontinuitySequence(),
          p.discontinuity(),
          p.targetDurationSec(),
          p.segmentFormat(),
          p.initKey(),
          initServers == null ? p.initServers() : initServers);
    }
    return event;
  }
}
