package io.hlspipeline.media.fmp4;

import static io.hlspipeline.media.fmp4.Fmp4SegmenterSampleTest.DIR;
import static io.hlspipeline.media.fmp4.Fmp4SegmenterSampleTest.concat;
import static io.hlspipeline.media.fmp4.Fmp4SegmenterSampleTest.packetField;
import static io.hlspipeline.media.fmp4.Fmp4SegmenterSampleTest.run;
import static io.hlspipeline.media.fmp4.Fmp4SegmenterSampleTest.tools;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hlspipeline.media.cut.CutSegment;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One TS segment at a time into fMP4, as the segmenter service does, against the whole-stream path.
 */
class Fmp4SegmentConverterTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"h264_aac.ts", "h264_bframes_aac.ts", "h265_aac.ts", "pts_wrap.ts"})
  void convert_givesTheWholeStreamSamples_oneHeader_andContinuousTimestamps(String sample)
      throws Exception {
    byte[] input = Files.readAllBytes(DIR.resolve(sample));
    List<CutSegment> ts = Fmp4SegmenterSampleTest.tsSegments(input);
    Fmp4SegmenterSampleTest.Output whole = Fmp4SegmenterSampleTest.segment(input, input.length);
    assertThat(ts).hasSizeGreaterThan(2).hasSameSizeAs(whole.fragments());

    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (int i = 0; i < ts.size(); i++) {
      Fmp4SegmentConverter.Fmp4Segment s = Fmp4SegmentConverter.convert(ts.get(i), i + 1);
      // Same decoder configuration all along: the same header bytes as the whole-stream path.
      assertThat(s.init()).as("header of segment %d", i).isEqualTo(whole.init());
      assertThat(s.sampleCounts())
          .as("samples of segment %d", i)
          .isEqualTo(whole.fragments().get(i).sampleCounts());
      if (i == 0) {
        all.writeBytes(s.init());
      }
      all.writeBytes(s.fragment());
    }
    assumeTrue(tools(), "ffmpeg/ffprobe not on PATH");
    Path mp4 = tmp.resolve("all.mp4");
    Files.write(mp4, all.toByteArray());
    assertThat(run("ffmpeg", "-nostdin", "-v", "error", "-i", mp4.toString(), "-f", "null", "-"))
        .isEmpty();
    for (String stream : List.of("v:0", "a:0")) {
      List<Long> dts = packetField(mp4, stream, "dts");
      List<Long> durations = packetField(mp4, stream, "duration");
      for (int i = 1; i < dts.size(); i++) {
        if (durations.get(i - 1) != null) {
          assertThat(dts.get(i))
              .as("%s dts %d continues from the previous packet", stream, i)
              .isEqualTo(dts.get(i - 1) + durations.get(i - 1));
        }
      }
      // The decode times are the stream's, unwrapped: they only grow, across a 33-bit wrap too.
      assertThat(dts).isSorted();
    }
  }

  @Test
  void convert_eachSegmentAlone_decodesWithoutErrors() throws Exception {
    assumeTrue(tools(), "ffmpeg/ffprobe not on PATH");
    byte[] input = Files.readAllBytes(DIR.resolve("h265_aac.ts"));
    List<CutSegment> ts = Fmp4SegmenterSampleTest.tsSegments(input);
    for (int i = 0; i < ts.size(); i++) {
      Fmp4SegmentConverter.Fmp4Segment s = Fmp4SegmentConverter.convert(ts.get(i), i + 1);
      Path mp4 = tmp.resolve("s" + i + ".mp4");
      Files.write(mp4, concat(s.init(), s.fragment()));
      assertThat(run("ffmpeg", "-nostdin", "-v", "error", "-i", mp4.toString(), "-f", "null", "-"))
          .as("segment %d", i)
          .isEmpty();
    }
  }
}
