package io.hlspipeline.catalog;

import io.hlspipeline.events.segments.PartReady;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentFormat;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.segments.StreamEnded;
import java.time.Instant;
import java.util.List;

/** Test events with deterministic, distinct field values per msn. */
public final class SegmentEvents {
  public static final Instant SESSION_START = Instant.parse("2025-03-01T12:00:00.123456789Z");
  public static final long SEGMENT_DURATION_US = 4_000_000;

  private SegmentEvents() {}

  /** Segment {@code msn} of {@code session}, 4 s long, starting 4 s × msn after SESSION_START. */
  public static SegmentReady segment(String streamId, String session, long msn) {
    return new SegmentReady(
        SegmentEvent.SCHEMA_VERSION,
        streamId,
        "src",
        session,
        msn,
        SEGMENT_DURATION_US + msn, // distinct per msn, so a mixed-up row shows
        900_000 + msn * 360_000,
        SESSION_START.plusNanos(msn * SEGMENT_DURATION_US * 1000 + 333),
        2,
        msn == 0,
        4,
        "avc1.64001f,mp4a.40.2",
        1280,
        720,
        1_000_000 + msn,
        streamId + "/src/" + session + "/" + msn + ".ts",
        List.of("s3-1", "s3-0"));
  }

  /** Segment {@code msn} as an fMP4 segment naming the init segment {@code init-<initId>.mp4}. */
  public static SegmentReady fmp4Segment(String streamId, String session, long msn, String initId) {
    SegmentReady ts = segment(streamId, session, msn);
    return new SegmentReady(
        ts.v(),
        ts.streamId(),
        ts.rendition(),
        ts.sessionId(),
        ts.msn(),
        ts.durationUs(),
        ts.startPts90k(),
        ts.programDateTime(),
        ts.discontinuitySequence(),
        ts.discontinuity(),
        ts.targetDurationSec(),
        ts.codecs(),
        ts.width(),
        ts.height(),
        ts.sizeBytes(),
        streamId + "/src/" + session + "/" + msn + ".m4s",
        ts.servers(),
        SegmentFormat.FMP4,
        streamId + "/src/" + session + "/init-" + initId + ".mp4",
        List.of("s3-0", "s3-1"));
  }

  public static StreamEnded ended(String streamId, String session, long lastMsn) {
    return new StreamEnded(
        SegmentEvent.SCHEMA_VERSION,
        streamId,
        "src",
        session,
        lastMsn,
        Instant.parse("2025-03-01T13:00:00.5Z"));
  }

  public static PartReady part(String streamId, String session, long msn, int partIndex) {
    return new PartReady(
        SegmentEvent.SCHEMA_VERSION,
        streamId,
        "src",
        session,
        msn,
        partIndex,
        1_000_000,
        true,
        1000,
        streamId + "/src/" + session + "/" + msn + "." + partIndex + ".ts",
        List.of("s3-0"),
        333_333,
        90_000L * msn,
        Instant.parse("2025-03-01T12:00:00Z").plusSeconds(msn),
        0,
        false,
        2,
        SegmentFormat.TS,
        null,
        List.of());
  }
}
