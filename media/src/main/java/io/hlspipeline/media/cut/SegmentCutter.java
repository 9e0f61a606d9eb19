package io.hlspipeline.media.cut;

import static io.hlspipeline.media.ts.TsPacket.TS_PACKET_SIZE;

import io.hlspipeline.media.MalformedMediaException;
import io.hlspipeline.media.ts.ElementaryStream;
import io.hlspipeline.media.ts.PesPacket;
import io.hlspipeline.media.ts.ProgramMap;
import io.hlspipeline.media.ts.StreamType;
import io.hlspipeline.media.ts.TimestampUnwrapper;
import io.hlspipeline.media.ts.TsDemuxer;
import io.hlspipeline.media.ts.TsPacket;
import io.hlspipeline.media.ts.TsPacketSplitter;

/**
 * Cuts an MPEG-TS stream into HLS media segments (RFC 8216bis §3.3), and optionally into
 * low-latency parts (§4.4.4.9), the way ffmpeg's HLS muxer does.
 *
 * <p>Cutting rule: a segment ends before the first video keyframe (IDR/IRAP) whose PTS is at or
 * after {@code origin + n × target}, where {@code origin} is the PTS of the first segment since the
 * last discontinuity and {@code n} the number of segments since then, so boundaries never drift.
 * Without video, audio PES packets are the cut candidates. A timestamp jump (DTS backwards or more
 * than {@link #MAX_TIMESTAMP_GAP_90K} forward) or a codec change starts a discontinuity: the next
 * keyframe starts a segment flagged {@link CutSegment#discontinuity()} and the grid restarts there.
 *
 * <p>A segment is a run of the input's own transport packets, from the packet that starts the
 * keyframe's PES (or the PAT/PMT run right before it) to the next cut. When it does not begin with
 * PAT and PMT, copies of the last seen ones are put in front. The output depends only on the input
 * bytes, never on how they were chunked. Bytes before the first keyframe are dropped. Every segment
 * and part also says where its bytes come from ({@link CutRanges}: that prefix, then input byte
 * ranges), and with {@link Output#RANGES} carries only that, so a caller holding the input can copy
 * segments out of it without the cutter buffering them.
 *
 * <p>Anomalies that can be survived (lost sync, continuity gaps, CRC failures, damaged PES) are
 * counted; input with no usable program, or no cut point within {@link #MAX_SEGMENT_BYTES}, throws
 * {@link MalformedMediaException}. Not thread-safe; the listener is called on the calling thread.
 */
public final class SegmentCutter {
  /** The default target duration, 4 s. */
  public static final long DEFAULT_TARGET_DURATION_US = 4_000_000;

  /** A DTS step on the reference stream larger than this (10 s) is a timestamp jump. */
  public static final long MAX_TIMESTAMP_GAP_90K = 10 * 90_000L;

  /** Memory bound: an open segment larger than this (no keyframe for too long) is an error. */
  public static final int MAX_SEGMENT_BYTES = 64 * 1024 * 1024;

  /** Memory bound: input without a usable PAT/PMT after this many bytes is an error. */
  public static final int MAX_BYTES_WITHOUT_PROGRAM = 8 * 1024 * 1024;

  /** RFC 8216bis §4.4.4.9: every part but a segment's last is at least 85 % of the part target. */
  static final int PART_MIN_PERCENT = 85;

  /** What segments and parts carry. */
  public enum Output {
    /** {@code data} holds the bytes, and {@code ranges} says where they come from. */
    DATA,
    /**
     * Only {@code ranges}; {@code data} is empty. The cutter keeps no segment bytes (memory O(1)
     * per stream beyond the demuxer's PES header buffers): the caller copies the input ranges.
     */
    RANGES
  }

  /** Receives segments and parts, in input order. */
  public interface Listener {
    void onSegment(CutSegment segment);

    /**
     * A segment and the state to {@link SegmentCutter#resume} from right after it; {@code next} is
     * null for the segment {@link #finish()} emits. By default calls {@link
     * #onSegment(CutSegment)}.
     */
    default void onSegment(CutSegment segment, CutterState next) {
      onSegment(segment);
    }

    default void onPart(CutPart part) {}
  }

