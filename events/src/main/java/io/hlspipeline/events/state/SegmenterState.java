package io.hlspipeline.events.state;

import io.hlspipeline.events.segments.SegmentFormat;
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
 * @param pdtAnchorAt wall time of the program-date-time anchor (the session start, or the
 *     re-anchored wall time of the last discontinuity); null before the first segment and in
 *     records written before re-anchoring existed
 * @param pdtAnchorPts90k unwrapped PTS at {@code pdtAnchorAt}; null as {@code pdtAnchorAt}
 * @param pdtEndOfLast program-date-time plus duration of the last segment described (the floor of
 *     the next one's); null before the first segment
 * @param segmentFormat the session's segment container; null in records written before schema 2
 *     (MPEG-TS)
 * @param initKey object key of the last fMP4 init segment stored for the session (a segment needing
 *     another one starts a discontinuity); null for TS or before the first segment
 * @param graceUntil set when the session ended without its publisher saying so ({@code open}
 *     false): the stream awaits a reconnect until this instant, and a {@code PublishStarted} of the
 *     stream started at or before it continues the stream; after it the stream ends ({@code
 *     StreamEnded} of {@code sessionId}, last msn {@code nextMsn − 1}, at this instant). Null
 *     otherwise and in records before schema 3
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
    int targetDurationSec,
    Instant pdtAnchorAt,
    Long pdtAnchorPts90k,
    Instant pdtEndOfLast,
    SegmentFormat segmentFormat,
    String initKey,
    Instant graceUntil) {
  /**
   * 2: {@code segmentFormat} and {@code initKey} added (absent: an MPEG-TS session); 3: {@code
   * graceUntil} added (absent: no reconnect awaited).
   */
  public static final int SCHEMA_VERSION = 3;

  public SegmenterState {
    Objects.requireNonNull(streamId, "streamId");
    segmentFormat = segmentFormat == null ? SegmentFormat.TS : segmentFormat;
  }

  /** A state that awaits no reconnect (as written before schema 3). */
  public SegmenterState(
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
      int targetDurationSec,
      Instant pdtAnchorAt,
      Long pdtAnchorPts90k,
      Instant pdtEndOfLast,
      SegmentFormat segmentFormat,
      String initKey) {
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
        ingestPartition,
        recordBytePosition,
        cutterBaseBytes,
        cutterState,
        sessionFirstPts90k,
        targetDurationSec,
        pdtAnchorAt,
        pdtAnchorPts90k,
        pdtEndOfLast,
        segmentFormat,
        initKey,
        null);
  }

  /** This state with {@code graceUntil} replaced (null: no reconnect awaited any more). */
  public SegmenterState withGraceUntil(Instant graceUntil) {
    return new SegmenterState(
        v,
        streamId,
        sessionId,
        sessionStartedAt,
        ingestOffset,
        bytePosition,
        nextMsn,
        discontinuitySequence,
        open,
        ingestPartition,
        recordBytePosition,
        cutterBaseBytes,
        cutterState,
        sessionFirstPts90k,
        targetDurationSec,
        pdtAnchorAt,
        pdtAnchorPts90k,
        pdtEndOfLast,
        segmentFormat,
        initKey,
        graceUntil);
  }

  /** A state of an MPEG-TS session (as written before schema 2). */
  public SegmenterState(
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
        ingestPartition,
        recordBytePosition,
        cutterBaseBytes,
        cutterState,
        sessionFirstPts90k,
        targetDurationSec,
        null,
        null,
        null,
        SegmentFormat.TS,
        null);
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
        0,
        null,
        null,
        null,
        null,
        null);
  }
}
