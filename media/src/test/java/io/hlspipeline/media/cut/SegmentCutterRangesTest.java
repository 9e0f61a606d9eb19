package io.hlspipeline.media.cut;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link SegmentCutter.Output#RANGES}: prefix + input ranges equal the data-mode bytes. */
class SegmentCutterRangesTest {
  private static final long TARGET_US = 2_000_000;
  private static final long PART_US = 500_000;

  @ParameterizedTest
  @ValueSource(
      strings = {
        "h264_aac.ts",
        "h264_bframes_aac.ts",
        "h264_2997_aac.ts",
        "h265_aac.ts",
        "aac_only.ts",
        "pts_wrap.ts",
        "ts_jump.ts"
      })
  void rangesMode_prefixPlusInputRanges_equalTheDataModeBytes_whateverTheChunking(String sample)
      throws Exception {
    byte[] input = Samples.read(sample);
    Samples.Output reference =
        Samples.cut(input, TARGET_US, PART_US, SegmentCutter.Output.DATA, i -> input.length);
    Random random = new Random(7);
    List<IntUnaryOperator> chunkings =
        List.of(i -> input.length, i -> 1, i -> 188, i -> 1 + random.nextInt(5000));
    for (IntUnaryOperator chunking : chunkings) {
      Samples.Output ranges =
          Samples.cut(input, TARGET_US, PART_US, SegmentCutter.Output.RANGES, chunking);
      assertSameBytes(ranges, reference, input);
    }
  }

  @Test
  void rangesMode_withJunkInsideASegment_splitsTheRangeAroundTheSkippedBytes() throws Exception {
    byte[] clean = Samples.read("h264_aac.ts");
    int cutAt = 188 * 300; // inside the first segment
    ByteArrayOutputStream damaged = new ByteArrayOutputStream();
    damaged.write(new byte[] {9, 9}); // junk before the first packet
    damaged.write(clean, 0, cutAt);
    damaged.write(new byte[] {1, 2, 3, 0x47, 5}); // junk with a false sync byte
    damaged.write(clean, cutAt, clean.length - cutAt);
    byte[] input = damaged.toByteArray();

    Samples.Output reference =
        Samples.cut(input, TARGET_US, PART_US, SegmentCutter.Output.DATA, i -> 4096);
    Samples.Output ranges =
        Samples.cut(input, TARGET_US, PART_US, SegmentCutter.Output.RANGES, i -> 1000);

    assertSameBytes(ranges, reference, input);
    List<InputRange> first = ranges.segments().get(0).ranges().ranges();
    assertThat(first).hasSize(2);
    assertThat(first.get(0).endOffset()).isEqualTo(2 + cutAt);
    assertThat(first.get(1).startOffset()).isEqualTo(2 + cutAt + 5);
  }

  @Test
  void dataMode_alsoCarriesRanges_equalToItsData() throws Exception {
    byte[] input = Samples.read("h264_bframes_aac.ts");
    Samples.Output out = Samples.cut(input, TARGET_US, PART_US, i -> 65536);
    assertThat(out.segments()).isNotEmpty();
    for (CutSegment segment : out.segments()) {
      assertThat(segment.ranges().toBytes(input, 0)).isEqualTo(segment.data());
      assertThat(segment.sizeBytes()).isEqualTo(segment.data().length);
    }
    for (CutPart part : out.parts()) {
      assertThat(part.ranges().toBytes(input, 0)).isEqualTo(part.data());
    }
  }

  @Test
  void rangesMode_resumed_reportsOffsetsInTheWholeInput() throws Exception {
    byte[] input = Samples.read("h264_aac.ts");
    List<CutSegment> reference = new ArrayList<>();
    List<CutterState> states = new ArrayList<>();
    SegmentCutter whole =
        new SegmentCutter(
            TARGET_US,
            0,
            new SegmentCutter.Listener() {
              @Override
              public void onSegment(CutSegment segment) {}

              @Override
              public void onSegment(CutSegment segment, CutterState next) {
                reference.add(segment);
                states.add(next);
              }
            });
    whole.accept(input, 0, input.length);
    whole.finish();
    CutterState resumeFrom = states.get(1);
    assertThat(resumeFrom).isNotNull();

    List<CutSegment> resumed = new ArrayList<>();
    SegmentCutter cutter =
        SegmentCutter.resume(resumeFrom, TARGET_US, 0, SegmentCutter.Output.RANGES, resumed::add);
    int from = (int) resumeFrom.nextInputOffset();
    cutter.accept(input, from, input.length - from);
    cutter.finish();

    assertThat(resumed).hasSize(reference.size() - 2);
    for (int i = 0; i < resumed.size(); i++) {
      CutSegment want = reference.get(i + 2);
      CutSegment got = resumed.get(i);
      assertThat(got.index()).isEqualTo(want.index());
      assertThat(got.inputStartOffset()).isEqualTo(want.inputStartOffset());
      assertThat(got.ranges().toBytes(input, 0))
          .as("segment %d", got.index())
          .isEqualTo(want.data());
    }
  }

  private static void assertSameBytes(Samples.Output ranges, Samples.Output data, byte[] input) {
    assertThat(ranges.segments()).hasSameSizeAs(data.segments());
    for (int i = 0; i < data.segments().size(); i++) {
      CutSegment want = data.segments().get(i);
      CutSegment got = ranges.segments().get(i);
      assertThat(got.data()).isEmpty();
      assertThat(got.ranges().toBytes(input, 0)).as("segment %d", i).isEqualTo(want.data());
      assertThat(got.sizeBytes()).isEqualTo(want.data().length);
      assertThat(got.ranges().prefix().length).isIn(0, 188, 376);
      assertThat(
              List.of(
                  got.index(),
                  got.startPts90k(),
                  got.durationUs(),
                  got.discontinuity(),
                  got.inputStartOffset(),
                  got.mediaInfo()))
          .isEqualTo(
              List.of(
                  want.index(),
                  want.startPts90k(),
                  want.durationUs(),
                  want.discontinuity(),
                  want.inputStartOffset(),
                  want.mediaInfo()));
    }
    assertThat(ranges.parts()).hasSameSizeAs(data.parts());
    for (int i = 0; i < data.parts().size(); i++) {
      CutPart want = data.parts().get(i);
      CutPart got = ranges.parts().get(i);
      assertThat(got.data()).isEmpty();
      assertThat(got.ranges().toBytes(input, 0)).as("part %d", i).isEqualTo(want.data());
      assertThat(List.of(got.segmentIndex(), got.partIndex(), got.durationUs()))
          .isEqualTo(List.of(want.segmentIndex(), want.partIndex(), want.durationUs()));
    }
  }
}
