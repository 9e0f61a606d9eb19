package io.hlspipeline.events.catalog;

import java.time.Instant;
import java.util.List;

/**
 * The master record of a stream.
 *
 * @param status LIVE while a session publishes
 * @param sessionId the current (or last) publish session
 * @param startedAt the current session's start wall time
 * @param endedAt when it ended, null while live
 * @param lastMsn msn of the newest segment, -1 if none
 * @param targetDurationSec the session's EXT-X-TARGETDURATION, 0 if no segment yet
 * @param renditions rendition ids
 */
public record StreamDto(
    String streamId,
    StreamStatus status,
    String sessionId,
    Instant startedAt,
    Instant endedAt,
    long lastMsn,
    int targetDurationSec,
    String codecs,
    int width,
    int height,
    List<String> renditions) {
  public StreamDto {
    renditions = renditions == null ? List.of() : List.copyOf(renditions);
  }
}
