package io.hlspipeline.events.segments;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A low-latency partial segment (LL-HLS {@code EXT-X-PART}) is stored and may be listed. On the
 * stream's partition the parts of segment {@code msn} come in order (part 0, 1, ...) and before
 * that segment's {@link SegmentReady}; a segment's parts, concatenated, play exactly what the
 * segment plays (the segment object itself is stored separately). The part is its own object
 * ({@code {streamId}/{rendition}/{sessionId}/{msn}.{partIndex}.ts} or {@code .m4s}), stored before
 * this event is committed; a part cut again after a fail-over has the same bytes and key.
 *
 * @param v schema version ({@link SegmentEvent#SCHEMA_VERSION})
 * @param msn the msn of the segment this part belongs to
 * @param partIndex index of the part within its segment, from 0
 * @param durationUs exact duration, microseconds
 * @param independent true when the part starts with a keyframe (always for part 0)
 * @param sizeBytes object size in bytes
 * @param storageKey the part's object key
 * @param servers ids of the storage servers holding it, in read order
 * @param partTargetUs the session's part target (EXT-X-PART-INF PART-TARGET), microseconds; no part
 *     is longer
 * @param startPts90k PTS of the part's first frame, unwrapped 64-bit, 90 kHz
 * @param programDateTime wall time of the part's first frame (as {@link
 *     SegmentReady#programDateTime()})
 * @param discontinuitySequence the discontinuity sequence number of the segment
 * @param discontinuity true when an EXT-X-DISCONTINUITY precedes the segment (same value on every
 *     part of it)
 * @param targetDurationSec the session's fixed EXT-X-TARGETDURATION
 * @param segmentFormat the container of the part (that of its segment)
 * @param initKey the fMP4 init segment the part needs ({@code EXT-X-MAP}), null for TS
 * @param initServers ids of the storage servers holding the init segment; empty for TS
 */
public record PartReady(
    int v,
    String streamId,
    String rendition,
    String sessionId,
    long msn,
    int partIndex,
    long durationUs,
    boolean independent,
    long sizeBytes,
    String storageKey,
    List<String> servers,
    long partTargetUs,
    long startPts90k,
    Instant programDateTime,
    long discontinuitySequence,
    boolean discontinuity,
    int targetDurationSec,
    SegmentFormat segmentFormat,
    String initKey,
    List<String> initServers)
    implements SegmentEvent {
  public PartReady {
    Objects.requireNonNull(streamId, "streamId");
    Objects.requireNonNull(rendition, "rendition");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(storageKey, "storageKey");
    servers = servers == null ? List.of() : List.copyOf(servers);
    segmentFormat = segmentFormat == null ? SegmentFormat.TS : segmentFormat;
    initServers = initServers == null ? List.of() : List.copyOf(initServers);
    if ((segmentFormat == SegmentFormat.FMP4) != (initKey != null)) {
      throw new IllegalArgumentException("an fMP4 part, and only one, names an init segment");
    }
    if (msn < 0 || partIndex < 0 || durationUs < 0 || sizeBytes < 0 || partTargetUs < 0) {
      throw new IllegalArgumentException("negative msn, part index, duration, size or target");
    }
  }

  /** The URI file name of this part relative to its media playlist: {@code {msn}.{part}.ts|m4s}. */
  public String fileName() {
    return msn + "." + partIndex + (segmentFormat == SegmentFormat.FMP4 ? ".m4s" : ".ts");
  }
}
