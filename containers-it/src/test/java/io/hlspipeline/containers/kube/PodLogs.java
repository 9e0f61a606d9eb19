package io.hlspipeline.containers.kube;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Follows the logs of a changing set of pods ({@code kubectl logs -f --timestamps}, one process per
 * pod, started as the pod appears) into one file per pod, so the log of a pod a roll deletes is
 * still there to read afterwards. A daemon thread polls the pod list every {@code interval}.
 */
final class PodLogs implements AutoCloseable {
  private final Path kubectl;
  private final Path kubeconfig;
  private final String namespace;
  private final Supplier<List<String>> podNames;
  private final Path dir;
  private final Duration interval;
  private final Map<String, Process> followers = new HashMap<>();
  private final Thread thread;
  private volatile boolean running = true;

  PodLogs(
      Path kubectl,
      Path kubeconfig,
      String namespace,
      Supplier<List<String>> podNames,
      Path dir,
      Duration interval)
      throws IOException {
    this.kubectl = kubectl;
    this.kubeconfig = kubeconfig;
    this.namespace = namespace;
    this.podNames = podNames;
    this.dir = Files.createDirectories(dir);
    this.interval = interval;
    this.thread = new Thread(this::loop, "pod-logs");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    while (running) {
      try {
        for (String pod : podNames.get()) {
          synchronized (this) {
            Process f = followers.get(pod);
            // kubectl refuses a container still being created and exits at once: follow again.
            if (running && (f == null || (!f.isAlive() && !started(pod)))) {
              followers.put(pod, follow(pod));
            }
          }
        }
      } catch (RuntimeException | IOException e) {
        // the API server answers again at the next tick
      }
      try {
        Thread.sleep(interval.toMillis()); // a polling period, not a wait for a condition
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** True once the pod's log holds a line of the pod's own (one with kubectl's timestamp). */
  private boolean started(String pod) throws IOException {
    Path f = dir.resolve(pod + ".log");
    if (!Files.exists(f)) {
      return false;
    }
    try (Stream<String> lines = Files.lines(f)) {
      return lines.anyMatch(l -> !l.isEmpty() && Character.isDigit(l.charAt(0)));
    }
  }

  private Process follow(String pod) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(kubectl.toString(), "logs", "-f", "--timestamps", "-n", namespace, pod)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(pod + ".log").toFile());
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    return pb.start();
  }

  /**
   * The lines of every followed pod's log stamped at or after {@code since} that contain one of
   * {@code needles}, each with its pod's name after kubectl's RFC 3339 timestamp, in time order.
   */
  List<String> grep(Instant since, String... needles) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        String pod = f.getFileName().toString().replaceFirst("\\.log$", "");
        for (String line : Files.readAllLines(f)) {
          int stamp = line.indexOf(' ');
          if (stamp < 0
              || !Character.isDigit(line.charAt(0))
              || Instant.parse(line.substring(0, stamp)).isBefore(since)) {
            continue;
          }
          for (String n : needles) {
            if (line.contains(n)) {
              out.add(line.substring(0, stamp) + " " + pod + " " + line.substring(stamp + 1));
              break;
            }
          }
        }
      }
    }
    out.sort(null);
    return out;
  }

  @Override
  public synchronized void close() {
    running = false;
    thread.interrupt();
    followers.values().forEach(Process::destroy);
  }
}
