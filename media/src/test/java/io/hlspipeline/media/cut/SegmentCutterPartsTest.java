package io.hlspipeline.media.cut;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The low-latency part rules of RFC 8216bis §4.4.4.9 and issue #9, over the sample files. */
class SegmentCutterPartsTest {
  private static final long TARGET_US = 2_000_000;
  private static final long REQUESTED_PART_US = 334_000;

  /** A cutter run with parts, keeping the cutter (for its part target) and boundary states. */
  private record Run(
      SegmentCutter cutter,
      List<CutSegment> segments,
      List<CutPart> parts,
      List<CutterState> states) {}

  private static Run cut(byte[] input, CutterState from, int chunk) throws Exception {
    List<CutSegment> segments = new ArrayList<>();
    List<CutPart> parts = new ArrayList<>();
    List<CutterState> states = new ArrayList<>();
    SegmentCutter.Listener listener =
        new SegmentCutter.Listener() {
          @Override
          public void onSegment(CutSegment segment) {}

          @Override
          public void onSegment(CutSegment segment, CutterState next) {
            segments.add(segment);
            states.add(next);
          }

          @Override
          public void onPart(CutPart part) {
            parts.add(part);
          }
        };
    SegmentCutter cutter =
        from == null
            ? new SegmentCutter(TARGET_US, REQUESTED_PART_US, listener)
            : SegmentCutter.resume(from, TARGET_US, REQUESTED_PART_US, listener);
    int start = from == null ? 0 : (int) from.nextInputOffset();
    for (int pos = start; pos < input.length; pos += chunk) {
      cutter.accept(input, pos, Math.min(chunk, input.length - pos));
    }
    cutter.finish();
    return new Run(cutter, segments, parts, states);
  }

  /** Expected part target: whole frames not above the requested 334 ms (90 kHz, µs rounded up). */
  @ParameterizedTest
  @CsvSource({
    "h264_aac.ts, 3600, true", // 25 fps: 8 frames = 320 ms
    "h264_bframes_aac.ts, 3600, true",
    "h264_2997_aac.ts, 3003, true", // 29.97 fps: 10 frames = 333.667 ms
    "h265_aac.ts, 3600, true",
    "aac_only.ts, 1920, false" // 1024 samples at 48 kHz per PES: 15 frames = 320 ms
  })
  void parts_areWholeFrames_withinTarget_atLeast85Percent_independentFirst_andJoinToSegment(
      String sample, long frame90k, boolean video) throws Exception {
    byte[] input = Samples.read(sample);
    Run run = cut(input, null, 7 * 188 + 5);
    long frames = REQUESTED_PART_US * 9 / 100 / frame90k;
    long expectedTargetUs = (frames * frame90k * 100 + 8) / 9;
    assertThat(run.cutter().partTargetUs()).isEqualTo(expectedTargetUs);
    long targetUs = run.cutter().partTargetUs();

    assertThat(run.segments()).hasSizeGreaterThan(2);
    int checkedFull = 0;
    for (CutSegment segment : run.segments()) {
      List<CutPart> parts =
          run.parts().stream().filter(p -> p.segmentIndex() == segment.index()).toList();
      assertThat(parts).as("parts of segment %d", segment.index()).hasSizeGreaterThan(1);
      ByteArrayOutputStream joined = new ByteArrayOutputStream();
      long totalUs = 0;
      for (int i = 0; i < parts.size(); i++) {
        CutPart part = parts.get(i);
        assertThat(part.partIndex()).isEqualTo(i);
        assertThat(part.durationUs()).as("part %d", i).isLessThanOrEqualTo(targetUs);
        if (i < parts.size() - 1) {
          // A constant frame rate: every part but the last is exactly the target's frames.
          assertThat(part.durationUs()).isGreaterThanOrEqualTo(targetUs * 85 / 100);
          assertThat(part.durationUs()).isBetween(targetUs - 1, targetUs);
          checkedFull++;
        }
        assertThat(part.independent()).as("part %d independent", i).isEqualTo(i == 0 || !video);
        assertThat(part.discontinuity()).isEqualTo(segment.discontinuity());
        joined.writeBytes(part.data());
        totalUs += part.durationUs();
      }
      assertThat(parts.get(0).startPts90k()).isEqualTo(segment.startPts90k());
      assertThat(parts.get(1).startPts90k()).isGreaterThan(segment.startPts90k());
      if (video) {
        assertThat(firstVideoPesIsRandomAccess(parts.get(0).data()))
            .as("part 0 of segment %d starts with a keyframe", segment.index())
            .isTrue();
      }
      assertThat(joined.toByteArray()).isEqualTo(segment.data());
      assertThat(totalUs).isBetween(segment.durationUs() - parts.size(), segment.durationUs());
    }
    assertThat(checkedFull).isGreaterThan(run.segments().size());
  }

  @ParameterizedTest
  @CsvSource({"h264_aac.ts", "h264_2997_aac.ts", "aac_only.ts"})
  void resumedCutter_cutsTheSameParts_withTheSamePartTarget(String sample) throws Exception {
    byte[] input = Samples.read(sample);
    Run whole = cut(input, null, 64 * 1024);
    // Through the state record's binary form, as a take-over reads it.
    CutterState state = CutterState.fromBytes(whole.states().get(0).toBytes());
    assertThat(state.partTarget90k()).isPositive();
    Run resumed = cut(input, state, 1000);
    assertThat(resumed.cutter().partTargetUs()).isEqualTo(whole.cutter().partTargetUs());
    List<CutPart> expected =
        whole.parts().stream().filter(p -> p.segmentIndex() > state.lastSegmentIndex()).toList();
    assertThat(resumed.parts()).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      CutPart a = resumed.parts().get(i);
      CutPart b = expected.get(i);
      assertThat(List.of(a.segmentIndex(), a.partIndex(), a.durationUs(), a.startPts90k()))
          .isEqualTo(List.of(b.segmentIndex(), b.partIndex(), b.durationUs(), b.startPts90k()));
      assertThat(a.data()).isEqualTo(b.data());
    }
  }

  /**
   * True when the first packet of the part that starts a video PES (stream_id 0xE0–0xEF) has the
   * random_access_indicator set (ISO/IEC 13818-1 §2.4.3.5), as muxers mark keyframes.
   */
  private static boolean firstVideoPesIsRandomAccess(byte[] ts) {
    for (int off = 0; off + 188 <= ts.length; off += 188) {
      boolean unitStart = (ts[off + 1] & 0x40) != 0;
      int afc = (ts[off + 3] >> 4) & 0x03;
      int payload = off + 4;
      boolean randomAccess = false;
      if ((afc & 0x02) != 0) {
        int afLength = ts[off + 4] & 0xFF;
        randomAccess = afLength > 0 && (ts[off + 5] & 0x40) != 0;
        payload += 1 + afLength;
      }
      if (unitStart
          && (afc & 0x01) != 0
          && payload + 4 <= off + 188
          && ts[payload] == 0
          && ts[payload + 1] == 0
          && ts[payload + 2] == 1
          && (ts[payload + 3] & 0xF0) == 0xE0) {
        return randomAccess;
      }
    }
    return false;
  }
}
