package io.hlspipeline.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts Kafka, Cassandra and S3 servers for a local run, prints their endpoints (and how long each
 * took to start), and runs until Ctrl-C / SIGTERM.
 *
 * <p>Usage: {@code DevstackMain [--data-dir DIR] [--s3-servers N] [--env-file FILE]
 * [--no-cassandra]}. Without {@code --data-dir} the data lives in a temp dir deleted at exit. The
 * env file gets {@code KEY=value} lines (HLS_KAFKA_BOOTSTRAP_SERVERS, HLS_CASSANDRA_CONTACT_POINT,
 * ...) for the services.
 */
public final class DevstackMain {
  /** Logging config used unless {@code -Dlogback.configurationFile} says otherwise. */
  static final String LOGBACK_RESOURCE = "io/hlspipeline/devstack/devstack-logback.xml";

  private DevstackMain() {}

  public static void main(String[] args) throws Exception {
    // Before the first logger exists: our quiet config, not whatever logback.xml is on the path.
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", LOGBACK_RESOURCE);
    }
    Logger log = LoggerFactory.getLogger(DevstackMain.class);
    Options options = Options.parse(args);
    boolean tempData = options.dataDir == null;
    Path dataDir = tempData ? Files.createTempDirectory("hls-devstack-") : options.dataDir;

    List<AutoCloseable> started = new ArrayList<>();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stopAll(started, log);
                  if (tempData) {
                    SharedDevstack.deleteRecursively(dataDir);
                  }
                  stopped.countDown();
                },
                "devstack-stop"));

    long startNanos = System.nanoTime();
    // Cassandra (a child JVM, the slowest) starts in parallel with the in-process servers.
    CompletableFuture<CassandraNode> cassandra =
        options.cassandra
            ? CompletableFuture.supplyAsync(
                () -> unchecked(() -> CassandraNode.start(dataDir.resolve("cassandra"))))
            : CompletableFuture.completedFuture(null);
    KafkaBroker kafka = KafkaBroker.start(dataDir.resolve("kafka"));
    started.add(kafka);
    List<S3Server> s3Servers = new ArrayList<>();
    for (int i = 0; i < options.s3Servers; i++) {
      S3Server server = S3Server.start("s3-" + i, dataDir.resolve("s3-" + i));
      started.add(server);
      s3Servers.add(server);
    }
    CassandraNode cassandraNode = cassandra.join();
    if (cassandraNode != null) {
      started.add(cassandraNode);
    }
    Duration total = Duration.ofNanos(System.nanoTime() - startNanos);

    String env = envLines(kafka, cassandraNode, s3Servers);
    StringBuilder report = new StringBuilder("\nhls-pipeline devstack is up (data in ");
    report.append(dataDir).append(")\n");
    report.append(line("Kafka", kafka.bootstrapServers(), kafka.startupTime()));
    if (cassandraNode != null) {
      report.append(
          line(
              "Cassandra",
              "127.0.0.1:" + cassandraNode.nativePort() + " dc=" + cassandraNode.localDatacenter(),
              cassandraNode.startupTime()));
    }
    for (S3Server s3 : s3Servers) {
      report.append(
          line(
              "S3 " + s3.id(),
              s3.endpoint() + " key=" + s3.accessKey() + " secret=" + s3.secretKey(),
              s3.startupTime()));
    }
    report.append("all ready in ").append(total.toMillis()).append(" ms\n\n").append(env);
    report.append("\nCtrl-C stops everything.\n");
    System.out.println(report);
    if (options.envFile != null) {
      Files.writeString(options.envFile, env);
      log.info("Environment written to {}", options.envFile);
    }
    stopped.await();
  }

  private static String line(String what, String where, Duration took) {
    return String.format("  %-10s %s  (started in %d ms)%n", what, where, took.toMillis());
  }

  static String envLines(KafkaBroker kafka, CassandraNode cassandra, List<S3Server> s3Servers) {
    StringBuilder env = new StringBuilder();
    env.append("HLS_KAFKA_BOOTSTRAP_SERVERS=").append(kafka.bootstrapServers()).append('\n');
    if (cassandra != null) {
      env.append("HLS_CASSANDRA_CONTACT_POINT=127.0.0.1:")
          .append(cassandra.nativePort())
          .append('\n');
      env.append("HLS_CASSANDRA_LOCAL_DATACENTER=")
          .append(cassandra.localDatacenter())
          .append('\n');
    }
    for (int i = 0; i < s3Servers.size(); i++) {
      S3Server s3 = s3Servers.get(i);
      String prefix = "HLS_S3_" + i + "_";
      env.append(prefix).append("ID=").append(s3.id()).append('\n');
      env.append(prefix).append("ENDPOINT=").append(s3.endpoint()).append('\n');
      env.append(prefix).append("REGION=").append(s3.region()).append('\n');
      env.append(prefix).append("ACCESS_KEY=").append(s3.accessKey()).append('\n');
      env.append(prefix).append("SECRET_KEY=").append(s3.secretKey()).append('\n');
    }
    return env.toString();
  }

  private static void stopAll(List<AutoCloseable> started, Logger log) {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        log.warn("{} did not stop cleanly", started.get(i), e);
      }
    }
  }

  private interface Start<T> {
    T get() throws Exception;
  }

  private static <T> T unchecked(Start<T> start) {
    try {
      return start.get();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private record Options(Path dataDir, int s3Servers, Path envFile, boolean cassandra) {
    static Options parse(String[] args) throws IOException {
      Path dataDir = null;
      Path envFile = null;
      int s3Servers = 2;
      boolean cassandra = true;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--data-dir" -> dataDir = Path.of(args[++i]);
          case "--s3-servers" -> s3Servers = Integer.parseInt(args[++i]);
          case "--env-file" -> envFile = Path.of(args[++i]);
          case "--no-cassandra" -> cassandra = false;
          default ->
              throw new IllegalArgumentException(
                  "unknown argument "
                      + args[i]
                      + "; usage: DevstackMain [--data-dir DIR] [--s3-servers N]"
                      + " [--env-file FILE] [--no-cassandra]");
        }
      }
      return new Options(dataDir, s3Servers, envFile, cassandra);
    }
  }
}