  private final long targetDurationUs;
  private final long partTargetUs;
  // The part target in whole frames of the reference stream (RFC 8216bis §4.4.3.7 wants parts of
  // one duration; a target between frames makes them alternate): fixed once a frame duration is
  // known, then kept for the cutter's life and across resume. 0 while not fixed.
  private long partTarget90k;
  private final Listener listener;
  private final TsPacketSplitter splitter;
  private final TsDemuxer demuxer;
  private final OpenSegment segmentBytes;
  private final TimestampUnwrapper unwrapper = new TimestampUnwrapper();
  private ElementaryStreamReaders readers = new ElementaryStreamReaders();

  // The last PAT and PMT packets (a new array per table packet, so snapshots share them), and
  // what they were at the PSI run start and at the candidate cut: a resume state needs the tables
  // as of its input offset, not as of the later moment the cut is decided.
  private byte[] patPacket;
  private byte[] pmtPacket;
  private byte[] runPat;
  private byte[] runPmt;
  private byte[] candidatePat;
  private byte[] candidatePmt;
  private final byte[] psiPrefix = new byte[2 * TS_PACKET_SIZE];

  // Resume: the input offset of this cutter's first byte, the unwrapper's 2^33 epoch.
  private long inputBase;
  private long unwrapBase;
  private long lastUnwrapped;
  private boolean nextOpenDiscontinuity;

  // The program, and the readers of its streams.
  private ElementaryStream video;
  private ElementaryStream audio;
  private ElementaryStreamReader videoReader;
  private ElementaryStreamReader audioReader;
  private int referencePid = -1;

  // Candidate cut: the reference PES in progress and the PSI run right before it.
  private int pendingStart = -1;
  private long pendingOffset;
  private int pendingPsiStart = -1;
  private long pendingPsiOffset;
  private int psiRunStart = -1;
  private long psiRunOffset;
  private boolean psiRunHasPat;
  private boolean psiRunHasPmt;

  // The open segment.
  private boolean segmentOpen;
  private long segmentIndex = -1;
  private long segmentStartPts;
  private long segmentInputOffset;
  private boolean segmentDiscontinuity;
  private String segmentVideoCodecs;
  private String segmentVideoKey;
  private int segmentWidth;
  private int segmentHeight;
  private long maxPtsInSegment;

  // Timeline.
  private long gridOriginPts;
  private long segmentsInDiscontinuity;
  private boolean haveLastDts;
  private long lastReferenceDts;
  private long frameDuration90k;
  private boolean pendingDiscontinuity;
  private long frozenEndPts;

  // Parts of the open segment.
  private int partStart;
  private long partStartDts;
  private long partStartPts;
  private boolean partIndependent;
  private int partIndex;
  private long partsDuration90k;

  private boolean finished;

  /** A cutter without low-latency parts. */
  public SegmentCutter(long targetDurationUs, Listener listener) {
    this(targetDurationUs, 0, listener);
  }

  /**
   * @param targetDurationUs segment target duration in microseconds, {@code > 0}
   * @param partTargetUs part target duration in microseconds, 0 for no parts
   * @param listener receives segments and parts
   */
  public SegmentCutter(long targetDurationUs, long partTargetUs, Listener listener) {
    this(targetDurationUs, partTargetUs, Output.DATA, listener);
  }

  /**
   * @param targetDurationUs segment target duration in microseconds, {@code > 0}
   * @param partTargetUs part target duration in microseconds, 0 for no parts
   * @param output whether segments and parts carry their bytes or only their input ranges
   * @param listener receives segments and parts
   */
  public SegmentCutter(long targetDurationUs, long partTargetUs, Output output, Listener listener) {
    if (targetDurationUs <= 0) {
      throw new IllegalArgumentException("targetDurationUs must be > 0: " + targetDurationUs);
    }
    if (partTargetUs < 0 || partTargetUs > targetDurationUs) {
      throw new IllegalArgumentException("partTargetUs must be in [0, target]: " + partTargetUs);
    }
    this.targetDurationUs = targetDurationUs;
    this.partTargetUs = partTargetUs;
    this.listener = listener;
    this.segmentBytes = new OpenSegment(output == Output.DATA);
    this.demuxer = new TsDemuxer(new DemuxListener());
    this.splitter = new TsPacketSplitter(this::onPacket);
  }

  /**
   * A cutter that continues where {@code state} was taken: feed it the input from {@link
   * CutterState#nextInputOffset()} on, and it emits the segments the uninterrupted cutter emitted
   * after that point, byte-identical, with the same indexes, timestamps and input offsets. {@code
   * targetDurationUs} and {@code partTargetUs} must be those of the original cutter.
   */
  public static SegmentCutter resume(
      CutterState state, long targetDurationUs, long partTargetUs, Listener listener)
      throws MalformedMediaException {
    return resume(state, targetDurationUs, partTargetUs, Output.DATA, listener);
  }

