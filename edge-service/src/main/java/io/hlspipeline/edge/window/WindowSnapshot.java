package io.hlspipeline.edge.window;

import io.hlspipeline.events.segments.PartReady;
import io.hlspipeline.events.segments.SegmentReady;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An immutable copy of a rendition's window.
 *
 * @param segments held segments in increasing msn order (may have gaps where the edge never learned
 *     of a segment)
 * @param currentSessionId the session of the newest held segment
 * @param ended true when that session has ended (a StreamEnded for it arrived)
 * @param parts the Partial Segments held, by msn: for each msn a run of parts from index 0 in
 *     order; msns above the newest segment's are segments still being written (open). Empty for a
 *     stream without low-latency parts.
 */
public record WindowSnapshot(
    List<SegmentReady> segments,
    String currentSessionId,
    boolean ended,
    Map<Long, List<PartReady>> parts) {
  public WindowSnapshot {
    segments = List.copyOf(segments);
    TreeMap<Long, List<PartReady>> copy = new TreeMap<>();
    parts.forEach((msn, list) -> copy.put(msn, List.copyOf(list)));
    parts = Collections.unmodifiableNavigableMap(copy);
  }

  /** A window without parts. */
  public WindowSnapshot(List<SegmentReady> segments, String currentSessionId, boolean ended) {
    this(segments, currentSessionId, ended, Map.of());
  }

  public boolean isEmpty() {
    return segments.isEmpty();
  }

  /** The newest held segment's msn, -1 when none. */
  public long newestMsn() {
    return segments.isEmpty() ? -1 : segments.get(segments.size() - 1).msn();
  }

  /** The held parts of segment {@code msn}, in order; empty if none. */
  public List<PartReady> partsOf(long msn) {
    return parts.getOrDefault(msn, List.of());
  }

  /**
   * True when the window serves low-latency HLS: it holds parts. Streams without parts are served
   * as plain HLS.
   */
  public boolean lowLatency() {
    return partTargetUs() > 0;
  }

  /**
   * {@code EXT-X-PART-INF:PART-TARGET} in µs: the part target of the newest held part, 0 when no
   * part is held.
   */
  public long partTargetUs() {
    if (parts.isEmpty()) {
      return 0;
    }
    List<PartReady> newest = ((NavigableMap<Long, List<PartReady>>) parts).lastEntry().getValue();
    return newest.isEmpty() ? 0 : newest.get(newest.size() - 1).partTargetUs();
  }

  /**
   * The parts of the segment being written (msn = newest msn + 1) that a playlist lists after its
   * last complete segment: none when that segment starts a discontinuity, another session or
   * another init segment, because a playlist has no place for those tags before trailing parts
   * (they are listed once the segment is complete).
   */
  public List<PartReady> listableOpenParts() {
    if (segments.isEmpty()) {
      return List.of();
    }
    SegmentReady newest = segments.get(segments.size() - 1);
    return listableOpenParts(newest, partsOf(newest.msn() + 1));
  }

  /** See {@link #listableOpenParts()}: {@code open} are the held parts of msn newest + 1. */
  static List<PartReady> listableOpenParts(SegmentReady newest, List<PartReady> open) {
    if (open.isEmpty()) {
      return List.of();
    }
    PartReady first = open.get(0);
    boolean continues =
        !first.discontinuity()
            && first.sessionId().equals(newest.sessionId())
            && first.discontinuitySequence() == newest.discontinuitySequence()
            && first.segmentFormat() == newest.segmentFormat()
            && Objects.equals(first.initKey(), newest.initKey());
    return continues ? open : List.of();
  }
}
