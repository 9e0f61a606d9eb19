package io.hlspipeline.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * nghttp2's {@code h2load} (Debian package {@code nghttp2-client}), for tests that hold many
 * requests open at once: over HTTP/2 one connection carries up to its server's stream limit, so
 * 10,000 held requests need ten connections (twenty file descriptors in all), not 10,000. Plain
 * {@code http://} URLs use h2c by prior knowledge.
 *
 * <p>Stateless and thread-safe.
 */
public final class H2Load {
  private H2Load() {}

  /** What one run reported. */
  public record Result(int exitCode, long done, long succeeded, long status2xx, String output) {}

  /** Whether {@code h2load --version} runs. */
  public static boolean installed() {
    return Ffmpeg.exitsZero("h2load", "--version");
  }

  /** A run in progress. */
  public static final class Run {
    private final Process process;
    private final Path log;

    private Run(Process process, Path log) {
      this.process = process;
      this.log = log;
    }

    /**
     * Waits for the end of the run and parses its summary.
     *
     * @throws IllegalStateException with the output if it runs past {@code timeout} (then killed)
     */
    public Result await(Duration timeout) throws IOException, InterruptedException {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "h2load still running after " + timeout + ": " + Files.readString(log));
      }
      String out = Files.readString(log);
      return new Result(
          process.exitValue(),
          number(out, "requests: \\d+ total, \\d+ started, (\\d+) done"),
          number(out, "requests: .* (\\d+) succeeded"),
          number(out, "status codes: (\\d+) 2xx"),
          out);
    }

    /** What h2load printed so far. */
    public String output() throws IOException {
      return Files.readString(log);
    }

    public void kill() {
      process.destroyForcibly();
    }
  }

  /**
   * Starts {@code h2load -n requests -c connections -m streamsPerConnection url}.
   *
   * @param timeout h2load's own per-request time limit ({@code -T})
   */
  public static Run start(
      String url, int requests, int connections, int streamsPerConnection, Duration timeout)
      throws IOException {
    Path log = Files.createTempFile("h2load", ".log");
    List<String> cmd = new ArrayList<>();
    cmd.addAll(
        List.of(
            "h2load",
            "-n",
            Integer.toString(requests),
            "-c",
            Integer.toString(connections),
            "-m",
            Integer.toString(streamsPerConnection),
            "-T",
            Long.toString(Math.max(1, timeout.toSeconds())),
            url));
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new Run(p, log);
  }

  private static long number(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }
}
