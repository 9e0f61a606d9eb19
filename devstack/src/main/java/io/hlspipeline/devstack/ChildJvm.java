package io.hlspipeline.devstack;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Java main class running in a child JVM that dies with this (parent) JVM.
 *
 * <p>The child starts under {@link ParentWatchdog}, which halts it when its stdin reaches
 * end-of-file; this object keeps the write end of that pipe open until {@link #destroy()}, {@link
 * #kill()} or the parent's own exit. The watchdog's class is appended to the child's classpath.
 *
 * <p>Thread-safe.
 */
public final class ChildJvm implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChildJvm.class);

  /** How long {@link #destroy()} waits after SIGTERM before SIGKILL. */
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(15);

  private final String name;
  private final Process process;
  private final Path logFile;
  // Held, never written: closing it (or this JVM exiting) tells the child to halt.
  private final OutputStream parentPipe;

  private ChildJvm(String name, Process process, Path logFile) {
    this.name = name;
    this.process = process;
    this.logFile = logFile;
    this.parentPipe = process.getOutputStream();
  }

  public static Builder builder(String mainClass) {
    return new Builder(mainClass);
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The file holding the child's stdout and stderr; null when they go to this JVM's. */
  public Path logFile() {
    return logFile;
  }

  public String name() {
    return name;
  }

  /** The underlying process, e.g. for {@code onExit()}. */
  public Process process() {
    return process;
  }

  /**
   * Waits for the child to exit.
   *
   * @return its exit status, or -1 if it was still running after {@code timeout}
   */
  public int waitFor(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
  }

  /** SIGTERM, wait up to {@link #DEFAULT_GRACE}, then SIGKILL. Returns when the child is gone. */
  public void destroy() {
    destroy(DEFAULT_GRACE);
  }

  /** SIGTERM, wait up to {@code grace}, then SIGKILL. Returns when the child is gone. */
  public void destroy(Duration grace) {
    if (!process.isAlive()) {
      closePipe();
      return;
    }
    long startNanos = System.nanoTime();
    // Not process.destroy(): it also closes the child's stdin, which makes the watchdog halt the
    // child at once, racing (and usually beating) its orderly SIGTERM shutdown.
    process.toHandle().destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("{} (pid {}) ignored SIGTERM for {}, killing it", name, pid(), grace);
        kill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
    }
    closePipe();
    log.info(
        "{} (pid {}) stopped in {} ms",
        name,
        pid(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
  }

  /** SIGKILL; returns when the child is gone. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closePipe();
  }

  private void closePipe() {
    try {
      parentPipe.close();
    } catch (IOException e) {
      // The child is gone already.
    }
  }

  /** Same as {@link #destroy()}. */
  @Override
  public void close() {
    destroy();
  }

  @Override
  public String toString() {
    return "ChildJvm[" + name + " pid " + process.pid() + "]";
  }

  /** What to run and how. */
  public static final class Builder {
    private final String mainClass;
    private String name;
    private Path javaHome = Path.of(System.getProperty("java.home"));
    private final List<String> classpath = new ArrayList<>();
    private final List<String> jvmArgs = new ArrayList<>();
    private final List<String> args = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private Path logFile;
    private Path workingDir;

    private Builder(String mainClass) {
      this.mainClass = Objects.requireNonNull(mainClass, "mainClass");
      this.name = mainClass.substring(mainClass.lastIndexOf('.') + 1);
    }

    /** A short name for logs (default: the main class's simple name). */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** The JDK or JRE to run (default: this JVM's {@code java.home}). */
    public Builder javaHome(Path javaHome) {
      this.javaHome = javaHome;
      return this;
    }

    /** Appends classpath entries (jars or directories). */
    public Builder classpath(List<Path> entries) {
      entries.forEach(e -> classpath.add(e.toString()));
      return this;
    }

    /** Appends a classpath string ({@link File#pathSeparator}-separated). */
    public Builder classpath(String entries) {
      if (!entries.isEmpty()) {
        classpath.add(entries);
      }
      return this;
    }

    /** Appends this JVM's own {@code java.class.path}. */
    public Builder inheritClasspath() {
      return classpath(System.getProperty("java.class.path"));
    }

    public Builder jvmArgs(List<String> jvmArgs) {
      this.jvmArgs.addAll(jvmArgs);
      return this;
    }

    public Builder jvmArg(String jvmArg) {
      this.jvmArgs.add(jvmArg);
      return this;
    }

    public Builder args(List<String> args) {
      this.args.addAll(args);
      return this;
    }

    public Builder args(String... args) {
      return args(List.of(args));
    }

    /** Sets an environment variable of the child (it inherits this JVM's environment). */
    public Builder env(String key, String value) {
      env.put(key, value);
      return this;
    }

    /** Where the child's stdout and stderr go (appended); default: this JVM's stdout/stderr. */
    public Builder logFile(Path logFile) {
      this.logFile = logFile;
      return this;
    }

    public Builder workingDir(Path workingDir) {
      this.workingDir = workingDir;
      return this;
    }

    /** The full command line this builder would run. */
    public List<String> command() {
      List<String> fullClasspath = new ArrayList<>(classpath);
      fullClasspath.add(watchdogClasspathEntry());
      List<String> command = new ArrayList<>();
      command.add(javaHome.resolve("bin").resolve("java").toString());
      command.addAll(jvmArgs);
      command.add("-cp");
      command.add(String.join(File.pathSeparator, fullClasspath));
      command.add(ParentWatchdog.class.getName());
      command.add(mainClass);
      command.addAll(args);
      return command;
    }

    public ChildJvm start() throws IOException {
      List<String> command = command();
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().putAll(env);
      if (workingDir != null) {
        Files.createDirectories(workingDir);
        builder.directory(workingDir.toFile());
      }
      if (logFile != null) {
        Files.createDirectories(logFile.toAbsolutePath().getParent());
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      } else {
        builder.redirectOutput(ProcessBuilder.Redirect.INHERIT);
      }
      Process process = builder.start();
      log.info("{} started as pid {} (log {})", name, process.pid(), logFile);
      log.debug("{} command: {}", name, command);
      return new ChildJvm(name, process, logFile);
    }

    private static String watchdogClasspathEntry() {
      try {
        return Path.of(
                ParentWatchdog.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
      } catch (URISyntaxException e) {
        throw new IllegalStateException("cannot locate ParentWatchdog's classpath entry", e);
      }
    }
  }
}
