package io.hlspipeline.segmenter.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.events.segments.SegmentFormat;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.state.SegmenterState;
import io.hlspipeline.media.cut.CutSegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Program-date-time over the media core's timestamp-jump sample: two 3 s clips concatenated, the
 * second with {@code -output_ts_offset 1000}, fed as if ingest received it in real time.
 */
class StreamSegmenterProgramDateTimeTest {
  private static final Instant STARTED = Instant.parse("2026-01-01T12:00:00Z");
  private static final Path SAMPLE = Path.of("../media/src/test/resources/samples/ts_jump.ts");
  private static final int CHUNK_BYTES = 188 * 70;
  private static final double SAMPLE_SECONDS = 6.0;

  @Test
  void timestampJump_reanchorsToIngestClock_andStaysMonotonic() throws Exception {
    List<SegmentReady> events = segmentAll(Files.readAllBytes(SAMPLE), -1);

    assertThat(events).hasSizeGreaterThanOrEqualTo(3);
    SegmentReady jumped = events.stream().filter(SegmentReady::discontinuity).findFirst().get();
    assertThat(jumped.startPts90k() - events.get(0).startPts90k())
        .as("the sample jumps 1000 s")
        .isGreaterThan(900 * 90_000L);
    // Ingest received the jump about 3 s into the broadcast: the wall clock, not PTS, places it.
    Duration offset = Duration.between(STARTED, jumped.programDateTime());
    assertThat(offset).isBetween(Duration.ofMillis(2_500), Duration.ofMillis(4_500));
    for (int i = 1; i < events.size(); i++) {
      Instant previousEnd =
          events.get(i - 1).programDateTime().plusNanos(events.get(i - 1).durationUs() * 1000);
      assertThat(events.get(i).programDateTime()).isAfterOrEqualTo(previousEnd);
      if (!events.get(i).discontinuity()) {
        assertThat(events.get(i).programDateTime()).isEqualTo(previousEnd);
      }
    }
  }

  @Test
  void resumeAfterTheJump_describesTheSameProgramDateTimes() throws Exception {
    byte[] ts = Files.readAllBytes(SAMPLE);
    List<SegmentReady> clean = segmentAll(ts, -1);
    int jumpIndex = 0;
    while (!clean.get(jumpIndex).discontinuity()) {
      jumpIndex++;
    }
    // A worker dies right after describing the jumped segment; another resumes from its state.
    List<SegmentReady> resumed = segmentAll(ts, jumpIndex);
    assertThat(resumed).isEqualTo(clean);
  }

  /** Segments the sample; with {@code resumeAfter} ≥ 0 a fresh segmenter resumes after it. */
  private static List<SegmentReady> segmentAll(byte[] ts, int resumeAfter) throws Exception {
    StreamSegmenter s =
        new StreamSegmenter(
            "cam1", "s1", STARTED, Duration.ofSeconds(2), 0, 0, 0, false, 0, SegmentFormat.TS);
    List<SegmentReady> events = new ArrayList<>();
    int chunks = (ts.length + CHUNK_BYTES - 1) / CHUNK_BYTES;
    for (int i = 0; i < chunks; i++) {
      byte[] chunk =
          Arrays.copyOfRange(ts, i * CHUNK_BYTES, Math.min(ts.length, (i + 1) * CHUNK_BYTES));
      long offset = i + 1;
      if (resumeAfter >= 0 && s.lastMsn() == resumeAfter) {
        SegmenterState state = s.state();
        s = StreamSegmenter.resume(state, Duration.ofSeconds(2));
        i = (int) state.ingestOffset() - 1 - 1;
        resumeAfter = -1;
        continue;
      }
      Instant at = STARTED.plusNanos((long) (SAMPLE_SECONDS * 1e9 * i / chunks));
      describe(s, s.accept(offset, at, chunk), events);
    }
    describe(s, s.finish(), events);
    return events;
  }

  private static void describe(StreamSegmenter s, List<CutSegment> cut, List<SegmentReady> out) {
    for (CutSegment segment : cut) {
      out.add(s.describe(segment, "k/" + segment.index(), List.of("s3-0"), 1));
    }
  }
}
