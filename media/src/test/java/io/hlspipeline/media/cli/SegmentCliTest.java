package io.hlspipeline.media.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.media.cut.SegmentCutter;
import io.hlspipeline.media.hls.MediaPlaylist;
import io.hlspipeline.media.hls.PlaylistParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentCliTest {
  private static final Path SAMPLE = Path.of("src/test/resources/samples/h264_aac.ts");

  @TempDir Path tmp;

  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

  @Test
  void run_writesSegmentsAndVodPlaylist() throws Exception {
    Path out = tmp.resolve("out");
    int exit =
        SegmentCli.run(
            new String[] {
              "--hls-time", "2", "--part-time", "0.5", "-o", out.toString(), SAMPLE.toString()
            },
            err);
    assertThat(exit).as(errBytes.toString()).isEqualTo(SegmentCli.EXIT_OK);
    MediaPlaylist playlist =
        (MediaPlaylist) PlaylistParser.parse(Files.readString(out.resolve("index.m3u8")));
    assertThat(playlist.endList()).isTrue();
    assertThat(playlist.segments()).hasSize(3);
    long total = 0;
    for (var segment : playlist.segments()) {
      total += Files.size(out.resolve(segment.uri()));
      assertThat(segment.parts()).isNotEmpty();
    }
    assertThat(total)
        .isLessThanOrEqualTo(Files.size(SAMPLE))
        .isGreaterThan(Files.size(SAMPLE) - 4 * 188);
  }

  @Test
  void segment_inRangesMode_writesTheSameFilesAsDataMode() throws Exception {
    Path data = tmp.resolve("data");
    Path ranges = tmp.resolve("ranges");
    Files.createDirectories(data);
    Files.createDirectories(ranges);
    for (String sample : new String[] {"h264_bframes_aac.ts", "ts_jump.ts"}) {
      Path input = SAMPLE.resolveSibling(sample);
      String dataPlaylist =
          SegmentCli.segment(input, data, 2_000_000, 500_000, SegmentCutter.Output.DATA);
      String rangesPlaylist =
          SegmentCli.segment(input, ranges, 2_000_000, 500_000, SegmentCutter.Output.RANGES);

      assertThat(rangesPlaylist).isEqualTo(dataPlaylist);
      List<String> files;
      try (Stream<Path> list = Files.list(data)) {
        files = list.map(p -> p.getFileName().toString()).sorted().toList();
      }
      assertThat(files).contains("segment0.ts", "segment0.part0.ts");
      try (Stream<Path> list = Files.list(ranges)) {
        assertThat(list.map(p -> p.getFileName().toString()).sorted().toList()).isEqualTo(files);
      }
      for (String file : files) {
        assertThat(Files.readAllBytes(ranges.resolve(file)))
            .as("%s %s", sample, file)
            .isEqualTo(Files.readAllBytes(data.resolve(file)));
      }
    }
  }

  @Test
  void run_onGarbage_exitsWithMalformedMediaMessage() throws Exception {
    Path garbage = tmp.resolve("garbage.ts");
    byte[] bytes = new byte[10_000];
    new java.util.Random(3).nextBytes(bytes);
    Files.write(garbage, bytes);
    int exit =
        SegmentCli.run(new String[] {"-o", tmp.resolve("o").toString(), garbage.toString()}, err);
    assertThat(exit).isEqualTo(SegmentCli.EXIT_MALFORMED);
    assertThat(errBytes.toString()).contains("malformed media").contains("byte offset");
  }

  @Test
  void run_withoutInput_isAUsageError() {
    assertThat(SegmentCli.run(new String[] {"--hls-time", "2"}, err))
        .isEqualTo(SegmentCli.EXIT_USAGE);
    assertThat(errBytes.toString()).contains("usage:");
  }

  @Test
  void run_fmp4_writesInitFragmentsAndPlaylistWithMap() throws Exception {
    Path out = tmp.resolve("fmp4");
    Path sample = SAMPLE.resolveSibling("h265_aac.ts");
    int exit =
        SegmentCli.run(
            new String[] {
              "--hls-time", "2", "--segment-type", "fmp4", "-o", out.toString(), sample.toString()
            },
            err);
    assertThat(exit).as(errBytes.toString()).isEqualTo(SegmentCli.EXIT_OK);
    String text = Files.readString(out.resolve("index.m3u8"));
    assertThat(text).contains("#EXT-X-VERSION:6\n").contains("#EXT-X-MAP:URI=\"init.mp4\"\n");
    assertThat(text.indexOf("#EXT-X-MAP")).isLessThan(text.indexOf("#EXTINF"));
    MediaPlaylist playlist = (MediaPlaylist) PlaylistParser.parse(text);
    assertThat(playlist.segments()).hasSize(3);
    assertThat(out.resolve("init.mp4")).isNotEmptyFile();
    for (var segment : playlist.segments()) {
      assertThat(segment.uri()).endsWith(".m4s");
      assertThat(out.resolve(segment.uri())).isNotEmptyFile();
    }
    if (ffmpegRuns()) {
      Process ffmpeg =
          new ProcessBuilder(
                  "ffmpeg", "-nostdin", "-v", "error", "-i", "index.m3u8", "-f", "null", "-")
              .directory(out.toFile())
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      String ffmpegErr = new String(ffmpeg.getErrorStream().readAllBytes());
      assertThat(ffmpeg.waitFor()).isZero();
      assertThat(ffmpegErr).as("ffmpeg -v error playing the playlist").isEmpty();
    }
  }

  @Test
  void run_fmp4WithParts_isAUsageError() {
    int exit =
        SegmentCli.run(
            new String[] {"--segment-type", "fmp4", "--part-time", "0.5", SAMPLE.toString()}, err);
    assertThat(exit).isEqualTo(SegmentCli.EXIT_USAGE);
  }

  private static boolean ffmpegRuns() {
    try {
      Process p = new ProcessBuilder("ffmpeg", "-version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor() == 0;
    } catch (java.io.IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
