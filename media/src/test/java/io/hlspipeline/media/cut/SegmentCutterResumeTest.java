package io.hlspipeline.media.cut;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hlspipeline.media.MalformedMediaException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link SegmentCutter#resume}: at every segment boundary of every sample, a cutter resumed from
 * the (encoded and decoded) boundary state and fed the rest of the input emits exactly what the
 * uninterrupted cutter emitted after that boundary, however the rest is chunked.
 */
class SegmentCutterResumeTest {

  /** One emitted segment with the state to resume after it. */
  private record Emitted(CutSegment segment, CutterState next) {}

  private record Run(List<Emitted> segments, List<CutPart> parts) {}

  private static Run cut(
      byte[] input,
      int from,
      CutterState resumeFrom,
      long targetUs,
      long partUs,
      IntUnaryOperator chunkSize)
      throws MalformedMediaException {
    List<Emitted> segments = new ArrayList<>();
    List<CutPart> parts = new ArrayList<>();
    SegmentCutter.Listener listener =
        new SegmentCutter.Listener() {
          @Override
          public void onSegment(CutSegment segment) {
            throw new AssertionError("the two-argument onSegment is called");
          }

          @Override
          public void onSegment(CutSegment segment, CutterState next) {
            segments.add(new Emitted(segment, next));
          }

          @Override
          public void onPart(CutPart part) {
            parts.add(part);
          }
        };
    SegmentCutter cutter =
        resumeFrom == null
            ? new SegmentCutter(targetUs, partUs, listener)
            : SegmentCutter.resume(resumeFrom, targetUs, partUs, listener);
    int pos = from;
    for (int i = 0; pos < input.length; i++) {
      int n = Math.min(Math.max(1, chunkSize.applyAsInt(i)), input.length - pos);
      cutter.accept(input, pos, n);
      pos += n;
    }
    cutter.finish();
    long base = resumeFrom == null ? 0 : resumeFrom.nextInputOffset();
    assertThat(cutter.bytesConsumed()).isEqualTo(base + input.length - from);
    return new Run(segments, parts);
  }

  @ParameterizedTest
  @CsvSource({
    "h264_aac.ts, 1000000, 0",
    "h264_aac.ts, 2000000, 0",
    "h264_aac.ts, 2000000, 300000",
    "h264_bframes_aac.ts, 1000000, 0",
    "h264_2997_aac.ts, 1000000, 0",
    "h265_aac.ts, 1000000, 250000",
    "aac_only.ts, 1000000, 0",
    "aac_only.ts, 500000, 100000",
    "pts_wrap.ts, 1000000, 0",
    "ts_jump.ts, 1000000, 0",
    "ts_jump.ts, 2000000, 0",
  })
  void resume_atEveryBoundary_emitsTheSameSegmentsAsAnUninterruptedCut(
      String sample, long targetUs, long partUs) throws Exception {
    byte[] input = Samples.read(sample);
    Run whole = cut(input, 0, null, targetUs, partUs, i -> 64 * 1024);
    List<Emitted> all = whole.segments();
    assertThat(all).hasSizeGreaterThan(2);
    assertThat(all.get(all.size() - 1).next()).as("finish() emits no resume state").isNull();
    Random random = new Random(sample.hashCode() ^ targetUs);
    List<IntUnaryOperator> chunkings =
        List.of(i -> 64 * 1024, i -> 1, i -> 188 * 7 + 3, i -> 1 + random.nextInt(4000));

    for (int k = 0; k < all.size() - 1; k++) {
      CutterState state = all.get(k).next();
      assertThat(state.lastSegmentIndex()).isEqualTo(k);
      assertThat(state.nextInputOffset()).isEqualTo(all.get(k + 1).segment().inputStartOffset());
      CutterState decoded = CutterState.fromBytes(state.toBytes());
      assertThat(decoded).isEqualTo(state);
      List<Emitted> expected = all.subList(k + 1, all.size());
      List<CutPart> expectedParts =
          whole.parts().stream().filter(p -> p.segmentIndex() > state.lastSegmentIndex()).toList();
      for (IntUnaryOperator chunking : chunkings) {
        Run resumed =
            cut(input, (int) decoded.nextInputOffset(), decoded, targetUs, partUs, chunking);
        assertSameSegments(resumed.segments(), expected, sample + " resumed after " + k);
        assertThat(resumed.parts()).hasSameSizeAs(expectedParts);
        for (int p = 0; p < expectedParts.size(); p++) {
          CutPart a = resumed.parts().get(p);
          CutPart b = expectedParts.get(p);
          assertThat(a.segmentIndex()).isEqualTo(b.segmentIndex());
          assertThat(a.partIndex()).isEqualTo(b.partIndex());
          assertThat(a.durationUs()).isEqualTo(b.durationUs());
          assertThat(a.independent()).isEqualTo(b.independent());
          assertThat(Arrays.equals(a.data(), b.data())).as("part bytes").isTrue();
        }
      }
    }
  }

  private static void assertSameSegments(List<Emitted> actual, List<Emitted> expected, String as) {
    assertThat(actual).as(as).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      CutSegment a = actual.get(i).segment();
      CutSegment b = expected.get(i).segment();
      String what = as + ", segment " + b.index();
      assertThat(a.index()).as(what).isEqualTo(b.index());
      assertThat(a.startPts90k()).as(what).isEqualTo(b.startPts90k());
      assertThat(a.durationUs()).as(what).isEqualTo(b.durationUs());
      assertThat(a.discontinuity()).as(what).isEqualTo(b.discontinuity());
      assertThat(a.inputStartOffset()).as(what).isEqualTo(b.inputStartOffset());
      assertThat(a.mediaInfo()).as(what).isEqualTo(b.mediaInfo());
      assertThat(Arrays.equals(a.data(), b.data())).as(what + " bytes").isTrue();
      // Resuming a resumed cutter is the same again: the states agree too.
      assertThat(actual.get(i).next()).as(what + " state").isEqualTo(expected.get(i).next());
    }
  }

  @ParameterizedTest
  @CsvSource({"h264_aac.ts", "ts_jump.ts"})
  void resume_fromTheWrongOffset_isDetectedByDifferentOutput(String sample) throws Exception {
    // The property above can fail: a state fed from one packet later loses the keyframe's start.
    byte[] input = Samples.read(sample);
    Run whole = cut(input, 0, null, 1_000_000, 0, i -> 64 * 1024);
    CutterState state = whole.segments().get(0).next();
    Run shifted =
        cut(input, (int) state.nextInputOffset() + 188, state, 1_000_000, 0, i -> 64 * 1024);
    assertThat(
            Arrays.equals(
                shifted.segments().get(0).segment().data(),
                whole.segments().get(1).segment().data()))
        .isFalse();
  }

  @org.junit.jupiter.api.Test
  void fromBytes_rejectsTruncatedAndUnknownVersions() throws Exception {
    byte[] input = Samples.read("h264_aac.ts");
    byte[] encoded =
        cut(input, 0, null, 1_000_000, 0, i -> 4096).segments().get(0).next().toBytes();
    assertThat(encoded.length).isLessThan(600);
    assertThatThrownBy(() -> CutterState.fromBytes(Arrays.copyOf(encoded, encoded.length - 1)))
        .isInstanceOf(IllegalArgumentException.class);
    byte[] future = encoded.clone();
    future[0] = 9;
    assertThatThrownBy(() -> CutterState.fromBytes(future))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("version");
  }
}
