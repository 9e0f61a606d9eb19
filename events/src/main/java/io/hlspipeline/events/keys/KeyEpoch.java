package io.hlspipeline.events.keys;

import io.hlspipeline.events.StreamIds;
import java.time.Instant;
import java.util.Objects;

/**
 * A stream's stream-key epoch, as the compacted topic {@code hls.keys.epochs} holds it (key =
 * stream id, the newest record wins): keys signed with an older epoch are revoked. Written by
 * ingest-service's admin endpoint, read by every ingest replica.
 *
 * @param v schema version ({@link #SCHEMA_VERSION})
 * @param streamId the stream
 * @param epoch the epoch keys must be signed with, at least 1
 * @param setAt when it was set
 */
public record KeyEpoch(int v, String streamId, long epoch, Instant setAt) {
  public static final int SCHEMA_VERSION = 1;

  public KeyEpoch {
    StreamIds.requireValid(streamId);
    Objects.requireNonNull(setAt, "setAt");
    if (epoch < 1) {
      throw new IllegalArgumentException("key epoch must be at least 1, got " + epoch);
    }
  }
}