  /** {@link #resume(CutterState, long, long, Listener)} with the given {@code output}. */
  public static SegmentCutter resume(
      CutterState state, long targetDurationUs, long partTargetUs, Output output, Listener listener)
      throws MalformedMediaException {
    SegmentCutter cutter = new SegmentCutter(targetDurationUs, partTargetUs, output, listener);
    cutter.restore(state);
    return cutter;
  }

  private void restore(CutterState state) throws MalformedMediaException {
    inputBase = state.nextInputOffset();
    segmentIndex = state.lastSegmentIndex();
    nextOpenDiscontinuity = state.nextDiscontinuity();
    gridOriginPts = state.gridOriginPts90k();
    segmentsInDiscontinuity = state.segmentsInDiscontinuity();
    haveLastDts = state.haveLastDts();
    lastReferenceDts = state.lastReferenceDts90k();
    frameDuration90k = state.frameDuration90k();
    partTarget90k = partTargetUs > 0 ? state.partTarget90k() : 0;
    // Parameter sets seen before the resume point, used until the readers see new ones.
    readers = new ElementaryStreamReaders(state.h264Sps(), state.h265Sps(), state.audioCodecs());
    // The unwrapper is translation-invariant by 2^33: prime it within the period, keep the epoch.
    long inPeriod = Math.floorMod(state.lastUnwrapped90k(), TimestampUnwrapper.PTS_WRAP_90K);
    unwrapBase = state.lastUnwrapped90k() - unwrapper.unwrap(inPeriod);
    lastUnwrapped = state.lastUnwrapped90k();
    // The demuxer learns the program from the tables as they were; they are not segment bytes.
    patPacket = state.patPacket();
    pmtPacket = state.pmtPacket();
    long primeOffset = Math.max(0, inputBase - 2 * TS_PACKET_SIZE);
    if (patPacket != null) {
      demuxer.onPacket(patPacket, 0, primeOffset);
    }
    if (pmtPacket != null) {
      demuxer.onPacket(pmtPacket, 0, primeOffset + TS_PACKET_SIZE);
    }
  }

  /** Feeds input bytes; chunk boundaries may fall anywhere, even inside a packet. */
  public void accept(byte[] data, int offset, int length) throws MalformedMediaException {
    if (finished) {
      throw new IllegalStateException("finish() was called");
    }
    java.util.Objects.checkFromIndexSize(offset, length, data.length);
    splitter.accept(data, offset, length);
  }

  /**
   * Ends the input: delivers the PES packets in progress and emits the open segment. An incomplete
   * trailing packet is dropped.
   *
   * @throws MalformedMediaException when input was given but no segment could be cut from it
   */
  public void finish() throws MalformedMediaException {
    if (finished) {
      return;
    }
    finished = true;
    splitter.finish(); // a last packet held back to confirm sync after junk
    demuxer.finish();
    if (segmentOpen) {
      long endPts = pendingDiscontinuity ? frozenEndPts : maxPtsInSegment + frameDuration90k;
      emitSegment(segmentBytes.length(), endPts, null);
      segmentOpen = false;
    } else if (splitter.bytesConsumed() > 0 && segmentIndex < 0) {
      throw MalformedMediaException.atOffset(
          bytesConsumed(),
          demuxer.program() == null
              ? "no MPEG-TS program (PAT/PMT) found"
              : "no " + (video != null ? "keyframe" : "audio frame") + " found");
    }
  }

  /** Total input bytes accepted so far. */
  public long bytesConsumed() {
    return inputBase + splitter.bytesConsumed();
  }

  /** Continuity-counter gaps survived so far. */
  public long continuityErrors() {
    return demuxer.continuityErrors();
  }

  /** Bytes skipped while looking for a sync byte. */
  public long skippedBytes() {
    return splitter.skippedBytes();
  }

