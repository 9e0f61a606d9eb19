package io.hlspipeline.catalog.store;

import java.time.Instant;
import java.util.Objects;

/**
 * One publish session of a stream: a recording.
 *
 * @param startedAt wall time of its first segment, null if its start was never seen
 * @param endedAt when it ended, null while live (or if its end was never seen)
 * @param firstMsn msn of its first segment, -1 if unknown
 * @param lastMsn msn of its newest segment, -1 if none
 */
public record SessionRecord(
    String streamId,
    String sessionId,
    Instant startedAt,
    Instant endedAt,
    long firstMsn,
    long lastMsn) {
  public SessionRecord {
    Objects.requireNonNull(streamId, "streamId");
    Objects.requireNonNull(sessionId, "sessionId");
  }
}
