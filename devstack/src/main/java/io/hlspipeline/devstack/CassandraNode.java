package io.hlspipeline.devstack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single Apache Cassandra 5.0 node in its own child JVM (see {@link ChildJvm}: it dies with this
 * JVM), on 127.0.0.1 with free ports, all its files under {@code dataDir}, its log in {@code
 * dataDir/cassandra.log}. Ready means the CQL native port accepts connections.
 *
 * <p>Cassandra runs on a JDK 17 (it fails on newer JDKs): this JVM's if it is a 17, else the one
 * named by system property {@value #JAVA_HOME_PROPERTY}, else one under {@code /usr/lib/jvm}.
 *
 * <p>Thread-safe; {@link #close()} is idempotent.
 */
public final class CassandraNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CassandraNode.class);
  public static final String LOCAL_DATACENTER = "datacenter1";
  public static final String JAVA_HOME_PROPERTY = "hls.devstack.cassandraJavaHome";
  private static final String MAIN_CLASS = "org.apache.cassandra.service.CassandraDaemon";
  private static final int LOG_TAIL_LINES = 60;

  private final ChildJvm jvm;
  private final int nativePort;
  private final Path dataDir;
  private final Duration startupTime;
  private final DevstackContainers.Handle container;
  private boolean closed;

  private CassandraNode(ChildJvm jvm, int nativePort, Path dataDir, Duration startupTime) {
    this.jvm = jvm;
    this.nativePort = nativePort;
    this.dataDir = dataDir;
    this.startupTime = startupTime;
    this.container = null;
  }

  /** A node in a container ({@link DevstackContainers}): no pid (-1), data dir or log file here. */
  private CassandraNode(int nativePort, Duration startupTime, DevstackContainers.Handle container) {
    this.jvm = null;
    this.nativePort = nativePort;
    this.dataDir = null;
    this.startupTime = startupTime;
    this.container = container;
  }

  static CassandraNode external(
      int nativePort, Duration startupTime, DevstackContainers.Handle container) {
    return new CassandraNode(nativePort, startupTime, container);
  }

  public static CassandraNode start(Path dataDir) throws Exception {
    return builder(dataDir).start();
  }

  public static Builder builder(Path dataDir) {
    return new Builder(dataDir);
  }

  /** 127.0.0.1 and the CQL native transport port. */
  public InetSocketAddress contactPoint() {
    return new InetSocketAddress(FreePorts.LOOPBACK, nativePort);
  }

  /** Always {@value #LOCAL_DATACENTER} (SimpleSnitch). */
  public String localDatacenter() {
    return LOCAL_DATACENTER;
  }

  public int nativePort() {
    return nativePort;
  }

  public long pid() {
    return container != null ? -1 : jvm.pid();
  }

  public boolean isAlive() {
    return container != null ? container.isRunning() : jvm.isAlive();
  }

  public Path dataDir() {
    return dataDir;
  }

  /** The child's stdout + stderr (Cassandra logs to the console at INFO/WARN). */
  public Path logFile() {
    return container != null ? null : jvm.logFile();
  }

  /** Wall time from {@code start} until the native port accepted a connection. */
  public Duration startupTime() {
    return startupTime;
  }

  /** SIGTERM (Cassandra drains, ~5 s), then SIGKILL after 20 s. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      if (container != null) {
        container.stop();
      } else {
        jvm.destroy(Duration.ofSeconds(20));
      }
    }
  }

  /** SIGKILL at once: for throw-away data (tests), where draining is wasted time. */
  public synchronized void kill() {
    closed = true;
    if (container != null) {
      container.kill();
    } else {
      jvm.kill();
    }
  }

  @Override
  public String toString() {
    return "CassandraNode[127.0.0.1:" + nativePort + " pid " + pid() + "]";
  }

  /** Last lines of a log file, for failure messages. */
  static String tail(Path file, int lines) {
    try {
      if (file == null || !Files.exists(file)) {
        return "(no log)";
      }
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** Settings of a node; {@link #start()} writes its config and starts it. */
  public static final class Builder {
    private final Path dataDir;
    private Path javaHome;
    private String maxHeap = "512m";
    private Duration startTimeout = Duration.ofSeconds(180);
    private final List<String> extraJvmArgs = new ArrayList<>();

    private Builder(Path dataDir) {
      this.dataDir = dataDir.toAbsolutePath();
    }

    /** A JDK 17 to run Cassandra on (default: see {@link CassandraNode}). */
    public Builder javaHome(Path javaHome) {
      this.javaHome = javaHome;
      return this;
    }

    /** -Xmx (default 512m; -Xms is 64m). */
    public Builder maxHeap(String maxHeap) {
      this.maxHeap = maxHeap;
      return this;
    }

    public Builder startTimeout(Duration startTimeout) {
      this.startTimeout = startTimeout;
      return this;
    }

    public Builder jvmArg(String arg) {
      extraJvmArgs.add(arg);
      return this;
    }

    public CassandraNode start() throws Exception {
      long startNanos = System.nanoTime();
      Files.createDirectories(dataDir);
      List<Path> classpath = CassandraClasspath.locate();
      Path java17 = javaHome != null ? javaHome : JavaHomes.java17();
      int nativePort = FreePorts.pick();
      int storagePort = FreePorts.pick();
      Path yaml = dataDir.resolve("cassandra.yaml");
      Files.writeString(yaml, CassandraConfig.yaml(dataDir, nativePort, storagePort));
      Path logback = dataDir.resolve("cassandra-logback.xml");
      Files.writeString(logback, CassandraConfig.logback());
      Path logFile = dataDir.resolve("cassandra.log");

      List<String> jvmArgs = new ArrayList<>(CassandraConfig.JPMS_ARGS);
      jvmArgs.addAll(
          List.of(
              "-Xms64m",
              "-Xmx" + maxHeap,
              "-Djdk.attach.allowAttachSelf=true",
              "-Dio.netty.tryReflectionSetAccessible=true",
              "-Dcassandra.config=" + yaml.toUri(),
              "-Dcassandra-foreground=yes",
              "-Dcassandra.storagedir=" + dataDir,
              "-Dcassandra.logdir=" + dataDir,
              "-Dlogback.configurationFile=" + logback.toUri(),
              "-Dcassandra.skip_wait_for_gossip_to_settle=0",
              "-Dcassandra.ring_delay_ms=100",
              "-Dcassandra.superuser_setup_delay_ms=0"));
      jvmArgs.addAll(extraJvmArgs);

      ChildJvm jvm =
          ChildJvm.builder(MAIN_CLASS)
              .name("cassandra")
              .javaHome(java17)
              .classpath(classpath)
              .jvmArgs(jvmArgs)
              .logFile(logFile)
              .workingDir(dataDir)
              .start();
      try {
        awaitNativePort(jvm, nativePort, logFile);
      } catch (Exception | Error e) {
        jvm.kill();
        throw e;
      }
      Duration startupTime = Duration.ofNanos(System.nanoTime() - startNanos);
      log.info(
          "Cassandra ready at 127.0.0.1:{} (pid {}) in {} ms",
          nativePort,
          jvm.pid(),
          startupTime.toMillis());
      return new CassandraNode(jvm, nativePort, dataDir, startupTime);
    }

    private void awaitNativePort(ChildJvm jvm, int nativePort, Path logFile) throws IOException {
      long deadline = System.nanoTime() + startTimeout.toNanos();
      while (!FreePorts.accepts(nativePort, Duration.ofMillis(500))) {
        if (!jvm.isAlive()) {
          throw new IOException(
              "Cassandra exited with status "
                  + jvm.process().exitValue()
                  + " before its native port opened; log "
                  + logFile
                  + " ends with:\n"
                  + tail(logFile, LOG_TAIL_LINES));
        }
        if (System.nanoTime() > deadline) {
          throw new IOException(
              "Cassandra's native port "
                  + nativePort
                  + " not open after "
                  + startTimeout
                  + "; log "
                  + logFile
                  + " ends with:\n"
                  + tail(logFile, LOG_TAIL_LINES));
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      }
    }
  }

  /** Locating a JDK 17. */
  static final class JavaHomes {
    private JavaHomes() {}

    static Path java17() throws IOException {
      String configured = System.getProperty(JAVA_HOME_PROPERTY);
      if (configured != null) {
        return Path.of(configured);
      }
      if (Runtime.version().feature() == 17) {
        return Path.of(System.getProperty("java.home"));
      }
      Path jvms = Path.of("/usr/lib/jvm");
      if (Files.isDirectory(jvms)) {
        try (Stream<Path> dirs = Files.list(jvms)) {
          var found =
              dirs.filter(d -> d.getFileName().toString().matches(".*(java-|jdk-?|-)17([.-].*)?"))
                  .filter(d -> Files.isExecutable(d.resolve("bin/java")))
                  .sorted()
                  .findFirst();
          if (found.isPresent()) {
            return found.get();
          }
        }
      }
      throw new IllegalStateException(
          "Cassandra 5.0 needs a JDK 17, this JVM is "
              + Runtime.version()
              + ": install one or set -D"
              + JAVA_HOME_PROPERTY);
    }
  }
}