  private void onPacket(byte[] buf, int off, long fedOffset) throws MalformedMediaException {
    long inputOffset = inputBase + fedOffset;
    demuxer.onPacket(buf, off, inputOffset);
    int pid = TsPacket.pid(buf, off);
    ProgramMap program = demuxer.program();
    if (program == null && fedOffset >= MAX_BYTES_WITHOUT_PROGRAM) {
      throw MalformedMediaException.atOffset(
          inputOffset, "no MPEG-TS program (PAT/PMT) in the first " + inputOffset + " bytes");
    }
    boolean unitStart = TsPacket.payloadUnitStart(buf, off);
    boolean isPat = pid == TsPacket.PID_PAT;
    boolean isPmt = program != null && pid == program.pmtPid();
    if (isPat || isPmt || pid == TsPacket.PID_SDT || pid == TsPacket.PID_NULL) {
      // A run of tables that may open a segment must start with the PAT.
      if (psiRunStart < 0 && isPat && unitStart) {
        psiRunStart = segmentBytes.length();
        psiRunOffset = inputOffset;
        psiRunHasPat = false;
        psiRunHasPmt = false;
        runPat = patPacket;
        runPmt = pmtPacket;
      }
      psiRunHasPat |= isPat && unitStart;
      psiRunHasPmt |= isPmt && unitStart;
    } else {
      if (pid == referencePid && demuxer.lastPacketStartedPes()) {
        pendingStart = segmentBytes.length();
        pendingOffset = inputOffset;
        boolean fullRun = psiRunStart >= 0 && psiRunHasPat && psiRunHasPmt;
        pendingPsiStart = fullRun ? psiRunStart : -1;
        pendingPsiOffset = psiRunOffset;
        candidatePat = fullRun ? runPat : patPacket;
        candidatePmt = fullRun ? runPmt : pmtPacket;
      }
      psiRunStart = -1;
    }
    if (unitStart && isPat) {
      patPacket = java.util.Arrays.copyOfRange(buf, off, off + TS_PACKET_SIZE);
    } else if (unitStart && isPmt) {
      pmtPacket = java.util.Arrays.copyOfRange(buf, off, off + TS_PACKET_SIZE);
    }
    if (segmentBytes.length() + TS_PACKET_SIZE > MAX_SEGMENT_BYTES) {
      throw MalformedMediaException.atOffset(
          inputOffset, "no cut point (keyframe) within " + MAX_SEGMENT_BYTES + " bytes");
    }
    segmentBytes.append(buf, off, inputOffset);
  }

  private final class DemuxListener implements TsDemuxer.Listener {
    @Override
    public void onProgram(ProgramMap program) throws MalformedMediaException {
      ElementaryStream newVideo = null;
      ElementaryStream newAudio = null;
      for (ElementaryStream stream : program.streams()) {
        if (newVideo == null && StreamType.isSupportedVideo(stream.streamType())) {
          newVideo = stream;
        } else if (newAudio == null && StreamType.isSupportedAudio(stream.streamType())) {
          newAudio = stream;
        }
      }
      if (newVideo == null && newAudio == null) {
        throw MalformedMediaException.atOffset(
            demuxer.currentPacketOffset(),
            "no supported elementary stream (H.264, H.265, AAC ADTS) in the PMT");
      }
      boolean changed =
          referencePid >= 0
              && (!java.util.Objects.equals(newVideo, video)
                  || !java.util.Objects.equals(newAudio, audio));
      if (changed) {
        startDiscontinuity();
      }
      video = newVideo;
      audio = newAudio;
      videoReader = video == null ? null : readers.forType(video.streamType());
      audioReader = audio == null ? null : readers.forType(audio.streamType());
      referencePid = video != null ? video.pid() : audio.pid();
    }

    @Override
    public void onPes(ElementaryStream stream, PesPacket pes) {
      boolean keyframe = false;
      long pesDuration90k = 0;
      if (stream.equals(video)) {
        videoReader.consume(
            pes.data(), pes.payloadOffset(), pes.payloadLength(), pes.inputOffset());
        keyframe = videoReader.randomAccess();
      } else if (stream.equals(audio)) {
        audioReader.consume(
            pes.data(), pes.payloadOffset(), pes.payloadLength(), pes.inputOffset());
        pesDuration90k = audioReader.duration90k();
      }
      if (pes.pts90k() == PesPacket.NO_TIMESTAMP) {
        return;
      }
      long pts = unwrapBase + unwrapper.unwrap(pes.pts90k());
      long dts = unwrapBase + unwrapper.unwrap(pes.dts90k());
      lastUnwrapped = dts;
      if (stream.pid() == referencePid) {
        onReferenceFrame(pts, dts, video == null || keyframe, pesDuration90k);
      }
    }
  }

