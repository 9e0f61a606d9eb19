package io.hlspipeline.events.catalog;

import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentFormat;
import io.hlspipeline.events.segments.SegmentReady;
import java.time.Instant;
import java.util.List;

/**
 * One segment of the master record; the same fields as {@link SegmentReady} ({@code segmentFormat}
 * TS, {@code initKey} null and {@code initServers} empty for segments recorded before fMP4).
 */
public record SegmentDto(
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
    List<String> initServers) {
  public SegmentDto {
    servers = servers == null ? List.of() : List.copyOf(servers);
    segmentFormat = segmentFormat == null ? SegmentFormat.TS : segmentFormat;
    initServers = initServers == null ? List.of() : List.copyOf(initServers);
  }

  /** This segment as held by {@code servers} (after a storage repair). */
  public SegmentDto withServers(List<String> servers) {
    return withCopies(servers, initServers);
  }

  /** This fMP4 segment with its init segment held by {@code initServers} (after a repair). */
  public SegmentDto withInitServers(List<String> initServers) {
    return withCopies(servers, initServers);
  }

  private SegmentDto withCopies(List<String> servers, List<String> initServers) {
    return new SegmentDto(
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
        segmentFormat,
        initKey,
        initServers);
  }

  public static SegmentDto from(SegmentReady e) {
    return new SegmentDto(
        e.streamId(),
        e.rendition(),
        e.sessionId(),
        e.msn(),
        e.durationUs(),
        e.startPts90k(),
        e.programDateTime(),
        e.discontinuitySequence(),
        e.discontinuity(),
        e.targetDurationSec(),
        e.codecs(),
        e.width(),
        e.height(),
        e.sizeBytes(),
        e.storageKey(),
        e.servers(),
        e.segmentFormat(),
        e.initKey(),
        e.initServers());
  }

  public SegmentReady toEvent() {
    return new SegmentReady(
        SegmentEvent.SCHEMA_VERSION,
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
        segmentFormat,
        initKey,
        initServers);
  }
}
