package io.hlspipeline.media.fmp4;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.hlspipeline.media.MalformedMediaException;
import io.hlspipeline.media.cut.CutSegment;
import io.hlspipeline.media.cut.SegmentCutter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes {@link Fmp4Segmenter}: on any input only {@link MalformedMediaException} may escape, and
 * the output never depends on the chunking.
 *
 * <p>{@code mvn verify} runs this in regression mode over the seeds in {@code
 * src/test/resources/io/hlspipeline/media/fmp4/Fmp4SegmenterFuzzTestInputs/segment/} (the TS
 * excerpts of the cutter's fuzz test). To fuzz for real:
 *
 * <pre>
 * JAZZER_FUZZ=1 mvn -pl media test -Dtest=Fmp4SegmenterFuzzTest -Djazzer.max_duration=60s
 * </pre>
 */
class Fmp4SegmenterFuzzTest {

  @FuzzTest(maxDuration = "60s")
  void segment(byte[] input) {
    if (input.length == 0) {
      return;
    }
    // The first byte picks the chunk size, so the fuzzer explores chunking too.
    int chunk = 1 + (input[0] & 0xFF);
    List<byte[]> whole;
    try {
      whole = run(input, input.length);
    } catch (MalformedMediaException e) {
      assertThat(e.offset())
          .isBetween(0L, (long) input.length + SegmentCutter.MAX_BYTES_WITHOUT_PROGRAM);
      return;
    }
    List<byte[]> chunked;
    try {
      chunked = run(input, chunk);
    } catch (MalformedMediaException e) {
      throw new AssertionError("chunked run failed where the whole run did not", e);
    }
    assertThat(chunked).hasSameSizeAs(whole);
    for (int i = 0; i < whole.size(); i++) {
      assertThat(Arrays.equals(chunked.get(i), whole.get(i))).as("output %d", i).isTrue();
    }
  }

  /**
   * The service's path: each segment the cutter cuts is converted alone ({@link
   * Fmp4SegmentConverter}); only {@link MalformedMediaException} may escape, and the sample counts
   * never exceed what the segment holds. Seeds: {@code .../Fmp4SegmenterFuzzTestInputs/convert/}.
   */
  @FuzzTest(maxDuration = "60s")
  void convert(byte[] input) {
    List<CutSegment> segments = new ArrayList<>();
    try {
      SegmentCutter cutter = new SegmentCutter(200_000, segments::add);
      cutter.accept(input, 0, input.length);
      cutter.finish();
    } catch (MalformedMediaException e) {
      // what was cut before still gets converted
    }
    for (CutSegment segment : segments) {
      try {
        Fmp4SegmentConverter.Fmp4Segment out = Fmp4SegmentConverter.convert(segment, 1);
        assertThat(out.fragment().length).isPositive();
        assertThat(Arrays.stream(out.sampleCounts()).sum()).isLessThan(segment.data().length);
      } catch (MalformedMediaException e) {
        assertThat(e.offset()).isGreaterThanOrEqualTo(0);
      }
    }
  }

  /** The init segment and the fragments' bytes, in order. */
  private static List<byte[]> run(byte[] input, int chunk) throws MalformedMediaException {
    List<byte[]> out = new ArrayList<>();
    Fmp4Segmenter segmenter =
        new Fmp4Segmenter(
            200_000,
            new Fmp4Segmenter.Listener() {
              @Override
              public void onInit(byte[] init) {
                out.add(init);
              }

              @Override
              public void onFragment(Fmp4Fragment fragment) {
                out.add(fragment.data());
              }
            });
    for (int pos = 0; pos < input.length; pos += chunk) {
      segmenter.accept(input, pos, Math.min(chunk, input.length - pos));
    }
    segmenter.finish();
    return out;
  }
}
