package io.hlspipeline.segmenter.stream;

import io.hlspipeline.events.StreamIds;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.segments.StreamEnded;
import io.hlspipeline.events.state.SegmenterState;
import io.hlspipeline.media.MalformedMediaException;
import io.hlspipeline.media.cut.CutSegment;
import io.hlspipeline.media.cut.CutterState;
import io.hlspipeline.media.cut.SegmentCutter;
import io.hlspipeline.segmenter.offsets.IngestPositions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One open publish session of one stream: its cutter, its place in the media sequence and in its
 * {@code hls.ingest} partition. Turns chunks into cut segments and cut segments (once stored) into
 * {@link SegmentReady} events. Not thread-safe: owned by the worker thread.
 *
 * <p>After each described segment, {@link #state(boolean)} is the exact resume point: the cutter's
 * {@link CutterState} at the next segment's first byte, that byte's session position, and the
 * {@code hls.ingest} record holding it. {@link #resume} rebuilds the session from it; fed the same
 * records from that offset on, it cuts the same segments, byte for byte, with the same msn.
 */
public final class StreamSegmenter {
  private final String streamId;
  private final String sessionId;
  private final Instant startedAt;
  private final Duration targetDuration;
  private final int ingestPartition;
  private final IngestPositions positions;
  private final List<CutSegment> cut = new ArrayList<>();
  private final Map<Long, CutterState> nextStates = new HashMap<>();

  private SegmentCutter cutter;
  private long cutterBaseBytes;
  private long nextMsn;
  private long discontinuitySequence;
  private boolean nextIsDiscontinuity;
  private int targetDurationSec;
  private long sessionFirstPts90k = Long.MIN_VALUE;
  private long lastMsn = -1;
  private long resumeBytePosition;
  private CutterState resumeCutterState;
  private long lastRecordNanos = System.nanoTime();

  // A resumed session ignores records before its resume record and the bytes of that record before
  // the resume position.
  private long resumeRecordOffset = -1;
  private int resumeSkipBytes;

  /**
   * @param publishStartedOffset offset of the session's PublishStarted record
   * @param nextMsn msn of the session's first segment (continues the stream's sequence)
   * @param discontinuitySequence the stream's discontinuity sequence so far
   * @param afterEarlierSession true when the stream had segments before: the first segment of this
   *     session is a discontinuity
   * @param ingestPartition the stream's {@code hls.ingest} partition
   */
  public StreamSegmenter(
      String streamId,
      String sessionId,
      Instant startedAt,
      Duration targetDuration,
      long publishStartedOffset,
      long nextMsn,
      long discontinuitySequence,
      boolean afterEarlierSession,
      int ingestPartition) {
    this(
        streamId,
        sessionId,
        startedAt,
        targetDuration,
        new IngestPositions(publishStartedOffset),
        nextMsn,
        discontinuitySequence,
        afterEarlierSession,
        ingestPartition);
    this.cutter = newCutter();
  }

  private StreamSegmenter(
      String streamId,
      String sessionId,
      Instant startedAt,
      Duration targetDuration,
      IngestPositions positions,
      long nextMsn,
      long discontinuitySequence,
      boolean afterEarlierSession,
      int ingestPartition) {
    this.streamId = StreamIds.requireValid(streamId);
    this.sessionId = sessionId;
    this.startedAt = startedAt;
    this.targetDuration = targetDuration;
    this.positions = positions;
    this.nextMsn = nextMsn;
    this.discontinuitySequence = discontinuitySequence;
    this.nextIsDiscontinuity = afterEarlierSession;
    this.ingestPartition = ingestPartition;
  }

  /**
   * The open session {@code state} describes, continuing exactly at its resume point.
   *
   * @throws IllegalArgumentException when the state is closed or has no cutter state
   * @throws MalformedMediaException when the saved tables cannot be parsed again
   */
  public static StreamSegmenter resume(SegmenterState state, Duration targetDuration)
      throws MalformedMediaException {
    if (!state.open() || state.cutterState() == null || state.ingestPartition() == null) {
      throw new IllegalArgumentException("no exact resume point in " + state);
    }
    CutterState cutterState =
        CutterState.fromBytes(Base64.getDecoder().decode(state.cutterState()));
    StreamSegmenter s =
        new StreamSegmenter(
            state.streamId(),
            state.sessionId(),
            state.sessionStartedAt(),
            targetDuration,
            new IngestPositions(state.ingestOffset(), state.recordBytePosition()),
            state.nextMsn(),
            state.discontinuitySequence(),
            false,
            state.ingestPartition());
    s.cutterBaseBytes = state.cutterBaseBytes();
    s.cutter =
        SegmentCutter.resume(cutterState, targetDuration.toNanos() / 1000, 0, s.cutterListener());
    s.resumeCutterState = cutterState;
    s.resumeBytePosition = state.bytePosition();
    s.resumeRecordOffset = state.ingestOffset();
    s.resumeSkipBytes = Math.toIntExact(state.bytePosition() - state.recordBytePosition());
    s.sessionFirstPts90k =
        state.sessionFirstPts90k() == null ? Long.MIN_VALUE : state.sessionFirstPts90k();
    s.targetDurationSec = state.targetDurationSec();
    s.lastMsn = state.nextMsn() - 1;
    return s;
  }

  private SegmentCutter newCutter() {
    return new SegmentCutter(targetDuration.toNanos() / 1000, cutterListener());
  }

  private SegmentCutter.Listener cutterListener() {
    return new SegmentCutter.Listener() {
      @Override
      public void onSegment(CutSegment segment) {
        onSegment(segment, null);
      }

      @Override
      public void onSegment(CutSegment segment, CutterState next) {
        cut.add(segment);
        if (next != null) {
          nextStates.put(segment.index(), next);
        }
      }
    };
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
    int skip = 0;
    if (resumeRecordOffset >= 0) {
      if (recordOffset < resumeRecordOffset) {
        return List.of(); // before the resume point: already cut and published
      }
      if (recordOffset == resumeRecordOffset) {
        skip = Math.min(resumeSkipBytes, chunk.length);
      }
      resumeRecordOffset = -1;
    }
    positions.add(recordOffset, chunk.length);
    cutter.accept(chunk, skip, chunk.length - skip);
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
    nextStates.clear();
    cutterBaseBytes = positions.sessionBytes();
    cutter = newCutter();
    nextIsDiscontinuity = true;
    resumeBytePosition = cutterBaseBytes;
    resumeCutterState = null;
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
    // The next segment starts exactly where the cutter's state says; after the last segment of a
    // session (finish) there is no next one: the session is over.
    resumeCutterState = nextStates.remove(segment.index());
    if (resumeCutterState != null) {
      resumeBytePosition = cutterBaseBytes + resumeCutterState.nextInputOffset();
    } else {
      resumeBytePosition = positions.sessionBytes();
    }
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

  /** The open stream's resume point for {@code hls.segmenter.state}. */
  public SegmenterState state() {
    long offset = resumeOffset();
    return new SegmenterState(
        SegmenterState.SCHEMA_VERSION,
        streamId,
        sessionId,
        startedAt,
        offset,
        resumeBytePosition,
        nextMsn,
        discontinuitySequence,
        true,
        ingestPartition,
        positions.recordStartHolding(resumeBytePosition),
        cutterBaseBytes,
        resumeCutterState == null
            ? null
            : Base64.getEncoder().encodeToString(resumeCutterState.toBytes()),
        sessionFirstPts90k == Long.MIN_VALUE ? null : sessionFirstPts90k,
        targetDurationSec);
  }

  /**
   * The ended stream's record for {@code hls.segmenter.state}: a worker taking the partition over
   * skips the stream's records before {@code nextUnreadOffset} and continues its msn.
   */
  public SegmenterState endedState(long nextUnreadOffset) {
    return new SegmenterState(
        SegmenterState.SCHEMA_VERSION,
        streamId,
        sessionId,
        startedAt,
        nextUnreadOffset,
        positions.sessionBytes(),
        nextMsn,
        discontinuitySequence,
        false,
        ingestPartition,
        positions.sessionBytes(),
        cutterBaseBytes,
        null,
        sessionFirstPts90k == Long.MIN_VALUE ? null : sessionFirstPts90k,
        targetDurationSec);
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
