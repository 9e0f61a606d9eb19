package io.hlspipeline.segmenter.stream;

import io.hlspipeline.events.StreamIds;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.segments.StreamEnded;
import io.hlspipeline.events.state.SegmenterState;
import io.hlspipeline.media.MalformedMediaException;
import io.hlspipeline.media.cut.CutSegment;
import io.hlspipeline.media.cut.SegmentCutter;
import io.hlspipeline.segmenter.offsets.IngestPositions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One open publish session of one stream: its cutter, its place in the media sequence and in its
 * {@code hls.ingest} partition. Turns chunks into cut segments and cut segments (once stored) into
 * {@link SegmentReady} events. Not thread-safe: owned by the worker thread.
 */
public final class StreamSegmenter {
  /** A segment may start with up to two PAT/PMT packets the cutter put in front. */
  private static final int MAX_PREFIX_BYTES = 2 * 188;

  private final String streamId;
  private final String sessionId;
  private final Instant startedAt;
  private final Duration targetDuration;
  private final IngestPositions positions;
  private final List<CutSegment> cut = new ArrayList<>();

  private SegmentCutter cutter;
  private long cutterBaseBytes;
  private long nextMsn;
  private long discontinuitySequence;
  private boolean nextIsDiscontinuity;
  private int targetDurationSec;
  private long sessionFirstPts90k = Long.MIN_VALUE;
  private long lastMsn = -1;
  private long resumeBytePosition;
  private long lastRecordNanos = System.nanoTime();

  /**
   * @param publishStartedOffset offset of the session's PublishStarted record
   * @param nextMsn msn of the session's first segment (continues the stream's sequence)
   * @param discontinuitySequence the stream's discontinuity sequence so far
   * @param afterEarlierSession true when the stream had segments before: the first segment of this
   *     session is a discontinuity
   */
  public StreamSegmenter(
      String streamId,
      String sessionId,
      Instant startedAt,
      Duration targetDuration,
      long publishStartedOffset,
      long nextMsn,
      long discontinuitySequence,
      boolean afterEarlierSession) {
    this.streamId = StreamIds.requireValid(streamId);
    this.sessionId = sessionId;
    this.startedAt = startedAt;
    this.targetDuration = targetDuration;
    this.positions = new IngestPositions(publishStartedOffset);
    this.nextMsn = nextMsn;
    this.discontinuitySequence = discontinuitySequence;
    this.nextIsDiscontinuity = afterEarlierSession;
    this.cutter = newCutter();
  }

  private SegmentCutter newCutter() {
    return new SegmentCutter(targetDuration.toNanos() / 1000, cut::add);
  }

  public String streamId() {
    return streamId;
  }

  public String sessionId() {
    return sessionId;
  }

  /**
   * Feeds one chunk.
   *
   * @return the segments it completed (usually none or one), in order
   * @throws MalformedMediaException when the cutter cannot go on; call {@link #resetCutter()}
   */
  public List<CutSegment> accept(long recordOffset, byte[] chunk) throws MalformedMediaException {
    lastRecordNanos = System.nanoTime();
    positions.add(recordOffset, chunk.length);
    cutter.accept(chunk, 0, chunk.length);
    return drain();
  }

  /** Ends the session's input: returns the last segment(s). */
  public List<CutSegment> finish() throws MalformedMediaException {
    cutter.finish();
    return drain();
  }

  /**
   * Drops the cutter after malformed input and starts a fresh one at the next chunk: what it held
   * is lost, and the next segment is marked as a discontinuity.
   */
  public void resetCutter() {
    cut.clear();
    cutterBaseBytes = positions.sessionBytes();
    cutter = newCutter();
    nextIsDiscontinuity = true;
    resumeBytePosition = cutterBaseBytes;
  }

  private List<CutSegment> drain() {
    List<CutSegment> done = List.copyOf(cut);
    cut.clear();
    return done;
  }

  /** The object key's msn of the next segment. */
  public long nextMsn() {
    return nextMsn;
  }

  /** msn of the last segment described, -1 if none yet (in this session). */
  public long lastMsn() {
    return lastMsn;
  }

  public long discontinuitySequence() {
    return discontinuitySequence;
  }

  /** {@link System#nanoTime()} of the last chunk fed (or of the session start). */
  public long lastRecordNanos() {
    return lastRecordNanos;
  }

  /**
   * Describes a stored segment and advances the stream to the next msn. Call once per cut segment,
   * in order.
   */
  public SegmentReady describe(
      CutSegment segment, String storageKey, List<String> servers, long sizeBytes) {
    if (sessionFirstPts90k == Long.MIN_VALUE) {
      sessionFirstPts90k = segment.startPts90k();
    }
    boolean discontinuity = segment.discontinuity() || nextIsDiscontinuity;
    if (discontinuity) {
      discontinuitySequence++;
    }
    nextIsDiscontinuity = false;
    targetDurationSec =
        SegmentTiming.targetDurationSec(targetDuration, targetDurationSec, segment.durationUs());
    long msn = nextMsn++;
    lastMsn = msn;
    // The next segment starts where this one's input ends; bound it from below (the cutter may
    // have put PAT/PMT in front), so a resume never starts after bytes the next segment needs.
    long endInCutter =
        segment.inputStartOffset() + Math.max(1, segment.data().length - MAX_PREFIX_BYTES);
    resumeBytePosition = Math.max(resumeBytePosition, cutterBaseBytes + endInCutter);
    return new SegmentReady(
        SegmentEvent.SCHEMA_VERSION,
        streamId,
        StreamIds.SOURCE_RENDITION,
        sessionId,
        msn,
        segment.durationUs(),
        segment.startPts90k(),
        SegmentTiming.programDateTime(startedAt, sessionFirstPts90k, segment.startPts90k()),
        discontinuitySequence,
        discontinuity,
        targetDurationSec,
        segment.mediaInfo().codecs(),
        segment.mediaInfo().width(),
        segment.mediaInfo().height(),
        sizeBytes,
        storageKey,
        servers);
  }

  /** The offset of the first {@code hls.ingest} record the open segment needs. */
  public long resumeOffset() {
    return positions.recordHolding(resumeBytePosition);
  }

  /** The stream's resume point for {@code hls.segmenter.state}. */
  public SegmenterState state(boolean open) {
    return new SegmenterState(
        SegmenterState.SCHEMA_VERSION,
        streamId,
        sessionId,
        startedAt,
        resumeOffset(),
        resumeBytePosition,
        nextMsn,
        discontinuitySequence,
        open);
  }

  /** The session's end event. */
  public StreamEnded ended(Instant endedAt) {
    return new StreamEnded(
        SegmentEvent.SCHEMA_VERSION,
        streamId,
        StreamIds.SOURCE_RENDITION,
        sessionId,
        lastMsn,
        endedAt);
  }
}
