package io.hlspipeline.catalog.http;

import io.hlspipeline.catalog.store.SessionRecord;
import io.hlspipeline.events.catalog.RecordingDto;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/** Publish sessions as recordings: one recording per session, newest first. */
final class Recordings {
  /** Newest first; sessions whose start was never seen go last, then by id for a stable order. */
  private static final Comparator<SessionRecord> NEWEST_FIRST =
      Comparator.comparing(
              SessionRecord::startedAt, Comparator.nullsFirst(Comparator.<Instant>naturalOrder()))
          .thenComparing(SessionRecord::sessionId)
          .reversed();

  private Recordings() {}

  /**
   * The recordings of {@code sessions}, newest first.
   *
   * @param now the end of a live recording's duration
   */
  static List<RecordingDto> of(List<SessionRecord> sessions, Instant now) {
    return sessions.stream().sorted(NEWEST_FIRST).map(s -> of(s, now)).toList();
  }

  /** One session as a recording; a duration never goes negative (clock skew gives 0). */
  static RecordingDto of(SessionRecord s, Instant now) {
    double durationSeconds = 0;
    if (s.startedAt() != null) {
      Instant end = s.endedAt() != null ? s.endedAt() : now;
      Duration d = Duration.between(s.startedAt(), end);
      durationSeconds = d.isNegative() ? 0 : d.toNanos() / 1e9;
    }
    long segments =
        s.firstMsn() >= 0 && s.lastMsn() >= s.firstMsn() ? s.lastMsn() - s.firstMsn() + 1 : 0;
    return new RecordingDto(
        s.sessionId(),
        s.startedAt(),
        s.endedAt(),
        durationSeconds,
        segments,
        s.firstMsn(),
        segments > 0 ? s.lastMsn() : -1);
  }
}
