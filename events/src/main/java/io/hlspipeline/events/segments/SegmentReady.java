package io.hlspipeline.events.segments;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A whole segment is stored and may be listed in playlists.
 *
 * @param v schema version ({@link SegmentEvent#SCHEMA_VERSION})
 * @param streamId the stream
 * @param rendition the rendition ({@code src} without transcoding)
 * @param sessionId the publish session that produced it
 * @param msn media sequence number, increasing by one per segment over the stream's life (across
 *     sessions)
 * @param durationUs exact duration from PTS, microseconds
 * @param startPts90k PTS of its first frame, unwrapped 64-bit, 90 kHz
 * @param programDateTime wall time of its first frame: session start + (PTS − first PTS)
 * @param discontinuitySequence the discontinuity sequence number this segment belongs to
 * @param discontinuity true when an EXT-X-DISCONTINUITY precedes this segment
 * @param targetDurationSec the session's fixed EXT-X-TARGETDURATION
 * @param codecs RFC 6381 codecs, e.g. {@code avc1.64001f,mp4a.40.2}
 * @param width video width in pixels, 0 without video
 * @param height video height in pixels, 0 without video
 * @param sizeBytes object size in bytes
 * @param storageKey the object key on the storage servers
 * @param servers ids of the storage servers holding it, in read order
 * @param segmentFormat the segment's container (schema 2; absent in schema 1 events, which are all
 *     {@link SegmentFormat#TS})
 * @param initKey the object key of the fMP4 init segment this segment needs ({@code EXT-X-MAP}),
 *     null for TS (schema 2)
 * @param initServers ids of the storage servers holding the init segment, in read order; empty for
 *     TS (schema 2)
 */
public record SegmentReady(
    int v,
    String streamId,
    String rendition,
    String sessionId,
    long msn,
    long durationUs,
    long startPts90k,
    Instant programDateTime,
    long discontinuitySequence,
    boolean discontinuity,
    int targetDurationSec,
    String codecs,
    int width,
    int height,
    long sizeBytes,
    String storageKey,
    List<String> servers,
    SegmentFormat segmentFormat,
    String initKey,
    List<String> initServers)
    implements SegmentEvent {
  public SegmentReady {
    segmentFormat = segmentFormat == null ? SegmentFormat.TS : segmentFormat;
    initServers = initServers == null ? List.of() : List.copyOf(initServers);
    if ((segmentFormat == SegmentFormat.FMP4) != (initKey != null)) {
      throw new IllegalArgumentException("an fMP4 segment, and only one, names an init segment");
    }
    Objects.requireNonNull(streamId, "streamId");
    Objects.requireNonNull(rendition, "rendition");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(programDateTime, "programDateTime");
    Objects.requireNonNull(storageKey, "storageKey");
    servers = servers == null ? List.of() : List.copyOf(servers);
    codecs = codecs == null ? "" : codecs;
    if (msn < 0 || durationUs < 0 || sizeBytes < 0) {
      throw new IllegalArgumentException("negative msn, duration or size");
    }
  }

  /** A TS segment (as schema 1 events describe). */
  public SegmentReady(
      int v,
      String streamId,
      String rendition,
      String sessionId,
      long msn,
      long durationUs,
      long startPts90k,
      Instant programDateTime,
      long discontinuitySequence,
      boolean discontinuity,
      int targetDurationSec,
      String codecs,
      int width,
      int height,
      long sizeBytes,
      String storageKey,
      List<String> servers) {
    this(
        v,
        streamId,
        rendition,
        sessionId,
        msn,
        durationUs,
        startPts90k,
        programDateTime,
        discontinuitySequence,
        discontinuity,
        targetDurationSec,
        codecs,
        width,
        height,
        sizeBytes,
        storageKey,
        servers,
        SegmentFormat.TS,
        null,
        List.of());
  }

  /** Average bitrate of this segment in bits per second. */
  public long bitrateBps() {
    return durationUs == 0 ? 0 : sizeBytes * 8L * 1_000_000L / durationUs;
  }
}
