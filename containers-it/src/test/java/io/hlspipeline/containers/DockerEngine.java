package io.hlspipeline.containers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Docker engine with the project's images, once per JVM: starts Debian's {@code dockerd} when
 * none answers ({@code infra/docker/docker-up.sh}), then builds the images that are missing or out
 * of date ({@code infra/build-images.sh --no-maven}: the jars and libraries were built by this
 * Maven run's {@code package} phase). A dockerd started here is stopped when the JVM exits; the
 * images stay in its data root, outside the clone, for the next run.
 *
 * <p>Never skips: without Debian's {@code docker.io} (and the client tools the suite drives) the
 * suite fails and says what to install, as every other suite does for the servers it needs.
 */
public final class DockerEngine {
  private static final Pattern STARTED = Pattern.compile("started pid (\\d+)");
  private static String buildOutput;
  private static RuntimeException failure;

  private DockerEngine() {}

  /** The repository root (failsafe passes it; else found from the working directory). */
  public static Path repoRoot() {
    String root = System.getProperty("hls.repoRoot");
    Path p = root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
    return p.toAbsolutePath().normalize();
  }

  /** Fails, with the package to install, where a client tool the suite drives is missing. */
  public static void requireTools(Path... executables) {
    for (Path p : executables) {
      if (!Files.isExecutable(p)) {
        throw new IllegalStateException(
            p + " is not installed (apt-get install docker.io docker-compose debootstrap jq)");
      }
    }
  }

  /** What {@code build-images.sh} printed: one line per image with its size and build time. */
  public static synchronized String ensureImages() {
    if (failure != null) {
      throw failure;
    }
    if (buildOutput != null) {
      return buildOutput;
    }
    boolean installed =
        Files.isExecutable(Path.of("/usr/sbin/dockerd"))
            || Files.isExecutable(Path.of("/usr/bin/dockerd"));
    if (!installed && !answers()) {
      failure =
          new IllegalStateException(
              "no Docker engine: apt-get install docker.io docker-compose debootstrap jq");
      throw failure;
    }
    try {
      String up = run(Duration.ofSeconds(90), repoRoot().resolve("infra/docker/docker-up.sh"));
      Matcher started = STARTED.matcher(up);
      if (started.find()) {
        long pid = Long.parseLong(started.group(1));
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy), "stop-dockerd"));
      }
      long t0 = System.nanoTime();
      String built =
          run(Duration.ofMinutes(15), repoRoot().resolve("infra/build-images.sh"), "--no-maven");
      buildOutput =
          up + built + String.format("images ready in %.1f s%n", (System.nanoTime() - t0) / 1e9);
      System.out.print("[containers] " + buildOutput.replace("\n", "\n[containers] "));
      System.out.println();
      return buildOutput;
    } catch (RuntimeException e) {
      failure = e;
      throw e;
    }
  }

  private static boolean answers() {
    try {
      Process p = new ProcessBuilder("docker", "info").redirectErrorStream(true).start();
      p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
      return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Runs a script; its output, or an exception carrying it. */
  static String run(Duration timeout, Path script, String... args) {
    try {
      Path log = Files.createTempFile("hls-containers", ".log");
      List<String> command = new java.util.ArrayList<>(List.of(script.toString()));
      command.addAll(List.of(args));
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      boolean done = p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
      String out = Files.readString(log, StandardCharsets.UTF_8);
      Files.deleteIfExists(log);
      if (!done) {
        p.destroyForcibly();
        throw new IllegalStateException(script + " did not finish within " + timeout + ":\n" + out);
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(script + " exited " + p.exitValue() + ":\n" + out);
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("could not run " + script, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + script, e);
    }
  }
}
