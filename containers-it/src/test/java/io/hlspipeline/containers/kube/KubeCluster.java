package io.hlspipeline.containers.kube;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real single-node Kubernetes on this machine, started by {@code infra/kube/k8s-up.sh} (which
 * builds the binaries from Debian's source package on the first run and caches them outside the
 * clone) and stopped by {@code infra/kube/k8s-down.sh} through the PIDs the first recorded; {@code
 * kubectl} and {@code helm} run against it with its kubeconfig. Not thread-safe: one test class
 * drives it.
 */
public final class KubeCluster implements AutoCloseable {
  private static final Pattern KUBECONFIG = Pattern.compile("(?m)^KUBECONFIG=(.+)$");
  private static final Pattern BIN = Pattern.compile("(?m)^BIN=(.+)$");

  /** Cold: the Kubernetes build (~20 min on 2 idle cores, more on busy ones); warm: ~15 s. */
  private static final Duration UP_TIMEOUT = Duration.ofMinutes(60);

  private final Path repoRoot;
  private final Path kubeconfig;
  private final Path bin;
  private final String upOutput;
  private boolean closed;

  private KubeCluster(Path repoRoot, Path kubeconfig, Path bin, String upOutput) {
    this.repoRoot = repoRoot;
    this.kubeconfig = kubeconfig;
    this.bin = bin;
    this.upOutput = upOutput;
  }

  /** Starts the cluster; stopped by {@link #close()}, or at the latest when the JVM exits. */
  public static KubeCluster start(Path repoRoot) {
    String out =
        run(repoRoot, UP_TIMEOUT, null, repoRoot.resolve("infra/kube/k8s-up.sh").toString());
    Matcher kc = KUBECONFIG.matcher(out);
    Matcher bin = BIN.matcher(out);
    if (!kc.find() || !bin.find()) {
      throw new IllegalStateException("k8s-up.sh printed no KUBECONFIG/BIN line:\n" + out);
    }
    KubeCluster cluster =
        new KubeCluster(repoRoot, Path.of(kc.group(1).trim()), Path.of(bin.group(1).trim()), out);
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "k8s-down"));
    return cluster;
  }

  /** What {@code k8s-up.sh} printed (timings, PIDs). */
  public String upOutput() {
    return upOutput;
  }

  /**
   * Follows the logs of the pods {@code podNames} lists (asked every 500 ms) into {@code dir}, one
   * file per pod; stop it with {@link PodLogs#close()}.
   */
  PodLogs followLogs(String namespace, Supplier<List<String>> podNames, Path dir)
      throws IOException {
    return new PodLogs(
        bin.resolve("kubectl"), kubeconfig, namespace, podNames, dir, Duration.ofMillis(500));
  }

  /** Runs kubectl; its standard output, or an exception carrying both outputs. */
  public String kubectl(String... args) {
    return kubectl(Duration.ofMinutes(2), args);
  }

  public String kubectl(Duration timeout, String... args) {
    return tool("kubectl", timeout, args);
  }

  /** Runs helm against the cluster; its standard output. */
  public String helm(Duration timeout, String... args) {
    return tool("helm", timeout, args);
  }

  /** Like {@link #kubectl}, but returns null instead of throwing when it exits non-zero. */
  public String kubectlOrNull(String... args) {
    try {
      return kubectl(args);
    } catch (IllegalStateException e) {
      return null;
    }
  }

  private String tool(String name, Duration timeout, String... args) {
    List<String> command = new ArrayList<>();
    command.add(bin.resolve(name).toString());
    command.addAll(List.of(args));
    return run(repoRoot, timeout, kubeconfig, command.toArray(String[]::new));
  }

  /** Stops the cluster (idempotent); prints what k8s-down.sh printed. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    String out =
        run(
            repoRoot,
            Duration.ofMinutes(5),
            null,
            repoRoot.resolve("infra/kube/k8s-down.sh").toString());
    System.out.print("[k8s] " + out.strip().replace("\n", "\n[k8s] ") + "\n");
  }

  private static String run(Path dir, Duration timeout, Path kubeconfig, String... command) {
    try {
      Path stdout = Files.createTempFile("hls-k8s", ".out");
      Path stderr = Files.createTempFile("hls-k8s", ".err");
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectOutput(stdout.toFile())
              .redirectError(stderr.toFile());
      if (kubeconfig != null) {
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
      }
      Process p = pb.start();
      boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!done) {
        p.destroyForcibly();
      }
      String out = Files.readString(stdout, StandardCharsets.UTF_8);
      String err = Files.readString(stderr, StandardCharsets.UTF_8);
      Files.deleteIfExists(stdout);
      Files.deleteIfExists(stderr);
      if (!done) {
        throw new IllegalStateException(
            String.join(" ", command) + " did not finish within " + timeout + ":\n" + out + err);
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " exited " + p.exitValue() + ":\n" + out + err);
      }
      // The scripts report progress on stderr; keep it with the output for the caller's log.
      return command[0].endsWith(".sh") ? err + out : out;
    } catch (IOException e) {
      throw new IllegalStateException("could not run " + command[0], e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command[0], e);
    }
  }
}
