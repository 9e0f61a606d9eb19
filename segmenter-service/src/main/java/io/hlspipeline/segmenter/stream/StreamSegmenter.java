package io.hlspipeline.segmenter.stream;

import io.hlspipeline.events.StreamIds;
import io.hlspipeline.events.segments.PartReady;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentFormat;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.segments.StreamEnded;
import io.hlspipeline.events.state.SegmenterState;
import io.hlspipeline.media.MalformedMediaException;
import io.hlspipeline.media.cut.CutPart;
import io.hlspipeline.media.cut.CutSegment;
import io.hlspipeline.media.cut.CutterState;
import io.hlspipeline.media.cut.SegmentCutter;
import io.hlspipeline.segmenter.offsets.IngestPositions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
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
 *
 * <p>With a part target, the cutter's low-latency parts come before their segment ({@link Cut}, in
 * cut order) and {@link #describePart} turns each stored part into a {@link PartReady} carrying
 * what its segment's event will carry (msn, discontinuity, program-date-time from the segment's,
 * init). A resumed session cuts the open segment's parts again, with the same bytes and fields.
 */
public final class StreamSegmenter {
  /**
   * One output of the cutter, in order: a part (of the next segment) or a segment; exactly one is
   * set.
   */
  public record Cut(CutPart part, CutSegment segment) {
    public boolean isPart() {
      return part != null;
    }
  }

  /** What the open segment's first described part fixed for the segment's own event. */
  private record OpenSegmentEvent(
      long msn,
      boolean discontinuity,
      Instant wallStartEstimate,
      Instant programDateTime,
      long startPts90k) {}

