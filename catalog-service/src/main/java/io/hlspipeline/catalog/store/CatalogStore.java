package io.hlspipeline.catalog.store;

import io.hlspipeline.events.catalog.SegmentDto;
import io.hlspipeline.events.catalog.StreamDto;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The master record: one row per stream, one per segment, one per publish session. Every write is
 * an idempotent upsert keyed by its natural key (a replay of the same write changes nothing), so
 * the writer may be retried after any failure.
 *
 * <p>Implementations are thread-safe. Failures of the backing database surface as {@link
 * StoreUnavailableException}; a caller should retry later rather than drop the write.
 */
public interface CatalogStore {

  /** The stream's row, empty if the catalog never saw the stream. */
  Optional<StreamDto> findStream(String streamId);

  /** Up to {@code limit} streams in no particular order. */
  List<StreamDto> listStreams(int limit);

  /** Creates or replaces the stream's row (keyed by stream id). */
  void upsertStream(StreamDto stream);

  /** Creates or replaces the segment's row (keyed by stream, rendition and msn). */
  void upsertSegment(SegmentDto segment);

  /** Records that {@code sessionId} started at {@code startedAt} with segment {@code firstMsn}. */
  void sessionStarted(String streamId, String sessionId, Instant startedAt, long firstMsn);

  /** Records the newest segment of {@code sessionId}. */
  void sessionProgressed(String streamId, String sessionId, long lastMsn);

  /** Records that {@code sessionId} ended; {@code lastMsn} -1 if it produced no segment. */
  void sessionEnded(String streamId, String sessionId, Instant endedAt, long lastMsn);

  /** The stream's publish sessions, ordered by session id. */
  List<SessionRecord> sessions(String streamId);

  /**
   * Segments of one rendition in msn order, starting at the first one at or after {@code fromMsn}.
   *
   * @param limit most segments to return, at least 1
   * @param lastMsn the stream's newest msn (from its row): reading stops there
   */
  SegmentPage segments(String streamId, String rendition, long fromMsn, int limit, long lastMsn);

  /**
   * The segment of one rendition whose [start, start + duration) holds {@code t}, empty if none
   * does. Reads O(1) partitions.
   */
  Optional<SegmentDto> segmentAt(String streamId, String rendition, Instant t);

  /**
   * The msn of the first segment of one rendition that ends after {@code t} (the one holding t, or
   * else the next one to start), -1 if there is none. Reads O(1) partitions.
   */
  long firstMsnEndingAfter(String streamId, String rendition, Instant t);

  /**
   * Up to {@code limit} sessions of any stream that ended before {@code cutoff}, in no particular
   * order. Scans the whole sessions table (one row per recording): for periodic retention sweeps,
   * not for requests.
   */
  List<SessionRecord> sessionsEndedBefore(Instant cutoff, int limit);

  /**
   * Deletes a recording from the master record: its segment rows in {@code renditions} (msn {@code
   * firstMsn..lastMsn}) with their time-index rows, then its session row, so that a crash half-way
   * leaves the session listed and a later call finishes the job. Idempotent.
   */
  void deleteSession(SessionRecord session, List<String> renditions);

  /** True while the store can serve reads and writes, as far as it knows. */
  boolean isAvailable();
}
