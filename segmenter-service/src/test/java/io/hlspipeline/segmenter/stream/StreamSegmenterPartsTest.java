package io.hlspipeline.segmenter.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.events.segments.PartReady;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentFormat;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.segmenter.stream.StreamSegmenter.Cut;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PartReady events from the session segmenter over the timestamp-jump sample (two 3 s clips, the
 * second 1000 s later), fed as ingest would in real time: each part carries its segment's msn,
 * discontinuity and program-date-time, also across the re-anchoring jump.
 */
class StreamSegmenterPartsTest {
  private static final Instant STARTED = Instant.parse("2026-01-01T12:00:00Z");
  private static final Path SAMPLE = Path.of("../media/src/test/resources/samples/ts_jump.ts");
  private static final int CHUNK_BYTES = 188 * 20;

  private static StreamSegmenter session() {
    return new StreamSegmenter(
        "cam1",
        "s1",
        STARTED,
        Duration.ofSeconds(2),
        Duration.ofMillis(334),
        0,
        0,
        0,
        false,
        0,
        SegmentFormat.TS);
  }

  @Test
  void parts_carryTheirSegmentsMsnDiscontinuityAndProgramDateTime_acrossAJump() throws Exception {
    byte[] ts = Files.readAllBytes(SAMPLE);
    StreamSegmenter s = session();
    List<SegmentEvent> events = new ArrayList<>();
    int chunks = (ts.length + CHUNK_BYTES - 1) / CHUNK_BYTES;
    for (int i = 0; i < chunks; i++) {
      byte[] chunk =
          Arrays.copyOfRange(ts, i * CHUNK_BYTES, Math.min(ts.length, (i + 1) * CHUNK_BYTES));
      Instant at = STARTED.plusNanos(6_000_000_000L * i / chunks);
      describe(s, s.acceptCuts(i + 1, at, chunk), events);
    }
    describe(s, s.finishCuts(), events);

    List<SegmentReady> segments =
        events.stream()
            .filter(SegmentReady.class::isInstance)
            .map(SegmentReady.class::cast)
            .toList();
    assertThat(segments).extracting(SegmentReady::discontinuity).contains(true);
    List<PartReady> open = new ArrayList<>();
    for (SegmentEvent e : events) {
      if (e instanceof PartReady p) {
        open.add(p);
        continue;
      }
      SegmentReady segment = (SegmentReady) e;
      assertThat(open).hasSizeGreaterThan(1);
      for (PartReady p : open) {
        assertThat(p.msn()).isEqualTo(segment.msn());
        assertThat(p.partTargetUs()).isEqualTo(320_000); // 8 frames at 25 fps
        assertThat(p.discontinuity()).isEqualTo(segment.discontinuity());
        assertThat(p.discontinuitySequence()).isEqualTo(segment.discontinuitySequence());
        long offsetNanos = (p.startPts90k() - segment.startPts90k()) * 100_000L / 9;
        assertThat(p.programDateTime()).isEqualTo(segment.programDateTime().plusNanos(offsetNanos));
      }
      assertThat(open.get(0).programDateTime()).isEqualTo(segment.programDateTime());
      open.clear();
    }
    // The jumped segment is placed by the ingest clock (~3 s in), not by its PTS (1000 s later).
    SegmentReady jumped = segments.stream().filter(SegmentReady::discontinuity).findFirst().get();
    assertThat(Duration.between(STARTED, jumped.programDateTime()))
        .isBetween(Duration.ofMillis(2_500), Duration.ofMillis(4_500));
  }

  @Test
  void resetAfterAnnouncedParts_spendsTheMsn_soNoKeyIsWrittenTwice() throws Exception {
    byte[] ts = Files.readAllBytes(SAMPLE);
    StreamSegmenter s = session();
    List<SegmentEvent> events = new ArrayList<>();
    // About 1 s of the first segment: parts of msn 0 are announced, the segment is not.
    int bytes = ts.length / 6 / 188 * 188;
    describe(s, s.acceptCuts(1, STARTED, Arrays.copyOf(ts, bytes)), events);
    assertThat(events).isNotEmpty().allMatch(e -> e instanceof PartReady p && p.msn() == 0);
    s.resetCutter();
    assertThat(s.nextMsn()).isEqualTo(1);
    // Without announced parts a reset keeps the msn.
    StreamSegmenter quiet = session();
    quiet.acceptCuts(1, STARTED, Arrays.copyOf(ts, 188 * 50));
    quiet.resetCutter();
    assertThat(quiet.nextMsn()).isZero();
  }

  private static void describe(StreamSegmenter s, List<Cut> cuts, List<SegmentEvent> out) {
    for (Cut c : cuts) {
      if (c.isPart()) {
        out.add(s.describePart(c.part(), "k/p" + c.part().partIndex(), List.of("s3-0"), 1));
      } else {
        out.add(s.describe(c.segment(), "k/" + c.segment().index(), List.of("s3-0"), 1));
      }
    }
  }
}
