package io.hlspipeline.events.ingest;

import io.hlspipeline.events.StreamIds;
import java.time.Instant;
import java.util.Objects;

/**
 * A publish session that a newer one replaced while it had not ended, as the compacted topic {@code
 * hls.ingest.superseded} holds it (key = stream id). Written by the segmenter, which sees a
 * stream's sessions in order on its {@code hls.ingest} partition; every ingest replica follows the
 * topic and the one holding {@code sessionId} ends it ({@code PublishEnded} reason {@code
 * replaced}) and disconnects its publisher. Its chunks are dropped by the segmenter already, so two
 * encoders never interleave in one stream.
 *
 * @param v schema version ({@link #SCHEMA_VERSION})
 * @param streamId the stream
 * @param sessionId the session to stop
 * @param supersededBy the session that replaced it
 * @param at the newer session's start (its {@code PublishStarted.startedAt})
 */
public record SessionSuperseded(
    int v, String streamId, String sessionId, String supersededBy, Instant at) {
  public static final int SCHEMA_VERSION = 1;

  public SessionSuperseded {
    StreamIds.requireValid(streamId);
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(supersededBy, "supersededBy");
    Objects.requireNonNull(at, "at");
  }
}
