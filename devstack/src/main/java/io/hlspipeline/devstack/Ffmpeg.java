package io.hlspipeline.devstack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code ffmpeg} binary on PATH, for tests: every run is quiet ({@code -v error}, so its
 * log holds errors only), never reads stdin and overwrites its outputs; its stdout and stderr go to
 * a log file.
 *
 * <p>Stateless and thread-safe.
 */
public final class Ffmpeg {
  private static final List<String> COMMON =
      List.of("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y");
  private static final Duration DECODE_TIMEOUT = Duration.ofSeconds(60);

  private Ffmpeg() {}

  /** Whether {@code ffmpeg -version} runs and exits 0. */
  public static boolean installed() {
    return exitsZero("ffmpeg", "-version");
  }

  /** Whether {@code command} (a test tool's version query) runs and exits 0; output discarded. */
  static boolean exitsZero(String... command) {
    try {
      return new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start()
              .waitFor()
          == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  /** Starts ffmpeg with {@code args}, its stdout and stderr written to {@code log}. */
  public static Process start(Path log, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(COMMON);
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /**
   * Runs ffmpeg with {@code args} to its end.
   *
   * @throws IllegalStateException with ffmpeg's log when it runs longer than {@code timeout} (it is
   *     then killed) or exits with a status other than 0
   */
  public static void run(Duration timeout, String... args)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile("ffmpeg", ".log");
    try {
      Process p = start(log, args);
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("ffmpeg timed out after " + timeout + ": " + read(log));
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            "ffmpeg failed with exit status " + p.exitValue() + ": " + read(log));
      }
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /**
   * Decodes every stream of {@code file} to nothing ({@code -f null -}), as a player would.
   *
   * @return the exit status and the log: a file that decodes cleanly gives 0 and an empty log
   * @throws IllegalStateException when decoding takes longer than a minute
   */
  public static Decoded decode(Path file) throws IOException, InterruptedException {
    Path log = Files.createTempFile("ffmpeg-decode", ".log");
    try {
      Process p = start(log, "-i", file.toString(), "-f", "null", "-");
      if (!p.waitFor(DECODE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("ffmpeg decode of " + file + " timed out: " + read(log));
      }
      return new Decoded(p.exitValue(), read(log));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /** An ffmpeg log, trimmed. */
  public static String read(Path log) throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8).trim();
  }

  /**
   * A synthetic H.264/AAC source: lavfi {@code testsrc2} at {@code size} ({@code "320x240"}) and
   * {@code fps}, with a 1 kHz {@code sine} at 48 kHz, encoded by libx264 (veryfast, yuv420p) and
   * AAC. By default 64 kb/s audio, a keyframe every 2 s, not paced, no duration limit.
   */
  public static TestSource testSource(String size, int fps) {
    return new TestSource(size, fps);
  }

  /** The outcome of {@link #decode}: ffmpeg's exit status and its (errors-only) log, trimmed. */
  public record Decoded(int exitStatus, String log) {}

  /** Builds the input and encoding arguments of {@link #testSource}; not thread-safe. */
  public static final class TestSource {
    private final String size;
    private final int fps;
    private int seconds;
    private int gopFrames;
    private String audioBitrate = "64k";
    private boolean realTime;

    private TestSource(String size, int fps) {
      this.size = size;
      this.fps = fps;
      this.gopFrames = 2 * fps;
    }

    /** Stops after {@code seconds} of media ({@code -t}); 0 means never. */
    public TestSource seconds(int seconds) {
      this.seconds = seconds;
      return this;
    }

    /** A keyframe exactly every {@code frames} frames: no scene-cut keyframes in between. */
    public TestSource gopFrames(int frames) {
      this.gopFrames = frames;
      return this;
    }

    /** The AAC bitrate, as ffmpeg writes it ({@code "96k"}). */
    public TestSource audioBitrate(String bitrate) {
      this.audioBitrate = bitrate;
      return this;
    }

    /** Paces both inputs to real time ({@code -re} before each), as a live broadcaster would. */
    public TestSource realTime() {
      this.realTime = true;
      return this;
    }

    /** The whole argument list: this source, then {@code output} (e.g. {@code -f mpegts file}). */
    public String[] to(String... output) {
      String gop = String.valueOf(gopFrames);
      List<String> args = new ArrayList<>();
      input(args, "testsrc2=size=" + size + ":rate=" + fps);
      input(args, "sine=frequency=1000:sample_rate=48000");
      if (seconds > 0) {
        args.addAll(List.of("-t", String.valueOf(seconds)));
      }
      args.addAll(
          List.of(
              "-map",
              "0:v",
              "-map",
              "1:a",
              "-c:v",
              "libx264",
              "-preset",
              "veryfast",
              "-g",
              gop,
              "-keyint_min",
              gop,
              "-sc_threshold",
              "0",
              "-pix_fmt",
              "yuv420p",
              "-c:a",
              "aac",
              "-b:a",
              audioBitrate));
      args.addAll(List.of(output));
      return args.toArray(String[]::new);
    }

    private void input(List<String> args, String lavfiGraph) {
      if (realTime) {
        args.add("-re");
      }
      args.addAll(List.of("-f", "lavfi", "-i", lavfiGraph));
    }
  }
}
