package io.hlspipeline.events.segments;

import java.time.Instant;
import java.util.Objects;

/**
 * A publish session ended and its last segment is stored: live playlists get EXT-X-ENDLIST.
 *
 * @param lastMsn msn of the session's last segment, -1 if it produced none
 */
public record StreamEnded(
    int v, String streamId, String rendition, String sessionId, long lastMsn, Instant endedAt)
    implements SegmentEvent {
  public StreamEnded {
    Objects.requireNonNull(streamId, "streamId");
    Objects.requireNonNull(rendition, "rendition");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(endedAt, "endedAt");
  }
}
