package io.hlspipeline.edge.window;

import io.hlspipeline.events.segments.SegmentEvent;
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

  public static StreamEnded ended(String stream, String session, long lastMsn) {
    return new StreamEnded(SegmentEvent.SCHEMA_VERSION, stream, "src", session, lastMsn, T0);
  }
}
