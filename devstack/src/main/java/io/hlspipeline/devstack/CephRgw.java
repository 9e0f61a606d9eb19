package io.hlspipeline.devstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Ceph RGW (S3) for tests, shared by every test in this JVM (like {@link SharedDevstack}).
 * {@link #shared()} decides once per JVM:
 *
 * <ol>
 *   <li>env {@value #ENV_FILE_VARIABLE} set: the RGW described by that env file (the {@code
 *       DIR/rgw.env} that {@code infra/ceph/rgw-up.sh} writes); nothing is started or stopped;
 *   <li>else, when Ceph is installed ({@code radosgw}, {@code ceph-mon}, {@code ceph-osd} on the
 *       {@code PATH} or in {@code /usr/bin}, {@code /usr/sbin}): runs {@code rgw-up.sh} (shipped in
 *       this jar, copied from {@code infra/ceph} at build time) into a fresh temp dir on a free
 *       port, within {@value #START_TIMEOUT_SECONDS} s, and stops it with {@code rgw-down.sh} in a
 *       shutdown hook; a failed start throws (with the script's output and the daemons' log tails)
 *       — for every caller, the start is not retried;
 *   <li>else empty: callers skip, with {@link #unavailableMessage()}.
 * </ol>
 *
 * <p>Clusters left behind by a JVM that died without its shutdown hook (kill -9) are stopped and
 * deleted by the next {@link #shared()} that starts one: each temp dir records its owner JVM.
 *
 * <p>Clients: path-style, region {@link #region()}, and with AWS SDK v2 2.40+ {@code
 * requestChecksumCalculation(WHEN_REQUIRED)} + {@code responseChecksumValidation(WHEN_REQUIRED)}.
 * Objects live in RAM (memstore, 512 MiB): keep test data small. Use your own bucket names.
 */
public final class CephRgw {
  private static final Logger log = LoggerFactory.getLogger(CephRgw.class);

  /** Env variable naming an existing RGW's env file ({@code DIR/rgw.env} of rgw-up.sh). */
  public static final String ENV_FILE_VARIABLE = "HLS_TEST_CEPH_ENV";

  static final List<String> DAEMONS = List.of("radosgw", "ceph-mon", "ceph-osd");
  static final long START_TIMEOUT_SECONDS = 90;
  static final String TEMP_DIR_PREFIX = "hls-ceph-";
  private static final String SCRIPT_RESOURCE_DIR = "io/hlspipeline/devstack/ceph/";
  private static final List<String> SYSTEM_DIRS = List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin");
  private static final String OWNER_FILE = "owner";
  private static final int START_ATTEMPTS = 2;

  private static final Object LOCK = new Object();
  private static Optional<CephRgw> shared;
  private static RuntimeException sharedFailure;

  private final URI endpoint;
  private final String accessKey;
  private final String secretKey;
  private final String region;

  CephRgw(URI endpoint, String accessKey, String secretKey, String region) {
    this.endpoint = endpoint;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
    this.region = region;
  }

  /**
   * The JVM's shared Ceph RGW, found or started on the first call (see the class comment); empty
   * when none is configured and Ceph is not installed. Don't stop it; it goes with the JVM.
   *
   * @throws IllegalStateException when Ceph is installed (or configured) but cannot be used
   */
  public static Optional<CephRgw> shared() {
    synchronized (LOCK) {
      if (sharedFailure != null) {
        throw new IllegalStateException(sharedFailure.getMessage(), sharedFailure);
      }
      if (shared == null) {
        try {
          shared = findOrStart();
        } catch (RuntimeException e) {
          sharedFailure = e;
          throw e;
        }
      }
      return shared;
    }
  }

  /** Why {@link #shared()} is empty, and what to do about it: the message for skipped tests. */
  public static String unavailableMessage() {
    return "No real Ceph RGW: "
        + ENV_FILE_VARIABLE
        + " is unset and Ceph is not installed (not all of "
        + DAEMONS
        + " on PATH or in /usr/bin). Install it (Debian/Ubuntu: apt-get install -y ceph-mon ceph-osd"
        + " radosgw ceph-common) and the tests start their own, or point them at a running one:"
        + " infra/ceph/rgw-up.sh DIR PORT, then "
        + ENV_FILE_VARIABLE
        + "=DIR/rgw.env.";
  }

  public URI endpoint() {
    return endpoint;
  }

  public String accessKey() {
    return accessKey;
  }

  public String secretKey() {
    return secretKey;
  }

  public String region() {
    return region;
  }

  @Override
  public String toString() {
    return "CephRgw[" + endpoint + ", keys hidden]";
  }

  private static Optional<CephRgw> findOrStart() {
    String envFile = System.getenv(ENV_FILE_VARIABLE);
    if (envFile != null && !envFile.isBlank()) {
      CephRgw rgw = fromEnvFile(Path.of(envFile));
      log.info("Ceph RGW from {}={}: {}", ENV_FILE_VARIABLE, envFile, rgw);
      return Optional.of(rgw);
    }
    List<Path> binDirs = cephBinDirs(System.getenv("PATH"));
    if (binDirs.isEmpty()) {
      log.info("{}", unavailableMessage());
      return Optional.empty();
    }
    return Optional.of(startShared(binDirs));
  }

  /**
   * The directories holding the Ceph daemons, searched on {@code path} then the system dirs; empty
   * unless all of {@link #DAEMONS} are found.
   */
  static List<Path> cephBinDirs(String path) {
    Set<Path> candidates = new LinkedHashSet<>();
    if (path != null) {
      for (String dir : path.split(java.io.File.pathSeparator)) {
        if (!dir.isBlank()) {
          candidates.add(Path.of(dir));
        }
      }
    }
    SYSTEM_DIRS.forEach(d -> candidates.add(Path.of(d)));
    Set<Path> found = new LinkedHashSet<>();
    for (String daemon : DAEMONS) {
      Optional<Path> dir =
          candidates.stream().filter(d -> Files.isExecutable(d.resolve(daemon))).findFirst();
      if (dir.isEmpty()) {
        return List.of();
      }
      found.add(dir.get());
    }
    return List.copyOf(found);
  }

  /** Reads the env file rgw-up.sh writes ({@code NAME=value} lines). */
  public static CephRgw fromEnvFile(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read Ceph RGW env file " + file, e);
    }
    Map<String, String> values = new HashMap<>();
    for (String line : lines) {
      int eq = line.indexOf('=');
      if (eq > 0 && !line.startsWith("#")) {
        values.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
      }
    }
    return new CephRgw(
        URI.create(require(values, "HLS_CEPH_S3_ENDPOINT", file)),
        require(values, "HLS_CEPH_S3_ACCESS_KEY", file),
        require(values, "HLS_CEPH_S3_SECRET_KEY", file),
        values.getOrDefault("HLS_CEPH_S3_REGION", "us-east-1"));
  }

  private static String require(Map<String, String> values, String name, Path file) {
    String value = values.get(name);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("Ceph RGW env file " + file + " has no " + name);
    }
    return value;
  }

  // ---- starting one ----

  private static CephRgw startShared(List<Path> binDirs) {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    reapStale(tmp, binDirs);
    Path root;
    try {
      root = Files.createTempDirectory(tmp, TEMP_DIR_PREFIX);
      Files.writeString(root.resolve(OWNER_FILE), ownerId(ProcessHandle.current()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temp dir for Ceph", e);
    }
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> stopAndDelete(root, binDirs), "ceph-rgw-shutdown"));
    return start(root, binDirs, Duration.ofSeconds(START_TIMEOUT_SECONDS));
  }

  /** Runs rgw-up.sh into {@code root/cluster}; the caller stops it with rgw-down.sh. */
  static CephRgw start(Path root, List<Path> binDirs, Duration timeout) {
    Path scripts = extractScripts(root);
    Path cluster = root.resolve("cluster");
    Path output = root.resolve("rgw-up.log");
    for (int attempt = 1; ; attempt++) {
      int port = FreePorts.pick();
      long started = System.nanoTime();
      String failure;
      try {
        Process process =
            command(
                    binDirs,
                    scripts.resolve("rgw-up.sh"),
                    cluster.toString(),
                    Integer.toString(port))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.descendants().forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly();
          failure = "rgw-up.sh did not finish within " + timeout.toSeconds() + " s";
        } else if (process.exitValue() == 0) {
          CephRgw rgw = fromEnvFile(cluster.resolve("rgw.env"));
          log.info(
              "Ceph RGW up at {} in {} ms (data and logs in {})",
              rgw.endpoint(),
              Duration.ofNanos(System.nanoTime() - started).toMillis(),
              cluster);
          return rgw;
        } else {
          failure = "rgw-up.sh exited with " + process.exitValue();
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot run rgw-up.sh", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting Ceph", e);
      }
      String report = tail(output, 40) + clusterLogTails(cluster);
      runDown(scripts, binDirs, cluster);
      boolean portTaken = report.contains("failed to bind address");
      if (portTaken && attempt < START_ATTEMPTS) {
        log.warn("Ceph RGW: port {} was taken before radosgw bound it; retrying", port);
        continue;
      }
      throw new IllegalStateException(
          "cannot start Ceph RGW with infra/ceph/rgw-up.sh (Ceph is installed, so the Ceph tests"
              + " need it; or set "
              + ENV_FILE_VARIABLE
              + " to a running RGW's env file): "
              + failure
              + "\n--- rgw-up.sh output (tail) ---\n"
              + report);
    }
  }

  private static ProcessBuilder command(List<Path> binDirs, Path script, String... args) {
    List<String> command = new ArrayList<>(List.of("bash", script.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    List<String> path = new ArrayList<>();
    binDirs.forEach(d -> path.add(d.toString()));
    String inherited = System.getenv("PATH");
    if (inherited != null && !inherited.isBlank()) {
      path.add(inherited);
    }
    path.addAll(SYSTEM_DIRS);
    builder.environment().put("PATH", String.join(java.io.File.pathSeparator, path));
    return builder;
  }

  private static Path extractScripts(Path root) {
    Path dir = root.resolve("bin");
    try {
      Files.createDirectories(dir);
      for (String name : List.of("rgw-up.sh", "rgw-down.sh")) {
        try (InputStream in =
            CephRgw.class.getClassLoader().getResourceAsStream(SCRIPT_RESOURCE_DIR + name)) {
          if (in == null) {
            throw new IllegalStateException(
                "classpath resource "
                    + SCRIPT_RESOURCE_DIR
                    + name
                    + " missing: rebuild devstack (mvn -B -q -pl devstack install -DskipTests)");
          }
          Path target = dir.resolve(name);
          Files.copy(in, target);
          target.toFile().setExecutable(true);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract the Ceph scripts into " + dir, e);
    }
    return dir;
  }

  // ---- stopping ----

  private static void stopAndDelete(Path root, List<Path> binDirs) {
    Path cluster = root.resolve("cluster");
    if (Files.exists(cluster.resolve("ceph.conf"))) {
      Path scripts = root.resolve("bin");
      if (!Files.exists(scripts.resolve("rgw-down.sh"))) {
        scripts = extractScripts(root);
      }
      runDown(scripts, binDirs, cluster);
    }
    SharedDevstack.deleteRecursively(root);
  }

  private static void runDown(Path scripts, List<Path> binDirs, Path cluster) {
    if (!Files.exists(cluster.resolve("ceph.conf"))) {
      return;
    }
    try {
      Process process =
          command(binDirs, scripts.resolve("rgw-down.sh"), cluster.toString())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        log.warn("Ceph: rgw-down.sh {} did not finish within 30 s", cluster);
      }
    } catch (IOException e) {
      log.warn("Ceph: cannot run rgw-down.sh {}", cluster, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Stops and deletes the clusters of earlier JVMs that died without running their shutdown hook:
   * temp dirs {@code hls-ceph-*} whose owner file names a JVM that no longer runs.
   */
  static void reapStale(Path tmp, List<Path> binDirs) {
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, TEMP_DIR_PREFIX + "*")) {
      for (Path dir : dirs) {
        Path owner = dir.resolve(OWNER_FILE);
        if (Files.isRegularFile(owner) && !ownerAlive(Files.readString(owner).trim())) {
          log.info("Ceph: stopping and deleting {} left by a JVM that is gone", dir);
          stopAndDelete(dir, binDirs);
        }
      }
    } catch (IOException | UncheckedIOException e) {
      log.warn("Ceph: cannot look for stale clusters in {}", tmp, e);
    }
  }

  /** "pid start-instant": the start instant tells a reused pid from the owner. */
  static String ownerId(ProcessHandle process) {
    return process.pid()
        + " "
        + process.info().startInstant().map(Instant::toString).orElse("unknown");
  }

  static boolean ownerAlive(String ownerId) {
    String[] parts = ownerId.split(" ", 2);
    long pid;
    try {
      pid = Long.parseLong(parts[0]);
    } catch (NumberFormatException e) {
      return false;
    }
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .map(p -> parts.length < 2 || ownerId(p).equals(ownerId))
        .orElse(false);
  }

  private static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size())) + "\n";
    } catch (IOException e) {
      return "(no output: " + e + ")\n";
    }
  }

  private static String clusterLogTails(Path cluster) {
    Path logs = cluster.resolve("log");
    if (!Files.isDirectory(logs)) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    try (Stream<Path> files = Files.list(logs)) {
      for (Path file : files.sorted().toList()) {
        out.append("--- ").append(file).append(" (tail) ---\n").append(tail(file, 10));
      }
    } catch (IOException e) {
      out.append("(cannot list ").append(logs).append(": ").append(e).append(")\n");
    }
    return out.toString();
  }
}
