package io.hlspipeline.segmenter.worker;

import io.hlspipeline.events.ingest.SessionSuperseded;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.state.SegmenterState;
import io.hlspipeline.segmenter.stream.StreamSegmenter;
import io.hlspipeline.storage.StoredObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.common.TopicPartition;

/**
 * What one transaction publishes ({@link BatchTransaction}): the events in cut order with the
 * uploads whose servers they name, the latest state of each stream that changed, each partition's
 * offset to commit, the superseded sessions, and the init segments uploaded. Not thread-safe.
 */
final class Batch {
  /**
   * A batch is committed early, after the record that completed it, once it holds a segment and
   * this many uploads: a backlog (a take-over's catch-up) is then published about a segment at a
   * time, as before batching, instead of holding the first segment back for a whole poll's uploads;
   * a live poll (a few parts) stays one transaction.
   */
  static final int EARLY_COMMIT_UPLOADS = 8;

  /** Uploads a batch holds at most before it is committed (memory bound). */
  static final int MAX_BATCH_UPLOADS = 64;

  /**
   * An event of the batch and the uploads whose servers it names (null when none); for a
   * SegmentReady, {@code completedAt} is the ingest time ({@code hls-ingest-time}) of the record
   * that completed the segment (null: none, e.g. closed by the idle timeout), for its ready
   * latency.
   */
  record Pending(
      SegmentEvent event,
      Future<StoredObject> object,
      Future<StoredObject> init,
      Instant completedAt) {
    Pending(SegmentEvent event, Future<StoredObject> object, Future<StoredObject> init) {
      this(event, object, init, null);
    }
  }

  final List<Pending> events = new ArrayList<>();
  final Map<String, SegmenterState> states = new LinkedHashMap<>();
  final Map<TopicPartition, Long> offsets = new HashMap<>();
  // Older sessions a newer one replaced while they had not ended: ingest stops their publishers.
  final List<SessionSuperseded> superseded = new ArrayList<>();
  // Init segments uploaded in this batch, per stream: their servers reach the stream after commit.
  final Map<StreamSegmenter, Future<StoredObject>> inits = new HashMap<>();
  int uploads;
  boolean hasSegment;

  /** True when the batch should be committed now rather than at the end of its poll. */
  boolean full() {
    return uploads >= MAX_BATCH_UPLOADS || hasSegment && uploads >= EARLY_COMMIT_UPLOADS;
  }

  /** True when committing it would publish nothing (no transaction is begun for it). */
  boolean isEmpty() {
    return events.isEmpty() && states.isEmpty() && offsets.isEmpty() && superseded.isEmpty();
  }
}
