package io.hlspipeline.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@link FakeServiceMain} as a real child JVM, as Kubernetes would run a service. */
class ServiceMainIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Pattern LISTENING = Pattern.compile("fake listening on port (\\d+)");

  @TempDir Path dir;
  private Process process;

  @AfterEach
  void killChild() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
    }
  }

  private Process launch(Map<String, String> env) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-Xmx64m",
            "-XX:TieredStopAtLevel=1",
            "-Dlogback.configurationFile=logback.xml",
            "-cp",
            System.getProperty("java.class.path"),
            FakeServiceMain.class.getName());
    pb.environment().keySet().removeIf(k -> k.startsWith("FAKE_"));
    pb.environment().putAll(env);
    pb.redirectOutput(dir.resolve("stdout.txt").toFile());
    pb.redirectError(dir.resolve("stderr.txt").toFile());
    process = pb.start();
    return process;
  }

  private String stdout() throws IOException {
    return read("stdout.txt");
  }

  private String read(String name) throws IOException {
    File f = dir.resolve(name).toFile();
    return f.exists() ? Files.readString(f.toPath(), StandardCharsets.UTF_8) : "";
  }

  @Test
  void badConfig_exits2_andNamesEveryBadVariableOnStderr() throws Exception {
    Process p = launch(Map.of("FAKE_HTTP_PORT", "eighty"));

    assertThat(p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(read("stderr.txt").lines())
        .containsExactly(
            "configuration error: FAKE_HTTP_PORT: must be a 32-bit integer, got 'eighty'",
            "configuration error: FAKE_NAME: is required but not set (a required name)");
  }

  @Test
  void failingStart_exits1_afterLoggingError() throws Exception {
    Process p = launch(Map.of("FAKE_NAME", "x", "FAKE_FAIL_START", "true"));

    assertThat(p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(1);
    assertThat(stdout())
        .contains("ERROR")
        .contains("fake failed to start")
        .contains("told to fail")
        .contains("HTTP on port");
  }

  @Test
  void sigterm_stopsServiceCleanly_thenExits() throws Exception {
    Process p = launch(Map.of("FAKE_NAME", "x"));
    int port =
        await()
            .atMost(TIMEOUT)
            .until(
                () -> {
                  Matcher m = LISTENING.matcher(stdout());
                  return m.find() ? Integer.parseInt(m.group(1)) : -1;
                },
                v -> v > 0 || !p.isAlive());
    assertThat(p.isAlive()).as("child alive; stdout: %s", stdout()).isTrue();
    HttpResponse<String> ready =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                    .timeout(TIMEOUT)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(ready.statusCode()).isEqualTo(200);

    p.destroy(); // SIGTERM

    assertThat(p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    // 128 + SIGTERM(15): the JVM ran its shutdown hooks and exited on the signal.
    assertThat(p.exitValue()).isEqualTo(143);
    List<String> lines = stdout().lines().toList();
    assertThat(lines)
        .anyMatch(l -> l.contains("stopping fake"))
        .anyMatch(l -> l.contains("fake component stopped"))
        .anyMatch(l -> l.contains("fake stopped cleanly"));
    assertThat(indexOf(lines, "fake component stopped"))
        .isLessThan(indexOf(lines, "HTTP on port " + port + " stopped"));
  }

  private static int indexOf(List<String> lines, String text) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(text)) {
        return i;
      }
    }
    throw new AssertionError("no line contains " + text + " in " + lines);
  }
}
