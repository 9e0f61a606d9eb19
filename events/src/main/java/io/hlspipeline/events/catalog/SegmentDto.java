package io.hlspipeline.events.catalog;

import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentReady;
import java.time.Instant;
import java.util.List;

/** One segment of the master record; the same fields as {@link SegmentReady}. */
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
    List<String> servers) {
  public SegmentDto {
    servers = servers == null ? List.of() : List.copyOf(servers);
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
        e.servers());
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
        servers);
  }
}
