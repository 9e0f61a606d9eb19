package io.hlspipeline.media.fmp4;

import static io.hlspipeline.media.fmp4.Fmp4SegmenterSampleTest.DIR;
import static io.hlspipeline.media.fmp4.Fmp4SegmenterSampleTest.run;
import static io.hlspipeline.media.fmp4.Fmp4SegmenterSampleTest.tools;
import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.media.cut.CutPart;
import io.hlspipeline.media.cut.CutSegment;
import io.hlspipeline.media.cut.SegmentCutter;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** fMP4 parts against the fMP4 segment they belong to, as the segmenter service makes both. */
class Fmp4PartWriterTest {
  @TempDir Path tmp;

  private record Segment(CutSegment cut, List<Fmp4PartWriter.Fmp4Part> parts) {}

  /** Cuts with 2 s segments and ~1/3 s parts, converting parts as they come. */
  private static List<Segment> cut(byte[] input) throws Exception {
    Fmp4PartWriter writer = new Fmp4PartWriter();
    List<Segment> out = new ArrayList<>();
    List<Fmp4PartWriter.Fmp4Part> parts = new ArrayList<>();
    List<Exception> failures = new ArrayList<>();
    SegmentCutter cutter =
        new SegmentCutter(
            2_000_000,
            333_333,
            new SegmentCutter.Listener() {
              @Override
              public void onSegment(CutSegment segment) {
                try {
                  parts.addAll(writer.endSegment(segment.index() + 1));
                } catch (Exception e) {
                  failures.add(e);
                }
                out.add(new Segment(segment, List.copyOf(parts)));
                parts.clear();
              }

              @Override
              public void onPart(CutPart part) {
                try {
                  parts.addAll(writer.add(part, part.segmentIndex() + 1));
                } catch (Exception e) {
                  failures.add(e);
                }
              }
            });
    for (int pos = 0; pos < input.length; pos += 5000) {
      cutter.accept(input, pos, Math.min(5000, input.length - pos));
    }
    cutter.finish();
    assertThat(failures).isEmpty();
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"h264_aac.ts", "h264_bframes_aac.ts", "h264_2997_aac.ts", "h265_aac.ts"})
  void parts_afterTheSegmentsInit_playExactlyTheSegment(String sample) throws Exception {
    List<Segment> segments = cut(Files.readAllBytes(DIR.resolve(sample)));
    assertThat(segments).hasSizeGreaterThan(2);
    boolean ffmpeg = tools();
    for (Segment s : segments) {
      Fmp4SegmentConverter.Fmp4Segment whole =
          Fmp4SegmentConverter.convert(s.cut(), s.cut().index() + 1);
      assertThat(s.parts()).hasSizeGreaterThan(1);
      int[] counts = new int[whole.sampleCounts().length];
      ByteArrayOutputStream joined = new ByteArrayOutputStream();
      joined.writeBytes(whole.init());
      for (int i = 0; i < s.parts().size(); i++) {
        Fmp4PartWriter.Fmp4Part part = s.parts().get(i);
        assertThat(part.partIndex()).isEqualTo(i);
        assertThat(part.init()).as("init of part %d", i).isEqualTo(whole.init());
        assertThat(part.sampleCounts()).hasSameSizeAs(counts);
        for (int t = 0; t < counts.length; t++) {
          counts[t] += part.sampleCounts()[t];
        }
        assertThat(part.sampleCounts()[0]).as("video samples in part %d", i).isPositive();
        joined.writeBytes(part.fragment());
      }
      assertThat(counts).isEqualTo(whole.sampleCounts());
      if (!ffmpeg) {
        continue;
      }
      Path parts = tmp.resolve("parts" + s.cut().index() + ".mp4");
      Path segment = tmp.resolve("segment" + s.cut().index() + ".mp4");
      Files.write(parts, joined.toByteArray());
      Files.write(segment, Fmp4SegmenterSampleTest.concat(whole.init(), whole.fragment()));
      // Decodes with no error appended to the init, part 0 alone and all the parts in order.
      Path first = tmp.resolve("first" + s.cut().index() + ".mp4");
      Files.write(first, Fmp4SegmenterSampleTest.concat(whole.init(), s.parts().get(0).fragment()));
      assertThat(
              run("ffmpeg", "-nostdin", "-v", "error", "-i", first.toString(), "-f", "null", "-"))
          .isEmpty();
      assertThat(
              run("ffmpeg", "-nostdin", "-v", "error", "-i", parts.toString(), "-f", "null", "-"))
          .isEmpty();
      // Frame by frame, decoded: the same pictures and sound at the same times as the segment.
      assertThat(frameMd5(parts)).isEqualTo(frameMd5(segment)).isNotEmpty();
    }
  }

  private List<String> frameMd5(Path mp4) throws Exception {
    Path out = tmp.resolve(mp4.getFileName() + ".md5");
    assertThat(
            run(
                "ffmpeg",
                "-nostdin",
                "-v",
                "error",
                "-i",
                mp4.toString(),
                "-f",
                "framemd5",
                out.toString()))
        .isEmpty();
    return Files.readAllLines(out).stream().filter(l -> !l.startsWith("#")).toList();
  }
}
