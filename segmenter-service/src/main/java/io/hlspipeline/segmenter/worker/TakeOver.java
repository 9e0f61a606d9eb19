package io.hlspipeline.segmenter.worker;

import io.hlspipeline.events.Topics;
import io.hlspipeline.events.state.SegmenterState;
import io.hlspipeline.media.MalformedMediaException;
import io.hlspipeline.segmenter.SegmenterMetrics;
import io.hlspipeline.segmenter.stream.StreamSegmenter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Taking {@code hls.ingest} partitions over, in two pure steps the worker runs on assignment (and
 * after a refused commit, for the partitions it still holds): {@link #seekPlan} says where each
 * taken partition is read from, and {@link #restore} puts the streams of its {@code
 * hls.segmenter.state} records into the {@link PartitionBook}.
 */
final class TakeOver {
  private static final Logger log = LoggerFactory.getLogger(TakeOver.class);

  /** The two consumer calls a seek plan makes (a {@code KafkaConsumer}'s, in the worker). */
  interface Positions {
    void seek(TopicPartition tp, long offset);

    /**
     * As {@code KafkaConsumer.seekToBeginning}: an empty collection rewinds every assigned
     * partition.
     */
    void seekToBeginning(Collection<TopicPartition> partitions);
  }

  /**
   * Where the taken partitions are read from: {@code seeks} at their committed offsets, {@code
   * fromStart} (no committed offset) from their beginning. Partitions not taken (kept across a
   * cooperative rebalance) appear in neither and are not moved.
   */
  record SeekPlan(Map<TopicPartition, Long> seeks, List<TopicPartition> fromStart) {
    SeekPlan {
      seeks = Map.copyOf(seeks);
      fromStart = List.copyOf(fromStart);
    }

    /** Positions the consumer; never calls {@code seekToBeginning} with an empty collection. */
    void applyTo(Positions consumer) {
      seeks.forEach(consumer::seek);
      if (!fromStart.isEmpty()) {
        // An empty list would rewind every assigned partition, the ones kept too (KafkaConsumer).
        consumer.seekToBeginning(fromStart);
      }
    }
  }

  /** What {@link #restore} found: stream states read, sessions resumed. */
  record Restored(int states, int resumed) {}

  private TakeOver() {}

  /**
   * The positions of the taken partitions: a partition with a committed offset (the minimum resume
   * offset over its open streams, as the last transactions set it) is read from exactly there; only
   * a partition without one (never committed by the group) is read from its beginning.
   *
   * @param taken the partitions taken over (only those: not the ones kept)
   * @param committed the group's committed offsets of {@code taken}; a missing or null entry means
   *     none
   */
  static SeekPlan seekPlan(
      Collection<TopicPartition> taken, Map<TopicPartition, OffsetAndMetadata> committed) {
    Map<TopicPartition, Long> seeks = new LinkedHashMap<>();
    List<TopicPartition> fromStart = new ArrayList<>();
    for (TopicPartition tp : taken) {
      OffsetAndMetadata o = committed.get(tp);
      if (o == null) {
        fromStart.add(tp);
      } else {
        seeks.put(tp, o.offset());
      }
    }
    return new SeekPlan(seeks, fromStart);
  }

  /**
   * Restores the streams of the taken partitions from their last states (read after the committed
   * offsets were resolved): every stream's numbering is remembered and its records before its
   * state's offset are skipped; a stream that awaits a reconnect awaits it again; an open session
   * with a cutter state resumes its cutter at its exact resume point (its partition's commit offset
   * stays at or below that point). A session that cannot resume is counted as malformed and left
   * closed. The partitions must be owned by {@code book} already.
   */
  static Restored restore(
      Map<String, SegmenterState> states,
      PartitionBook book,
      Duration segmentTarget,
      Duration partTarget,
      SegmenterMetrics metrics) {
    int resumed = 0;
    for (SegmenterState state : states.values()) {
      TopicPartition tp = new TopicPartition(Topics.INGEST.name(), state.ingestPartition());
      book.remember(
          state.streamId(),
          new PartitionBook.Remembered(state.nextMsn(), state.discontinuitySequence()));
      book.skipBefore(tp, state.streamId(), state.ingestOffset());
      if (!state.open() && state.graceUntil() != null) {
        // its publisher dropped: keep awaiting the reconnect, or end the stream at the same instant
        book.await(new Awaiting(tp, state));
        continue;
      }
      if (!state.open() || state.cutterState() == null) {
        continue;
      }
      MDC.put("streamId", state.streamId());
      try {
        StreamSegmenter segmenter = StreamSegmenter.resume(state, segmentTarget, partTarget);
        book.opened(new OpenStream(segmenter, tp), state.ingestOffset());
        resumed++;
        log.info(
            "session {} resumed at offset {} byte {} msn {}",
            state.sessionId(),
            state.ingestOffset(),
            state.bytePosition(),
            state.nextMsn());
      } catch (MalformedMediaException | IllegalArgumentException e) {
        metrics.malformed();
        log.warn("cannot resume session {}: {}", state.sessionId(), e.getMessage());
      } finally {
        MDC.remove("streamId");
      }
    }
    return new Restored(states.size(), resumed);
  }
}
