package io.hlspipeline.media.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.media.hls.MediaPlaylist;
import io.hlspipeline.media.hls.PlaylistParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
