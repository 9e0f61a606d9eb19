package io.hlspipeline.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hlspipeline.devstack.Ffmpeg;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A WHIP publisher for the container tests, and what they check of its stream once played back:
 * ffmpeg 8.1 ({@code -f whip}) of the LGPL build of {@code org.bytedeco:ffmpeg}, the same
 * executable the ingest image carries as its Opus → AAC transcoder (unpacked by the build into
 * {@code target/image-libs/ffmpeg}). It sends OpenH264 video and Opus audio, as a browser does.
 */
public final class WhipFfmpeg {
  private WhipFfmpeg() {}

  /**
   * Publishes a 640×360 25 fps test pattern with a 1 kHz tone for {@code seconds} to {@code
   * whipUrl} ({@code http://host:port/whip/<stream>}) with {@code key} as Bearer token; ffmpeg's
   * output goes to {@code log}. It ends the session with a DELETE when done.
   */
  public static Process publish(Path log, String whipUrl, String key, int seconds)
      throws IOException {
    Path dir =
        Path.of(System.getProperty("hls.imageLibs"), "ffmpeg/org/bytedeco/ffmpeg/linux-x86_64");
    Path ffmpeg = dir.resolve("ffmpeg");
    ffmpeg.toFile().setExecutable(true);
    ProcessBuilder pb =
        new ProcessBuilder(
                ffmpeg.toString(),
                "-hide_banner",
                "-nostdin",
                "-v",
                "error",
                "-re",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=640x360:rate=25",
                "-re",
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=1000:sample_rate=48000",
                "-t",
                String.valueOf(seconds),
                "-c:v",
                "libopenh264",
                "-g",
                "50",
                "-c:a",
                "libopus",
                "-ar",
                "48000",
                "-ac",
                "2",
                "-f",
                "whip",
                "-authorization",
                key,
                whipUrl)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().put("LD_LIBRARY_PATH", dir.toString());
    return pb.start();
  }

  /**
   * What {@link #publishAndPlay} saw: the played file's streams ({@link #streams}), its seconds of
   * AAC, and the time from the publisher's start to the master playlist served.
   */
  public record Played(List<String> streams, double aacSeconds, double secondsToPlaylist) {}

  /**
   * Publishes for {@code seconds}, plays {@code master} with Debian's ffmpeg from the moment it is
   * served until ENDLIST into {@code dir}/whip-played.ts, and requires both to exit cleanly and the
   * file to hold H.264 and AAC-LC 48 kHz; {@code context} (e.g. ingest's audio log line) goes into
   * that failure's message.
   */
  public static Played publishAndPlay(
      Path dir, String whipUrl, String key, int seconds, String master, Supplier<String> context)
      throws Exception {
    Path pushLog = dir.resolve("whip-push.log");
    Path playLog = dir.resolve("whip-play.log");
    Path played = dir.resolve("whip-played.ts");
    long t0 = System.nanoTime();
    Process push = publish(pushLog, whipUrl, key, seconds);
    Process player = null;
    double toPlaylist;
    try {
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest get =
          HttpRequest.newBuilder(URI.create(master)).timeout(Duration.ofSeconds(10)).build();
      await("master playlist of the WHIP stream served")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(300))
          .ignoreExceptions()
          .until(() -> http.send(get, HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
      toPlaylist = (System.nanoTime() - t0) / 1e9;
      player = Ffmpeg.start(playLog, "-i", master, "-c", "copy", played.toString());
      assertThat(push.waitFor(seconds + 60L, TimeUnit.SECONDS)).as("WHIP push finished").isTrue();
      assertThat(push.exitValue()).as("WHIP push exit, log: %s", Ffmpeg.read(pushLog)).isZero();
      assertThat(player.waitFor(90, TimeUnit.SECONDS)).as("player stopped at ENDLIST").isTrue();
      assertThat(player.exitValue()).as("player exit, log: %s", Ffmpeg.read(playLog)).isZero();
    } finally {
      push.destroy();
      if (player != null) {
        player.destroy();
      }
    }
    List<String> streams = streams(played);
    assertThat(streams)
        .as("streams of the played WHIP stream (%s)", context.get())
        .anySatisfy(l -> assertThat(l).startsWith("h264,"))
        .contains("aac,LC,audio,48000");
    return new Played(streams, aacSeconds(played), toPlaylist);
  }

  /** The streams of a played file, one line each: codec_name,profile,codec_type[,sample_rate]. */
  public static List<String> streams(Path ts) throws IOException, InterruptedException {
    return ffprobe(ts, "-show_entries", "stream=codec_type,codec_name,profile,sample_rate");
  }

  /** Seconds of AAC in a played file: its first audio stream's frames of 1024 samples at 48 kHz. */
  public static double aacSeconds(Path ts) throws IOException, InterruptedException {
    List<String> packets =
        ffprobe(
            ts,
            "-select_streams",
            "a:0",
            "-count_packets",
            "-show_entries",
            "stream=nb_read_packets");
    return packets.isEmpty() ? 0 : Integer.parseInt(packets.get(0)) * 1024 / 48_000.0;
  }

  /**
   * Debian's ffprobe, CSV output; distinct non-blank lines (a TS lists its streams per program).
   */
  private static List<String> ffprobe(Path file, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("ffprobe", "-v", "error"));
    command.addAll(List.of(args));
    command.addAll(List.of("-of", "csv=p=0", file.toString()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException(command + " failed: " + out);
    }
    return out.lines().filter(l -> !l.isBlank()).distinct().toList();
  }
}