  /** A complete PES of the reference stream, which started at {@link #pendingStart}. */
  private void onReferenceFrame(long pts, long dts, boolean cutCandidate, long duration90k) {
    if (pendingStart < 0) {
      return; // its start was dropped with bytes before the first keyframe
    }
    long delta = dts - lastReferenceDts;
    boolean jump = haveLastDts && (delta < 0 || delta > MAX_TIMESTAMP_GAP_90K);
    if (segmentOpen && jump) {
      startDiscontinuity();
    }
    if (segmentOpen
        && cutCandidate
        && video != null
        && !currentVideoCodecs().equals(segmentVideoCodecs)) {
      startDiscontinuity(); // codec, profile, level or resolution changed
    }
    if (!segmentOpen) {
      if (cutCandidate) {
        openSegment(pts, dts, nextOpenDiscontinuity);
      } else {
        // Before the first keyframe: nothing here can start a segment.
        segmentBytes.replaceFront(segmentBytes.length(), psiPrefix, 0);
        pendingStart = -1;
        pendingPsiStart = -1;
        psiRunStart = -1;
      }
    } else if (cutCandidate && (pendingDiscontinuity || gridReached(pts))) {
      long endPts = pendingDiscontinuity ? frozenEndPts : pts;
      boolean discontinuity = pendingDiscontinuity;
      CutterState next = boundaryState(discontinuity);
      emitSegment(pendingPsiStart >= 0 ? pendingPsiStart : pendingStart, endPts, next);
      openSegment(pts, dts, discontinuity);
    } else if (partTargetUs > 0) {
      maybeClosePart(pts, dts);
    }
    if (jump || !haveLastDts) {
      haveLastDts = true;
    } else if (delta > 0 && video != null) {
      frameDuration90k = delta;
    }
    if (video == null && duration90k > 0) {
      frameDuration90k = duration90k;
    }
    lastReferenceDts = dts;
    if (segmentOpen && !pendingDiscontinuity) {
      maxPtsInSegment = Math.max(maxPtsInSegment, pts);
    }
  }

  /** ffmpeg hlsenc: cut when (pts − origin) ≥ n × target, compared exactly in 90 kHz × µs. */
  private boolean gridReached(long pts) {
    return (pts - gridOriginPts) * 100 >= targetDurationUs * 9 * segmentsInDiscontinuity;
  }

  private void startDiscontinuity() {
    if (segmentOpen && !pendingDiscontinuity) {
      pendingDiscontinuity = true;
      frozenEndPts = maxPtsInSegment + frameDuration90k;
    }
  }

  /**
   * Starts a segment with the pending reference PES (a keyframe): what lies before its cut position
   * has been emitted or is dropped.
   */
  private void openSegment(long pts, long dts, boolean discontinuity) {
    int cutPos = pendingPsiStart >= 0 ? pendingPsiStart : pendingStart;
    int prefixLength = 0;
    if (pendingPsiStart < 0) {
      // Every segment starts with PAT and PMT (RFC 8216bis §3.3.2): repeat the last ones seen.
      if (patPacket != null) {
        System.arraycopy(patPacket, 0, psiPrefix, 0, TS_PACKET_SIZE);
        prefixLength += TS_PACKET_SIZE;
      }
      if (pmtPacket != null) {
        System.arraycopy(pmtPacket, 0, psiPrefix, prefixLength, TS_PACKET_SIZE);
        prefixLength += TS_PACKET_SIZE;
      }
    }
    segmentBytes.replaceFront(cutPos, psiPrefix, prefixLength);
    int shift = prefixLength - cutPos;
    pendingStart += shift;
    if (psiRunStart >= 0) {
      psiRunStart += shift;
    }
    segmentInputOffset = pendingPsiStart >= 0 ? pendingPsiOffset : pendingOffset;
    pendingPsiStart = -1;
    segmentOpen = true;
    segmentIndex++;
    segmentStartPts = pts;
    segmentDiscontinuity = discontinuity;
    segmentVideoCodecs = currentVideoCodecs();
    segmentVideoKey = videoKey();
    segmentWidth = currentWidth();
    segmentHeight = currentHeight();
    maxPtsInSegment = pts;
    if (discontinuity || segmentIndex == 0 || pendingDiscontinuity) {
      gridOriginPts = pts;
      segmentsInDiscontinuity = 1;
    } else {
      segmentsInDiscontinuity++;
    }
    pendingDiscontinuity = false;
    partStart = 0;
    partStartDts = dts;
    partStartPts = pts;
    partIndependent = true;
    partIndex = 0;
    partsDuration90k = 0;
  }

