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
 * @param ingestPartition the stream's {@code hls.ingest} partition; null in records written before
 *     exact resume (schema 1 without it)
 * @param recordBytePosition session byte position of the first byte of the record at {@code
 *     ingestOffset}: a resume skips {@code bytePosition − recordBytePosition} bytes of it
 * @param cutterBaseBytes session byte position the cutter's input offset 0 maps to (it moves when a
 *     cutter is reset after malformed media)
 * @param cutterState the cutter's resume state at {@code bytePosition}, base64 of the media
 *     cutter's own versioned encoding; null when there is none (a resume then cannot be exact)
 * @param sessionFirstPts90k unwrapped PTS of the session's first segment (program-date-time
 *     origin), null before the first segment
 * @param targetDurationSec the session's EXT-X-TARGETDURATION so far, 0 before the first segment
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
    boolean open,
    Integer ingestPartition,
    long recordBytePosition,
    long cutterBaseBytes,
    String cutterState,
    Long sessionFirstPts90k,
    int targetDurationSec) {
  public static final int SCHEMA_VERSION = 1;

  public SegmenterState {
    Objects.requireNonNull(streamId, "streamId");
  }

  /** A state without the exact-resume fields (as written before they existed). */
  public SegmenterState(
      int v,
      String streamId,
      String sessionId,
      Instant sessionStartedAt,
      long ingestOffset,
      long bytePosition,
      long nextMsn,
      long discontinuitySequence,
      boolean open) {
    this(
        v,
        streamId,
        sessionId,
        sessionStartedAt,
        ingestOffset,
        bytePosition,
        nextMsn,
        discontinuitySequence,
        open,
        null,
        0,
        0,
        null,
        null,
        0);
  }
}
