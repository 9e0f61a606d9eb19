package io.hlspipeline.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Servers shared by every test in this JVM: each component starts lazily on first use, at most once
 * per JVM, and stops (its temp data deleted) in a shutdown hook when the JVM exits. Tests must not
 * close what they get here, and should use their own topic / keyspace / bucket names.
 *
 * <p>This is the devstack's documented shared test fixture, hence the static state. Thread-safe:
 * concurrent first calls start one server.
 *
 * <p>System properties: {@value #KAFKA_PARTITIONS_PROPERTY} — partitions of auto-created topics
 * (default 1).
 */
public final class SharedDevstack {
  private static final Logger log = LoggerFactory.getLogger(SharedDevstack.class);
  public static final String KAFKA_PARTITIONS_PROPERTY = "hls.devstack.kafka.partitions";

  private static final Object KAFKA_LOCK = new Object();
  private static final Object CASSANDRA_LOCK = new Object();
  private static final Object S3_LOCK = new Object();
  private static final Object ROOT_LOCK = new Object();
  private static final Object COTURN_LOCK = new Object();

  private static Path root;
  private static KafkaBroker kafka;
  private static CassandraNode cassandra;
  private static final List<S3Server> s3Servers = new ArrayList<>();
  private static Coturn coturn;

  private SharedDevstack() {}

  /** The JVM's shared Kafka broker, started on first call. */
  public static KafkaBroker kafka() {
    synchronized (KAFKA_LOCK) {
      if (kafka == null) {
        int partitions = Integer.getInteger(KAFKA_PARTITIONS_PROPERTY, 1);
        kafka =
            start(
                "Kafka",
                () ->
                    DevstackContainers.enabled()
                        ? DevstackContainers.kafka(partitions)
                        : KafkaBroker.builder(root().resolve("kafka"))
                            .defaultPartitions(partitions)
                            .start());
      }
      return kafka;
    }
  }

  /** The JVM's shared Cassandra node (in a child JVM), started on first call. */
  public static CassandraNode cassandra() {
    synchronized (CASSANDRA_LOCK) {
      if (cassandra == null) {
        cassandra =
            start(
                "Cassandra",
                () ->
                    DevstackContainers.enabled()
                        ? DevstackContainers.cassandra()
                        : CassandraNode.start(root().resolve("cassandra")));
      }
      return cassandra;
    }
  }

  /**
   * The JVM's shared S3 server number {@code index} (id {@code s3-<index>}); servers 0..index are
   * started on first need.
   */
  public static S3Server s3(int index) {
    if (index < 0) {
      throw new IllegalArgumentException("index " + index + " < 0");
    }
    synchronized (S3_LOCK) {
      while (s3Servers.size() <= index) {
        String id = "s3-" + s3Servers.size();
        s3Servers.add(
            start(
                id,
                () ->
                    DevstackContainers.enabled()
                        ? DevstackContainers.s3(id)
                        : S3Server.start(id, root().resolve(id))));
      }
      return s3Servers.get(index);
    }
  }

  /**
   * The JVM's shared coturn (TURN with {@code use-auth-secret}, a random secret), started on first
   * call.
   *
   * @throws IllegalStateException when coturn is not installed ({@link
   *     Coturn#notInstalledMessage()})
   */
  public static Coturn coturn() {
    synchronized (COTURN_LOCK) {
      if (coturn == null) {
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        String hex = HexFormat.of().formatHex(secret);
        coturn = start("coturn", () -> Coturn.start(root().resolve("coturn"), hex));
      }
      return coturn;
    }
  }

  private interface Starter<T> {
    T start() throws Exception;
  }

  private static <T> T start(String what, Starter<T> starter) {
    try {
      return starter.start();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("devstack: cannot start " + what, e);
    }
  }

  private static Path root() throws IOException {
    synchronized (ROOT_LOCK) {
      if (root == null) {
        root = Files.createTempDirectory("hls-devstack-");
        Runtime.getRuntime()
            .addShutdownHook(new Thread(SharedDevstack::stopAll, "devstack-shutdown"));
      }
      return root;
    }
  }

  private static void stopAll() {
    // Reverse order of dependence is irrelevant here (no server uses another); data is throw-away,
    // so Cassandra is killed rather than drained.
    synchronized (COTURN_LOCK) {
      if (coturn != null) {
        coturn.close();
      }
    }
    synchronized (S3_LOCK) {
      s3Servers.forEach(SharedDevstack::closeQuietly);
    }
    synchronized (CASSANDRA_LOCK) {
      if (cassandra != null) {
        cassandra.kill();
      }
    }
    synchronized (KAFKA_LOCK) {
      if (kafka != null) {
        closeQuietly(kafka);
      }
    }
    deleteRecursively(root);
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      log.warn("devstack: {} did not close cleanly", closeable, e);
    }
  }

  static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.warn("devstack: cannot delete {}", dir, e);
    }
  }
}