  private final String streamId;
  private final String sessionId;
  private final Instant startedAt;
  private final Duration targetDuration;
  private final int ingestPartition;
  private final IngestPositions positions;
  private final List<Cut> cut = new ArrayList<>();
  private final Map<Long, CutterState> nextStates = new HashMap<>();
  private final SegmentFormat format;
  private final long partTargetUs;

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
  private ProgramClock programClock;
  // Producer timestamp of the last ingest record fed: the wall-clock estimate that re-anchors
  // program-date-time at a discontinuity (from the input, so a replay computes the same value).
  private Instant lastRecordAt;
  // fMP4: the init segment the last described segment named (saved in the state), and the one
  // stored by this instance with its servers (not saved: a resumed session stores it again).
  private String lastInitKey;
  private String storedInitKey;
  private List<String> storedInitServers = List.of();
  // Parts: the session's part target as the cutter fixed it, and the open segment's event fields.
  private long sessionPartTargetUs;
  private OpenSegmentEvent openSegment;

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
   * @param format the session's segment container
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
      int ingestPartition,
      SegmentFormat format) {
    this(
        streamId,
        sessionId,
        startedAt,
        targetDuration,
        Duration.ZERO,
        publishStartedOffset,
        nextMsn,
        discontinuitySequence,
        afterEarlierSession,
        ingestPartition,
        format);
  }

  /**
   * A new session cutting low-latency parts too.
   *
   * @param partTarget the requested part target, zero for no parts (see {@link
   *     SegmentCutter#partTargetUs()})
   */
  public StreamSegmenter(
      String streamId,
      String sessionId,
      Instant startedAt,
      Duration targetDuration,
      Duration partTarget,
      long publishStartedOffset,
      long nextMsn,
      long discontinuitySequence,
      boolean afterEarlierSession,
      int ingestPartition,
      SegmentFormat format) {
    this(
        streamId,
        sessionId,
        startedAt,
        targetDuration,
        partTarget,
        new IngestPositions(publishStartedOffset),
        nextMsn,
        discontinuitySequence,
        afterEarlierSession,
        ingestPartition,
        format);
    this.cutter = newCutter();
  }

  private StreamSegmenter(
      String streamId,
      String sessionId,
      Instant startedAt,
      Duration targetDuration,
      Duration partTarget,
      IngestPositions positions,
      long nextMsn,
      long discontinuitySequence,
      boolean afterEarlierSession,
      int ingestPartition,
      SegmentFormat format) {
    this.streamId = StreamIds.requireValid(streamId);
    this.format = format;
    this.sessionId = sessionId;
    this.startedAt = startedAt;
    this.targetDuration = targetDuration;
    this.partTargetUs = partTarget.toNanos() / 1000;
    this.positions = positions;
    this.nextMsn = nextMsn;
    this.discontinuitySequence = discontinuitySequence;
    this.nextIsDiscontinuity = afterEarlierSession;
    this.ingestPartition = ingestPartition;
    this.programClock = new ProgramClock(startedAt);
  }

  /**
   * The open session {@code state} describes, continuing exactly at its resume point.
   *
   * @throws IllegalArgumentException when the state is closed or has no cutter state
   * @throws MalformedMediaException when the saved tables cannot be parsed again
   */
  public static StreamSegmenter resume(SegmenterState state, Duration targetDuration)
      throws MalformedMediaException {
    return resume(state, targetDuration, Duration.ZERO);
  }

  /**
   * {@link #resume(SegmenterState, Duration)} cutting parts too (the part target the session fixed
   * is in its cutter state).
   */
  public static StreamSegmenter resume(
      SegmenterState state, Duration targetDuration, Duration partTarget)
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
            partTarget,
            new IngestPositions(state.ingestOffset(), state.recordBytePosition()),
            state.nextMsn(),
            state.discontinuitySequence(),
            false,
            state.ingestPartition(),
            state.segmentFormat());
    s.lastInitKey = state.initKey();
    s.cutterBaseBytes = state.cutterBaseBytes();
    s.cutter =
        SegmentCutter.resume(
            cutterState, targetDuration.toNanos() / 1000, s.partTargetUs, s.cutterListener());
    s.resumeCutterState = cutterState;
    s.resumeBytePosition = state.bytePosition();
    s.resumeRecordOffset = state.ingestOffset();
    s.resumeSkipBytes = Math.toIntExact(state.bytePosition() - state.recordBytePosition());
    s.sessionFirstPts90k =
        state.sessionFirstPts90k() == null ? Long.MIN_VALUE : state.sessionFirstPts90k();
    s.targetDurationSec = state.targetDurationSec();
    s.lastMsn = state.nextMsn() - 1;
    if (state.pdtAnchorAt() != null && state.pdtAnchorPts90k() != null) {
      s.programClock =
          new ProgramClock(state.pdtAnchorAt(), state.pdtAnchorPts90k(), state.pdtEndOfLast());
    } else if (state.sessionFirstPts90k() != null) {
      // A state written before re-anchoring existed: the session start is the only anchor.
      s.programClock = new ProgramClock(state.sessionStartedAt(), state.sessionFirstPts90k(), null);
    }
    return s;
  }

  private SegmentCutter newCutter() {
    return new SegmentCutter(targetDuration.toNanos() / 1000, partTargetUs, cutterListener());
  }

  private SegmentCutter.Listener cutterListener() {
    return new SegmentCutter.Listener() {
      @Override
      public void onSegment(CutSegment segment) {
        onSegment(segment, null);
      }

      @Override
      public void onSegment(CutSegment segment, CutterState next) {
        cut.add(new Cut(null, segment));
        if (next != null) {
          nextStates.put(segment.index(), next);
        }
      }

      @Override
      public void onPart(CutPart part) {
        cut.add(new Cut(part, null));
      }
    };
  }

  public String streamId() {
    return streamId;
  }

  public String sessionId() {
    return sessionId;
  }

  /** The session's segment container. */
  public SegmentFormat format() {
    return format;
  }

  /**
   * The object key of an fMP4 init segment: {@code {streamId}/src/{sessionId}/init-{h}.mp4}, {@code
   * h} the first 16 hex digits of the SHA-256 of its bytes, so equal decoder configurations share
   * one object and a new one gets a new key (and URI).
   */
  public String initKey(byte[] init) {
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256").digest(init);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    return streamId
        + "/"
        + StreamIds.SOURCE_RENDITION
        + "/"
        + sessionId
        + "/init-"
        + HexFormat.of().formatHex(digest, 0, 8)
        + "."
        + SegmentFormat.INIT_EXTENSION;
  }

  /** True when this instance has not stored the init segment {@code key} yet. */
  public boolean needsInit(String key) {
    return !key.equals(storedInitKey);
  }

  /** Records that the init segment {@code key} is stored on {@code servers}. */
  public void initStored(String key, List<String> servers) {
    storedInitKey = key;
    storedInitServers = List.copyOf(servers);
  }

  /**
   * Feeds one chunk.
   *
   * @return the segments it completed (usually none or one), in order
   * @throws MalformedMediaException when the cutter cannot go on; call {@link #resetCutter()}
   */
  public List<CutSegment> accept(long recordOffset, byte[] chunk) throws MalformedMediaException {
    return accept(recordOffset, null, chunk);
  }

  /**
   * Feeds one chunk with its ingest record's producer timestamp (the wall clock that re-anchors
   * program-date-time at a discontinuity).
   *
   * @param recordAt the record's timestamp, null when unknown
   * @return the segments it completed (usually none or one), in order
   * @throws MalformedMediaException when the cutter cannot go on; call {@link #resetCutter()}
   */
  public List<CutSegment> accept(long recordOffset, Instant recordAt, byte[] chunk)
      throws MalformedMediaException {
    return segmentsOf(acceptCuts(recordOffset, recordAt, chunk));
  }

  /**
   * Feeds one chunk with its ingest record's producer timestamp.
   *
   * @return the parts and segments it completed, in cut order (a segment's parts before it)
   * @throws MalformedMediaException when the cutter cannot go on; call {@link #resetCutter()}
   */
  public List<Cut> acceptCuts(long recordOffset, Instant recordAt, byte[] chunk)
      throws MalformedMediaException {
    lastRecordNanos = System.nanoTime();
    if (recordAt != null) {
      lastRecordAt = recordAt;
    }
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
    return segmentsOf(finishCuts());
  }

  /** Ends the session's input: returns the last parts and segment(s), in cut order. */
  public List<Cut> finishCuts() throws MalformedMediaException {
    cutter.finish();
    return drain();
  }

  private static List<CutSegment> segmentsOf(List<Cut> cuts) {
    List<CutSegment> segments = new ArrayList<>(1);
    for (Cut c : cuts) {
      if (!c.isPart()) {
        segments.add(c.segment());
      }
    }
    return segments;
  }

  /**
   * Drops the cutter after malformed input and starts a fresh one at the next chunk: what it held
   * is lost, and the next segment is marked as a discontinuity.
   */
  public void resetCutter() {
    cut.clear();
    if (openSegment != null) {
      // Parts of the open segment are announced: its msn is spent, so no object key is ever
      // written again with other bytes (those parts stay without a segment).
      nextMsn++;
      openSegment = null;
    }
    nextStates.clear();
    cutterBaseBytes = positions.sessionBytes();
    cutter = newCutter();
    nextIsDiscontinuity = true;
    resumeBytePosition = cutterBaseBytes;
    resumeCutterState = null;
  }

  private List<Cut> drain() {
    List<Cut> done = List.copyOf(cut);
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
    String initKey = currentInitKey();
    boolean discontinuity;
    Instant wallStart;
    if (openSegment != null) {
      // Its parts are announced: the segment carries what they said.
      discontinuity = openSegment.discontinuity();
      wallStart = openSegment.wallStartEstimate();
      openSegment = null;
    } else {
      discontinuity = segment.discontinuity() || nextIsDiscontinuity || newInit(initKey);
      // A segment is cut when the record holding the next segment's first keyframe arrives, so
      // that record's timestamp minus the segment's duration estimates when the segment started.
      wallStart =
          lastRecordAt == null ? null : lastRecordAt.minusNanos(segment.durationUs() * 1000);
    }
    lastInitKey = initKey;
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
        programClock.next(segment.startPts90k(), segment.durationUs(), discontinuity, wallStart),
        discontinuitySequence,
        discontinuity,
        targetDurationSec,
        segment.mediaInfo().codecs(),
        segment.mediaInfo().width(),
        segment.mediaInfo().height(),
        sizeBytes,
        storageKey,
        servers,
        format,
        initKey,
        initKey == null ? List.of() : storedInitServers);
  }

  private String currentInitKey() {
    String initKey = format == SegmentFormat.FMP4 ? storedInitKey : null;
    if (format == SegmentFormat.FMP4 && initKey == null) {
      throw new IllegalStateException("an fMP4 segment or part is described after its init");
    }
    return initKey;
  }

  /**
   * A new init segment (decoder configuration) inside a session: EXT-X-MAP changes, and RFC 8216bis
   * §4.4.4.3 wants an EXT-X-DISCONTINUITY with it.
   */
  private boolean newInit(String initKey) {
    return initKey != null && lastInitKey != null && !initKey.equals(lastInitKey);
  }

  /** The session's part target in effect (whole frames), 0 before the first part or without. */
  public long partTargetUs() {
    return sessionPartTargetUs;
  }

  /**
   * Describes a stored part of the next segment ({@link #nextMsn()}). Call once per cut part, in
   * order, before the segment's {@link #describe}; the first part fixes the segment's discontinuity
   * and program-date-time (the segment's event then carries the same).
   */
  public PartReady describePart(
      CutPart part, String storageKey, List<String> servers, long sizeBytes) {
    String initKey = currentInitKey();
    if (openSegment == null) {
      boolean discontinuity = part.discontinuity() || nextIsDiscontinuity || newInit(initKey);
      // The record completing part 0 minus its duration estimates when the segment started.
      Instant wallStart =
          lastRecordAt == null ? null : lastRecordAt.minusNanos(part.durationUs() * 1000);
      Instant pdt = programClock.peek(part.startPts90k(), discontinuity, wallStart);
      openSegment =
          new OpenSegmentEvent(nextMsn, discontinuity, wallStart, pdt, part.startPts90k());
    }
    if (sessionPartTargetUs == 0) {
      sessionPartTargetUs = cutter.partTargetUs();
    }
    long offsetNanos =
        Math.floorDiv((part.startPts90k() - openSegment.startPts90k()) * 100_000L, 9L);
    return new PartReady(
        SegmentEvent.SCHEMA_VERSION,
        streamId,
        StreamIds.SOURCE_RENDITION,
        sessionId,
        openSegment.msn(),
        part.partIndex(),
        part.durationUs(),
        part.independent(),
        sizeBytes,
        storageKey,
        servers,
        sessionPartTargetUs,
        part.startPts90k(),
        openSegment.programDateTime().plusNanos(offsetNanos),
        discontinuitySequence + (openSegment.discontinuity() ? 1 : 0),
        openSegment.discontinuity(),
        SegmentTiming.targetDurationSec(targetDuration, targetDurationSec, 0),
        format,
        initKey,
        initKey == null ? List.of() : storedInitServers);
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
        targetDurationSec,
        programClock.anchorPts90k() == Long.MIN_VALUE ? null : programClock.anchorAt(),
        programClock.anchorPts90k() == Long.MIN_VALUE ? null : programClock.anchorPts90k(),
        programClock.endOfLast(),
        format,
        lastInitKey);
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
        targetDurationSec,
        programClock.anchorPts90k() == Long.MIN_VALUE ? null : programClock.anchorAt(),
        programClock.anchorPts90k() == Long.MIN_VALUE ? null : programClock.anchorPts90k(),
        programClock.endOfLast(),
        format,
        lastInitKey);
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
