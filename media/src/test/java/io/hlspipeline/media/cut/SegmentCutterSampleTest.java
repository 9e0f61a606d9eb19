package io.hlspipeline.media.cut;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The cutter over real ffmpeg-made samples (see samples/README.md), checked against ffmpeg. */
class SegmentCutterSampleTest {
  private static final Pattern EXTINF = Pattern.compile("#EXTINF:([0-9.]+),");

  @TempDir Path tmp;

  /** Sample, hls_time, reference frame duration in µs (one video frame, or one audio PES). */
  @ParameterizedTest
  @CsvSource({
    "h264_aac.ts, 2, 40000",
    "h264_aac.ts, 3, 40000",
    "h264_bframes_aac.ts, 2, 40000",
    "h264_2997_aac.ts, 2, 33367",
    "h265_aac.ts, 2, 40000",
    "aac_only.ts, 2, 21334",
    "pts_wrap.ts, 2, 40000",
  })
  void cut_agreesWithFfmpegHlsMuxer_withinOneFrame(String sample, int hlsTime, long frameUs)
      throws Exception {
    assumeTrue(Samples.ffmpegAvailable(), "ffmpeg not on PATH: comparison skipped");
    List<CutSegment> ours = Samples.cut(Samples.read(sample), hlsTime * 1_000_000L).segments();

    String err =
        Samples.ffmpeg(
            tmp,
            "-v",
            "error",
            "-i",
            Samples.DIR.resolve(sample).toAbsolutePath().toString(),
            "-c",
            "copy",
            "-f",
            "hls",
            "-hls_time",
            String.valueOf(hlsTime),
            "-hls_playlist_type",
            "vod",
            "ref.m3u8");
    assertThat(err).isEmpty();
    List<Long> theirs = new ArrayList<>();
    Matcher m = EXTINF.matcher(Files.readString(tmp.resolve("ref.m3u8")));
    while (m.find()) {
      theirs.add(Math.round(Double.parseDouble(m.group(1)) * 1_000_000));
    }
    // ffmpeg's parser splits multi-frame audio PES, so it may end with a segment shorter than one
    // of our cut candidates; that trailing sliver is in our last segment.
    if (theirs.size() == ours.size() + 1 && theirs.get(theirs.size() - 1) <= frameUs) {
      long sliver = theirs.remove(theirs.size() - 1);
      theirs.set(theirs.size() - 1, theirs.get(theirs.size() - 1) + sliver);
    }
    assertThat(ours).hasSameSizeAs(theirs);
    long ourEndUs = 0;
    long theirEndUs = 0;
    for (int i = 0; i < ours.size(); i++) {
      ourEndUs += ours.get(i).durationUs();
      theirEndUs += theirs.get(i);
      assertThat(ourEndUs).as("end of segment %d", i).isCloseTo(theirEndUs, within(frameUs));
    }
  }

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
  void cut_everySegmentDecodesWithoutErrors(String sample) throws Exception {
    assumeTrue(Samples.ffmpegAvailable(), "ffmpeg not on PATH: decode check skipped");
    List<CutSegment> segments = Samples.cut(Samples.read(sample), 2_000_000).segments();
    assertThat(segments).isNotEmpty();
    for (CutSegment segment : segments) {
      Path file = tmp.resolve("seg" + segment.index() + ".ts");
      Files.write(file, segment.data());
      assertThat(Samples.ffmpeg(tmp, "-v", "error", "-i", file.toString(), "-f", "null", "-"))
          .as("ffmpeg errors decoding segment %d of %s", segment.index(), sample)
          .isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h264_bframes_aac.ts", "h265_aac.ts", "aac_only.ts", "ts_jump.ts"})
  void cut_isByteIdentical_whateverTheChunking(String sample) throws Exception {
    byte[] input = Samples.read(sample);
    List<CutSegment> reference =
        Samples.cut(input, 2_000_000, 500_000, i -> input.length).segments();
    Random random = new Random(42);
    List<java.util.function.IntUnaryOperator> chunkings =
        List.of(i -> 1, i -> 188, i -> 1316, i -> 1 + random.nextInt(5000), i -> 187 + (i % 3));
    for (var chunking : chunkings) {
      List<CutSegment> segments = Samples.cut(input, 2_000_000, 500_000, chunking).segments();
      assertThat(segments).hasSameSizeAs(reference);
      for (int i = 0; i < segments.size(); i++) {
        CutSegment a = segments.get(i);
        CutSegment b = reference.get(i);
        assertThat(a.data()).as("segment %d", i).isEqualTo(b.data());
        assertThat(meta(a)).isEqualTo(meta(b));
      }
    }
  }

  @Test
  void cut_segmentsStartWithPatPmtAndKeyframe_andTileTheTimeline() throws Exception {
    List<CutSegment> segments =
        Samples.cut(Samples.read("h264_bframes_aac.ts"), 2_000_000).segments();
    assertThat(segments).hasSizeGreaterThan(1);
    for (int i = 0; i < segments.size(); i++) {
      CutSegment s = segments.get(i);
      assertThat(s.index()).isEqualTo(i);
      assertThat(s.data().length % 188).isZero();
      assertThat(pid(s.data(), 0)).as("PAT first").isZero();
      assertThat(s.mediaInfo()).isEqualTo(new MediaInfo("avc1.64000d,mp4a.40.2", 320, 240));
      if (i > 0) {
        CutSegment previous = segments.get(i - 1);
        assertThat(previous.startPts90k() + previous.durationUs() * 9 / 100)
            .isEqualTo(s.startPts90k());
        assertThat(s.inputStartOffset())
            .isEqualTo(previous.inputStartOffset() + previous.data().length);
      }
    }
  }

  @Test
  void cut_ptsWrap_unwrapsTo64Bit_withExactDurations() throws Exception {
    // Generated with -output_ts_offset 95440: the 33-bit PTS wraps ~3.7 s in.
    List<CutSegment> segments = Samples.cut(Samples.read("pts_wrap.ts"), 2_000_000).segments();
    assertThat(segments)
        .extracting(CutSegment::durationUs)
        .containsExactly(2_000_000L, 2_000_000L, 2_000_000L);
    assertThat(segments).extracting(CutSegment::discontinuity).containsOnly(false);
    assertThat(segments.get(2).startPts90k()).isGreaterThan(1L << 33);
    assertThat(segments.get(1).startPts90k() - segments.get(0).startPts90k()).isEqualTo(180_000);
  }

  @Test
  void cut_timestampJump_startsDiscontinuityAndRestartsGrid() throws Exception {
    // Two 3 s files concatenated, the second with -output_ts_offset 1000.
    List<CutSegment> segments = Samples.cut(Samples.read("ts_jump.ts"), 2_000_000).segments();
    assertThat(segments)
        .extracting(CutSegment::durationUs)
        .containsExactly(2_000_000L, 1_000_000L, 2_000_000L, 1_000_000L);
    assertThat(segments)
        .extracting(CutSegment::discontinuity)
        .containsExactly(false, false, true, false);
    assertThat(segments.get(2).startPts90k() - segments.get(1).startPts90k())
        .isGreaterThan(900 * 90_000L);
  }

  @Test
  void parts_respectTargetAndMinimum_andConcatenateToTheSegment() throws Exception {
    long partUs = 500_000;
    Samples.Output out = Samples.cut(Samples.read("h264_aac.ts"), 2_000_000, partUs, i -> 4096);
    assertThat(out.parts()).isNotEmpty();
    for (CutSegment segment : out.segments()) {
      List<CutPart> parts =
          out.parts().stream().filter(p -> p.segmentIndex() == segment.index()).toList();
      assertThat(parts).isNotEmpty();
      java.io.ByteArrayOutputStream joined = new java.io.ByteArrayOutputStream();
      long totalUs = 0;
      for (int i = 0; i < parts.size(); i++) {
        CutPart part = parts.get(i);
        assertThat(part.partIndex()).isEqualTo(i);
        assertThat(part.durationUs()).isLessThanOrEqualTo(partUs);
        if (i < parts.size() - 1) {
          assertThat(part.durationUs()).isGreaterThanOrEqualTo(partUs * 85 / 100);
        }
        assertThat(part.independent()).isEqualTo(i == 0);
        joined.writeBytes(part.data());
        totalUs += part.durationUs();
      }
      assertThat(joined.toByteArray()).isEqualTo(segment.data());
      assertThat(totalUs).isCloseTo(segment.durationUs(), within(parts.size()));
    }
  }

  private static org.assertj.core.data.Offset<Long> within(long value) {
    return org.assertj.core.data.Offset.offset(value);
  }

  private static List<Object> meta(CutSegment s) {
    return List.of(
        s.index(),
        s.startPts90k(),
        s.durationUs(),
        s.discontinuity(),
        s.inputStartOffset(),
        s.mediaInfo());
  }

  private static int pid(byte[] data, int off) {
    return ((data[off + 1] & 0x1F) << 8) | (data[off + 2] & 0xFF);
  }
}
