package io.hlspipeline.media.cut;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.hlspipeline.media.MalformedMediaException;
import java.util.List;

/**
 * Fuzzes the TS demuxer and {@link SegmentCutter}: on any input only {@link
 * MalformedMediaException} may escape, and the output never depends on the chunking.
 *
 * <p>{@code mvn verify} runs this in regression mode over the seeds in {@code
 * src/test/resources/io/hlspipeline/media/cut/SegmentCutterFuzzTestInputs/cut/} (TS excerpts of the
 * samples). To fuzz for real:
 *
 * <pre>
 * JAZZER_FUZZ=1 mvn -pl media test -Dtest=SegmentCutterFuzzTest -Djazzer.max_duration=60s
 * </pre>
 */
class SegmentCutterFuzzTest {

  @FuzzTest(maxDuration = "60s")
  void cut(byte[] input) {
    if (input.length == 0) {
      return;
    }
    // The first byte picks the chunk size, so the fuzzer explores chunking too.
    int chunk = 1 + (input[0] & 0xFF);
    Samples.Output whole;
    try {
      whole = Samples.cut(input, 200_000, 40_000, i -> input.length);
    } catch (MalformedMediaException e) {
      assertThat(e.offset())
          .isBetween(0L, (long) input.length + SegmentCutter.MAX_BYTES_WITHOUT_PROGRAM);
      return;
    }
    Samples.Output chunked;
    try {
      chunked = Samples.cut(input, 200_000, 40_000, i -> chunk);
    } catch (MalformedMediaException e) {
      throw new AssertionError("chunked run failed where the whole run did not", e);
    }
    assertThat(digest(chunked.segments())).isEqualTo(digest(whole.segments()));
    assertThat(chunked.parts()).hasSameSizeAs(whole.parts());
  }

  private static List<String> digest(List<CutSegment> segments) {
    return segments.stream()
        .map(
            s ->
                s.index()
                    + "/"
                    + s.startPts90k()
                    + "/"
                    + s.durationUs()
                    + "/"
                    + s.discontinuity()
                    + "/"
                    + s.inputStartOffset()
                    + "/"
                    + s.mediaInfo()
                    + "/"
                    + java.util.Arrays.hashCode(s.data()))
        .toList();
  }
}
