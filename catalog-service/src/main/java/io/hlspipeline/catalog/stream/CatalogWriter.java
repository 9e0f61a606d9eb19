package io.hlspipeline.catalog.stream;

import io.hlspipeline.catalog.store.CatalogStore;
import io.hlspipeline.events.StreamIds;
import io.hlspipeline.events.catalog.SegmentDto;
import io.hlspipeline.events.catalog.StreamDto;
import io.hlspipeline.events.catalog.StreamStatus;
import io.hlspipeline.events.segments.PartReady;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.segments.StreamEnded;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code hls.segments} events to the master record. Writes are upserts, so applying an
 * event twice is harmless; ordering rules keep a late event of an old session from overwriting a
 * newer one:
 *
 * <ul>
 *   <li>A SegmentReady is always stored as a segment row. It moves the stream row forward only when
 *       it is of the row's session and newer than its last msn, or of another session with a higher
 *       msn than the row's last msn (a new session started: the stream is LIVE again; if the row
 *       was still LIVE, a reconnect continued the stream and the previous session's row ends at the
 *       new session's first program-date-time).
 *   <li>A StreamEnded ends the stream when it is of the row's session, or of another session whose
 *       last msn is above the row's; a late one of an older session only closes that session's row.
 *   <li>PartReady events are not part of the master record.
 * </ul>
 *
 * <p>Segments are written before the stream row that points at them, so a reader never sees a last
 * msn whose segment is missing. Not thread-safe per stream: one stream's events must be applied in
 * order by one thread (Kafka Streams does this, one task per partition).
 */
public final class CatalogWriter {
  private static final Logger log = LoggerFactory.getLogger(CatalogWriter.class);

  private final CatalogStore store;

  public CatalogWriter(CatalogStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /**
   * Applies one event.
   *
   * @throws io.hlspipeline.catalog.store.StoreUnavailableException if the store failed; the event
   *     was then possibly applied in part and must be applied again
   */
  public ApplyOutcome apply(SegmentEvent event) {
    if (!StreamIds.isValid(event.streamId())) {
      log.warn("Skipping {}: invalid stream id", event.getClass().getSimpleName());
      return ApplyOutcome.REJECTED;
    }
    // Java 17: no pattern matching for switch yet; the sealed interface has exactly these three.
    if (event instanceof SegmentReady s) {
      return applySegment(s);
    }
    if (event instanceof StreamEnded e) {
      return applyEnded(e);
    }
    if (event instanceof PartReady) {
      return ApplyOutcome.IGNORED;
    }
    throw new IllegalStateException("unknown event type " + event.getClass());
  }

  private ApplyOutcome applySegment(SegmentReady s) {
    if (!StreamIds.isValid(s.rendition())) {
      log.warn("Skipping segment {} of {}: invalid rendition id", s.msn(), s.streamId());
      return ApplyOutcome.REJECTED;
    }
    Optional<StreamDto> current = store.findStream(s.streamId());
    store.upsertSegment(SegmentDto.from(s));
    if (current.isEmpty()
        || (!current.get().sessionId().equals(s.sessionId())
            && s.msn() > current.get().lastMsn())) {
      if (current.isPresent() && current.get().status() == StreamStatus.LIVE) {
        // A reconnect continued the stream (no StreamEnded between its sessions): the previous
        // session's recording ends where the new one starts.
        StreamDto previous = current.get();
        store.sessionEnded(
            s.streamId(), previous.sessionId(), s.programDateTime(), previous.lastMsn());
      }
      store.sessionStarted(s.streamId(), s.sessionId(), s.programDateTime(), s.msn());
      store.sessionProgressed(s.streamId(), s.sessionId(), s.msn());
      store.upsertStream(
          new StreamDto(
              s.streamId(),
              StreamStatus.LIVE,
              s.sessionId(),
              s.programDateTime(),
              null,
              s.msn(),
              s.targetDurationSec(),
              s.codecs(),
              s.width(),
              s.height(),
              List.of(s.rendition())));
      log.info("Stream {} is live, session {} from msn {}", s.streamId(), s.sessionId(), s.msn());
      return ApplyOutcome.APPLIED;
    }
    StreamDto row = current.get();
    if (!row.sessionId().equals(s.sessionId())) {
      log.info(
          "Late segment {} of {} from old session {} stored; stream row unchanged",
          s.msn(),
          s.streamId(),
          s.sessionId());
      return ApplyOutcome.STALE;
    }
    boolean newer = s.msn() > row.lastMsn();
    boolean newRendition = !row.renditions().contains(s.rendition());
    if (!newer && !newRendition) {
      // A replay or a duplicate: its segment row was rewritten with the same values.
      return ApplyOutcome.DUPLICATE;
    }
    List<String> renditions = new ArrayList<>(row.renditions());
    if (newRendition) {
      renditions.add(s.rendition());
    }
    if (newer) {
      store.sessionProgressed(s.streamId(), s.sessionId(), s.msn());
    }
    store.upsertStream(
        new StreamDto(
            row.streamId(),
            row.status(),
            row.sessionId(),
            row.startedAt(),
            row.endedAt(),
            Math.max(row.lastMsn(), s.msn()),
            newer ? s.targetDurationSec() : row.targetDurationSec(),
            newer ? s.codecs() : row.codecs(),
            newer ? s.width() : row.width(),
            newer ? s.height() : row.height(),
            renditions));
    return ApplyOutcome.APPLIED;
  }

  private ApplyOutcome applyEnded(StreamEnded e) {
    Optional<StreamDto> current = store.findStream(e.streamId());
    store.sessionEnded(e.streamId(), e.sessionId(), e.endedAt(), e.lastMsn());
    if (current.isEmpty()) {
      store.upsertStream(
          new StreamDto(
              e.streamId(),
              StreamStatus.ENDED,
              e.sessionId(),
              null,
              e.endedAt(),
              e.lastMsn(),
              0,
              "",
              0,
              0,
              List.of(e.rendition())));
      return ApplyOutcome.APPLIED;
    }
    StreamDto row = current.get();
    boolean sameSession = row.sessionId().equals(e.sessionId());
    if (!sameSession && e.lastMsn() <= row.lastMsn()) {
      log.info(
          "Late end of old session {} of {} ignored; stream stays in session {}",
          e.sessionId(),
          e.streamId(),
          row.sessionId());
      return ApplyOutcome.STALE;
    }
    if (sameSession
        && row.status() == StreamStatus.ENDED
        && e.endedAt().equals(row.endedAt())
        && e.lastMsn() <= row.lastMsn()) {
      return ApplyOutcome.DUPLICATE;
    }
    store.upsertStream(
        new StreamDto(
            row.streamId(),
            StreamStatus.ENDED,
            e.sessionId(),
            sameSession ? row.startedAt() : null,
            e.endedAt(),
            Math.max(row.lastMsn(), e.lastMsn()),
            row.targetDurationSec(),
            row.codecs(),
            row.width(),
            row.height(),
            row.renditions()));
    log.info("Stream {} ended, session {} at msn {}", e.streamId(), e.sessionId(), e.lastMsn());
    return ApplyOutcome.APPLIED;
  }
}
