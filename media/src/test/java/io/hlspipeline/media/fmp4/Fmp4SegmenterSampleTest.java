package io.hlspipeline.media.fmp4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hlspipeline.media.MalformedMediaException;
import io.hlspipeline.media.cut.CutSegment;
import io.hlspipeline.media.cut.SegmentCutter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fMP4 path over the real ffmpeg-made samples, checked against the TS path with ffmpeg. */
class Fmp4SegmenterSampleTest {
  static final Path DIR = Path.of("src/test/resources/samples");
  private static final long TARGET_US = 2_000_000;

  @TempDir Path tmp;

  record Output(byte[] init, List<Fmp4Fragment> fragments) {}

  static Output segment(byte[] input, int chunkBytes) throws MalformedMediaException {
    List<byte[]> inits = new ArrayList<>();
    List<Fmp4Fragment> fragments = new ArrayList<>();
    Fmp4Segmenter segmenter =
        new Fmp4Segmenter(
            TARGET_US,
            new Fmp4Segmenter.Listener() {
              @Override
              public void onInit(byte[] init) {
                inits.add(init);
              }

              @Override
              public void onFragment(Fmp4Fragment fragment) {
                fragments.add(fragment);
              }
            });
    for (int pos = 0; pos < input.length; pos += chunkBytes) {
      segmenter.accept(input, pos, Math.min(chunkBytes, input.length - pos));
    }
    segmenter.finish();
    assertThat(inits).hasSize(1);
    return new Output(inits.get(0), fragments);
  }

  static List<CutSegment> tsSegments(byte[] input) throws MalformedMediaException {
    List<CutSegment> segments = new ArrayList<>();
    SegmentCutter cutter = new SegmentCutter(TARGET_US, segments::add);
    cutter.accept(input, 0, input.length);
    cutter.finish();
    return segments;
  }

