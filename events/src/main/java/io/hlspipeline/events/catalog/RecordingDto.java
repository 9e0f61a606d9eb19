package io.hlspipeline.events.catalog;

import java.time.Instant;
import java.util.Objects;

/**
 * One recording of a stream: one publish session.
 *
 * @param id the publish session's id
 * @param started wall time of its first segment, null if never seen
 * @param ended when it ended, null while live
 * @param durationSeconds ended − started, or now − started while live; 0 if started is null
 * @param segments segments it holds (first to newest msn), 0 if none
 * @param firstMsn msn of its first segment, -1 if unknown
 * @param lastMsn msn of its newest segment, -1 if none
 */
public record RecordingDto(
    String id,
    Instant started,
    Instant ended,
    double durationSeconds,
    long segments,
    long firstMsn,
    long lastMsn) {
  public RecordingDto {
    Objects.requireNonNull(id, "id");
    if (durationSeconds < 0 || Double.isNaN(durationSeconds) || segments < 0) {
      throw new IllegalArgumentException(
          "durationSeconds " + durationSeconds + ", segments " + segments);
    }
  }
}
