package io.hlspipeline.edge.window;

import io.hlspipeline.events.segments.PartReady;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentFormat;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.segments.StreamEnded;
import java.time.Instant;
import java.util.List;

/** Test events: 2-second segments whose PDT is T0 + 2 s × msn. */
public final class Segments {
  public static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  public static final long TWO_SECONDS_US = 2_000_000;

  private Segments() {}

  public static SegmentReady segment(String stream, String session, long msn) {
    return segment(stream, session, msn, TWO_SECONDS_US, 0, false);
  }

  public static SegmentReady segment(
      String stream, String session, long msn, long durationUs, long dsn, boolean discontinuity) {
    return new SegmentReady(
        SegmentEvent.SCHEMA_VERSION,
        stream,
        "src",
        session,
        msn,
        durationUs,
        msn * 180_000,
        T0.plusSeconds(2 * msn),
        dsn,
        discontinuity,
        2,
        "avc1.64001f,mp4a.40.2",
        1280,
        720,
        250_000,
        stream + "/src/" + session + "/" + msn + ".ts",
        List.of("s3-a", "s3-b"));
  }

  /** Part target of the test parts: 0.5 s, four parts to a 2-second segment. */
  public static final long PART_TARGET_US = 500_000;

  /** Part {@code index} (0..3) of segment {@code msn}: 0.5 s, independent when first. */
  public static PartReady part(String stream, String session, long msn, int index) {
    return part(stream, session, msn, index, false);
  }

  /** As {@link #part(String, String, long, int)}, flagged a discontinuity when asked. */
  public static PartReady part(
      String stream, String session, long msn, int index, boolean discontinuity) {
    return new PartReady(
        SegmentEvent.SCHEMA_VERSION,
        stream,
        "src",
        session,
        msn,
        index,
        PART_TARGET_US,
        index == 0,
        40_000,
        stream + "/src/" + session + "/" + msn + "." + index + ".ts",
        List.of("s3-a"),
        PART_TARGET_US,
        msn * 180_000 + index * 45_000L,
        T0.plusSeconds(2 * msn).plusMillis(500L * index),
        0,
        discontinuity,
        2,
        SegmentFormat.TS,
        null,
        List.of());
  }

  /** Segment {@code msn} in fMP4, naming the init segment {@code init-{initId}.mp4}. */
  public static SegmentReady fmp4(
      String stream, String session, long msn, String initId, boolean discontinuity) {
    SegmentReady ts = segment(stream, session, msn, TWO_SECONDS_US, 0, discontinuity);
    return new SegmentReady(
        ts.v(),
        stream,
        "src",
        session,
        msn,
        ts.durationUs(),
        ts.startPts90k(),
        ts.programDateTime(),
        ts.discontinuitySequence(),
        discontinuity,
        ts.targetDurationSec(),
        ts.codecs(),
        ts.width(),
        ts.height(),
        ts.sizeBytes(),
        stream + "/src/" + session + "/" + msn + ".m4s",
        ts.servers(),
        SegmentFormat.FMP4,
        stream + "/src/" + session + "/init-" + initId + ".mp4",
        List.of("s3-b"));
  }

  public static StreamEnded ended(String stream, String session, long lastMsn) {
    return new StreamEnded(SegmentEvent.SCHEMA_VERSION, stream, "src", session, lastMsn, T0);
  }
}