  /**
   * The part target in effect, microseconds (rounded up from whole frames at 90 kHz, so no part's
   * duration exceeds it): the largest whole number of reference frames (at least one) not longer
   * than the requested target, fixed once the first frame duration is known. 0 before that, or
   * without parts.
   */
  public long partTargetUs() {
    return (partTarget90k * 100 + 8) / 9;
  }

  /**
   * Closes the open part before the pending PES (at {@code pts}/{@code dts}) when that PES would
   * take it past the part target. With a constant frame rate every part but a segment's last is
   * then exactly the target (RFC 8216bis §4.4.4.9: at least 85 % of it).
   */
  private void maybeClosePart(long pts, long dts) {
    if (partTarget90k == 0) {
      if (frameDuration90k <= 0) {
        return; // the first frames of the stream: no frame duration yet
      }
      long frames = Math.max(1, partTargetUs * 9 / 100 / frameDuration90k);
      partTarget90k = Math.min(frames * frameDuration90k, targetDurationUs * 9 / 100);
    }
    long withFrame90k = dts + Math.max(frameDuration90k, 0) - partStartDts;
    if (withFrame90k <= partTarget90k || pendingStart <= partStart) {
      return;
    }
    long duration90k = dts - partStartDts;
    listener.onPart(
        new CutPart(
            segmentIndex,
            partIndex,
            duration90k * 100 / 9,
            partIndependent,
            segmentBytes.data(partStart, pendingStart),
            segmentBytes.ranges(partStart, pendingStart),
            partStartPts,
            segmentDiscontinuity));
    partsDuration90k += duration90k;
    partIndex++;
    partStart = pendingStart;
    partStartDts = dts;
    partStartPts = pts;
    partIndependent = video == null; // later parts of a video segment start on non-keyframes
  }

  /**
   * The state to resume from at the pending cut, taken before the keyframe there is applied: the
   * resumed cutter applies it again.
   */
  private CutterState boundaryState(boolean discontinuity) {
    return new CutterState(
        pendingPsiStart >= 0 ? pendingPsiOffset : pendingOffset,
        segmentIndex,
        discontinuity,
        gridOriginPts,
        segmentsInDiscontinuity,
        haveLastDts,
        lastReferenceDts,
        frameDuration90k,
        lastUnwrapped,
        candidatePat,
        candidatePmt,
        readers.h264Sps(),
        readers.h265Sps(),
        readers.audioCodecs(),
        partTarget90k);
  }

  private void emitSegment(int endPos, long endPts, CutterState next) {
    long duration90k = Math.max(0, endPts - segmentStartPts);
    if (partTargetUs > 0 && endPos > partStart) {
      listener.onPart(
          new CutPart(
              segmentIndex,
              partIndex,
              Math.max(0, duration90k - partsDuration90k) * 100 / 9,
              partIndependent,
              segmentBytes.data(partStart, endPos),
              segmentBytes.ranges(partStart, endPos),
              partStartPts,
              segmentDiscontinuity));
    }
    listener.onSegment(
        new CutSegment(
            segmentIndex,
            segmentStartPts,
            duration90k * 100 / 9,
            segmentDiscontinuity,
            segmentInputOffset,
            new MediaInfo(codecs(), segmentWidth, segmentHeight),
            segmentBytes.data(0, endPos),
            segmentBytes.ranges(0, endPos)),
        next);
  }

  private String codecs() {
    String audioCodecs = audio != null ? audioReader.codecs() : null;
    if (segmentVideoCodecs.isEmpty()) {
      return audioCodecs == null ? "" : audioCodecs;
    }
    return audioCodecs == null ? segmentVideoCodecs : segmentVideoCodecs + "," + audioCodecs;
  }

  private String currentVideoCodecs() {
    return video == null ? "" : videoReader.codecs();
  }

  /** Codecs and resolution of the active SPS, null before the first SPS. */
  private String videoKey() {
    if (video == null) {
      return "";
    }
    return videoReader.configured()
        ? currentVideoCodecs() + " " + currentWidth() + "x" + currentHeight()
        : null;
  }

  private int currentWidth() {
    return video == null ? 0 : videoReader.width();
  }

  private int currentHeight() {
    return video == null ? 0 : videoReader.height();
  }
}