  @ParameterizedTest
  @ValueSource(strings = {"h264_aac.ts", "h264_bframes_aac.ts", "h265_aac.ts"})
  void everyFragment_decodesWithoutErrors_andMatchesTheTsSegment(String sample) throws Exception {
    assumeTrue(tools(), "ffmpeg/ffprobe not on PATH");
    byte[] input = Files.readAllBytes(DIR.resolve(sample));
    Output fmp4 = segment(input, 64 * 1024);
    List<CutSegment> ts = tsSegments(input);
    assertThat(fmp4.fragments()).hasSameSizeAs(ts);
    for (int i = 0; i < ts.size(); i++) {
      Fmp4Fragment fragment = fmp4.fragments().get(i);
      assertThat(fragment.index()).isEqualTo(ts.get(i).index());
      assertThat(fragment.durationUs()).isEqualTo(ts.get(i).durationUs());
      Path mp4 = tmp.resolve("f" + i + ".mp4");
      Files.write(mp4, concat(fmp4.init(), fragment.data()));
      Path tsFile = tmp.resolve("s" + i + ".ts");
      Files.write(tsFile, ts.get(i).data());

      assertThat(run("ffmpeg", "-nostdin", "-v", "error", "-i", mp4.toString(), "-f", "null", "-"))
          .as("ffmpeg -v error on fragment %d", i)
          .isEmpty();
      // Presentation order and timestamps of the video, and the audio frame count, as in TS.
      assertThat(packetPts(mp4, "v:0"))
          .as("video PTS, segment %d", i)
          .isEqualTo(tsVideoPts(tsFile));
      // B-frames: each packet in decode order keeps its PTS, so the composition offsets survive.
      assertThat(packetField(mp4, "v:0", "pts"))
          .as("video PTS in decode order, segment %d", i)
          .isEqualTo(packetField(tsFile, "v:0", "pts"));
      assertThat(packetPts(mp4, "a:0"))
          .as("audio frames, segment %d", i)
          .hasSize(fragment.sampleCounts()[1])
          .hasSameSizeAs(packetPts(tsFile, "a:0"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h264_aac.ts", "h264_bframes_aac.ts", "h265_aac.ts"})
  void allFragments_haveContinuousTimestamps_andTheTsSampleCounts(String sample) throws Exception {
    assumeTrue(tools(), "ffmpeg/ffprobe not on PATH");
    byte[] input = Files.readAllBytes(DIR.resolve(sample));
    Output fmp4 = segment(input, 64 * 1024);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.writeBytes(fmp4.init());
    fmp4.fragments().forEach(f -> all.writeBytes(f.data()));
    Path mp4 = tmp.resolve("all.mp4");
    Files.write(mp4, all.toByteArray());
    assertThat(run("ffmpeg", "-nostdin", "-v", "error", "-i", mp4.toString(), "-f", "null", "-"))
        .isEmpty();

    for (String stream : List.of("v:0", "a:0")) {
      List<Long> dts = packetField(mp4, stream, "dts");
      List<Long> durations = packetField(mp4, stream, "duration");
      for (int i = 1; i < dts.size(); i++) {
        if (durations.get(i - 1) == null) {
          continue; // ffprobe reports no duration for the first packet of a track
        }
        assertThat(dts.get(i))
            .as("%s dts %d continues from the previous packet", stream, i)
            .isEqualTo(dts.get(i - 1) + durations.get(i - 1));
      }
      long tsCount = packetPts(DIR.resolve(sample), stream).size();
      int track = stream.startsWith("v") ? 0 : 1;
      long ours = fmp4.fragments().stream().mapToLong(f -> f.sampleCounts()[track]).sum();
      assertThat(dts).hasSize((int) ours);
      // Samples before the first keyframe are in no segment, in TS as in fMP4.
      assertThat(ours).isLessThanOrEqualTo(tsCount).isGreaterThan(tsCount * 9 / 10);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h264_bframes_aac.ts", "h265_aac.ts"})
  void output_doesNotDependOnChunking(String sample) throws Exception {
    byte[] input = Files.readAllBytes(DIR.resolve(sample));
    Output whole = segment(input, input.length);
    Output bytewise = segment(input, 1);
    assertThat(bytewise.init()).isEqualTo(whole.init());
    assertThat(bytewise.fragments()).hasSameSizeAs(whole.fragments());
    for (int i = 0; i < whole.fragments().size(); i++) {
      assertThat(bytewise.fragments().get(i).data()).isEqualTo(whole.fragments().get(i).data());
    }
  }

  private static List<Long> tsVideoPts(Path ts) throws IOException {
    return packetPts(ts, "v:0");
  }

  /** Packet PTS in stream order, sorted: the presentation order. */
  static List<Long> packetPts(Path file, String stream) throws IOException {
    List<Long> pts = packetField(file, stream, "pts");
    pts.removeIf(java.util.Objects::isNull);
    pts.sort(null);
    return pts;
  }

  static List<Long> packetField(Path file, String stream, String field) throws IOException {
    String out =
        run(
            "ffprobe",
            "-v",
            "error",
            "-select_streams",
            stream,
            "-show_entries",
            "packet=" + field,
            "-of",
            "csv=p=0",
            file.toString());
    List<Long> values = new ArrayList<>();
    for (String line : out.split("\n")) {
      String value = line.strip().replace(",", "");
      if (!value.isEmpty()) {
        values.add(value.equals("N/A") ? null : Long.valueOf(value));
      }
    }
    return values;
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static boolean tools() {
    try {
      run("ffprobe", "-version");
      run("ffmpeg", "-version");
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Runs a tool; ffprobe returns its stdout, ffmpeg its stderr (ffmpeg's stdout is discarded). */
  static String run(String... command) throws IOException {
    boolean probe = command[0].equals("ffprobe");
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(probe ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.DISCARD)
            .redirectError(probe ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.PIPE)
            .start();
    try {
      String out = new String((probe ? p.getInputStream() : p.getErrorStream()).readAllBytes());
      int exit = p.waitFor();
      return exit == 0 || command[1].equals("-version") ? out : "exit " + exit + ": " + out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
