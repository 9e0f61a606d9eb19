package io.hlspipeline.events.state;

import java.time.Instant;
import java.util.Objects;

/**
 * A stream's resume point in the compacted {@code hls.segmenter.state} topic (key = stream id).
 *
 * @param v schema version
 * @param streamId the stream
 * @param sessionId the publish session in progress, or the last one
 * @param sessionStartedAt wall time the session started (program-date-time origin)
 * @param ingestOffset offset in the stream's {@code hls.ingest} partition of the first record the
 *     next segment needs
 * @param bytePosition byte position within the session's MPEG-TS where the next segment starts
 * @param nextMsn msn the next segment gets
 * @param discontinuitySequence current discontinuity sequence
 * @param open true while the session is publishing
 */
public record SegmenterState(
    int v,
    String streamId,
    String sessionId,
    Instant sessionStartedAt,
    long ingestOffset,
    long bytePosition,
    long nextMsn,
    long discontinuitySequence,
    boolean open) {
  public static final int SCHEMA_VERSION = 1;

  public SegmenterState {
    Objects.requireNonNull(streamId, "streamId");
  }
}
