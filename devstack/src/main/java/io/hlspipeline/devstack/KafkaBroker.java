package io.hlspipeline.devstack;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Apache Kafka (KRaft, combined broker + controller) running in this JVM on
 * 127.0.0.1. Transactions, the classic and the new consumer group protocols and Kafka Streams work
 * on it: every internal topic has replication factor 1 and min.isr 1.
 *
 * <p>Thread-safe; {@link #close()} is idempotent.
 */
public final class KafkaBroker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KafkaBroker.class);
  private static final int NODE_ID = 1;
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final int BIND_ATTEMPTS = 3;

  private final KafkaRaftServer server;
  private final String bootstrapServers;
  private final Path dataDir;
  private final Duration startupTime;
  private final Runnable externalStop;
  private boolean closed;

  private KafkaBroker(
      KafkaRaftServer server, String bootstrapServers, Path dataDir, Duration startupTime) {
    this.server = server;
    this.bootstrapServers = bootstrapServers;
    this.dataDir = dataDir;
    this.startupTime = startupTime;
    this.externalStop = null;
  }

  /** A broker in a container ({@link DevstackContainers}): no data dir here; close runs stop. */
  private KafkaBroker(String bootstrapServers, Duration startupTime, Runnable stop) {
    this.server = null;
    this.bootstrapServers = bootstrapServers;
    this.dataDir = null;
    this.startupTime = startupTime;
    this.externalStop = stop;
  }

  static KafkaBroker external(String bootstrapServers, Duration startupTime, Runnable stop) {
    return new KafkaBroker(bootstrapServers, startupTime, stop);
  }

  /** Starts a broker with default settings (auto topic creation on, 1 partition by default). */
  public static KafkaBroker start(Path dataDir) throws Exception {
    return builder(dataDir).start();
  }

  public static Builder builder(Path dataDir) {
    return new Builder(dataDir);
  }

  /** "127.0.0.1:PORT" of the PLAINTEXT listener. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Wall time from {@code start} until the broker answered an Admin client. */
  public Duration startupTime() {
    return startupTime;
  }

  /**
   * Creates a topic with replication factor 1 and waits for the controller to accept it. An
   * existing topic of that name is left as it is.
   *
   * @param configs topic-level configs (e.g. {@code cleanup.policy=compact}); may be empty
   */
  public void createTopic(String name, int partitions, Map<String, String> configs) {
    try (Admin admin = admin()) {
      admin
          .createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
          .all()
          .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create topic " + name, e.getCause());
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot create topic " + name, e);
    }
  }

  /** A new Admin client for this broker; the caller closes it. */
  public Admin admin() {
    return Admin.create(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
            30_000));
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long startNanos = System.nanoTime();
    if (externalStop != null) {
      externalStop.run();
    } else {
      server.shutdown();
      server.awaitShutdown();
    }
    log.info(
        "Kafka broker {} stopped in {} ms",
        bootstrapServers,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
  }

  @Override
  public String toString() {
    return "KafkaBroker[" + bootstrapServers + "]";
  }

  /** Settings for a broker; {@link #start()} formats storage (once) and starts it. */
  public static final class Builder {
    private final Path dataDir;
    private int defaultPartitions = 1;
    private boolean autoCreateTopics = true;
    private final Map<String, String> overrides = new LinkedHashMap<>();

    private Builder(Path dataDir) {
      this.dataDir = dataDir;
    }

    /** {@code num.partitions}: partitions of auto-created topics (default 1). */
    public Builder defaultPartitions(int partitions) {
      this.defaultPartitions = partitions;
      return this;
    }

    /** {@code auto.create.topics.enable} (default true). */
    public Builder autoCreateTopics(boolean enabled) {
      this.autoCreateTopics = enabled;
      return this;
    }

    /** Any broker config, applied last. */
    public Builder config(String key, String value) {
      overrides.put(key, value);
      return this;
    }

    public KafkaBroker start() throws Exception {
      Files.createDirectories(dataDir);
      Exception last = null;
      for (int attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
        try {
          return startOnce();
        } catch (Exception e) {
          // A picked port may have been taken by another process in between: try new ports.
          last = e;
          log.warn("Kafka start attempt {} failed: {}", attempt, e.toString());
        }
      }
      throw last;
    }

    private KafkaBroker startOnce() throws Exception {
      long startNanos = System.nanoTime();
      int brokerPort = FreePorts.pick();
      int controllerPort = FreePorts.pick();
      Path logDir = dataDir.resolve("kafka-logs");
      Properties props = properties(brokerPort, controllerPort, logDir);
      KafkaConfig config = KafkaConfig.fromProps(props, false);
      format(logDir);
      KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
      String bootstrap = FreePorts.LOOPBACK + ":" + brokerPort;
      try {
        server.startup();
        awaitReady(bootstrap);
      } catch (Exception | Error e) {
        server.shutdown();
        server.awaitShutdown();
        throw e;
      }
      Duration startupTime = Duration.ofNanos(System.nanoTime() - startNanos);
      log.info("Kafka broker ready at {} in {} ms", bootstrap, startupTime.toMillis());
      return new KafkaBroker(server, bootstrap, dataDir, startupTime);
    }

    private Properties properties(int brokerPort, int controllerPort, Path logDir) {
      Map<String, String> c = new LinkedHashMap<>();
      c.put("process.roles", "broker,controller");
      c.put("node.id", Integer.toString(NODE_ID));
      c.put("controller.quorum.voters", NODE_ID + "@" + FreePorts.LOOPBACK + ":" + controllerPort);
      c.put(
          "listeners",
          "PLAINTEXT://"
              + FreePorts.LOOPBACK
              + ":"
              + brokerPort
              + ",CONTROLLER://"
              + FreePorts.LOOPBACK
              + ":"
              + controllerPort);
      c.put("advertised.listeners", "PLAINTEXT://" + FreePorts.LOOPBACK + ":" + brokerPort);
      c.put("controller.listener.names", "CONTROLLER");
      c.put("inter.broker.listener.name", "PLAINTEXT");
      c.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
      c.put("log.dirs", logDir.toString());
      c.put("num.partitions", Integer.toString(defaultPartitions));
      c.put("auto.create.topics.enable", Boolean.toString(autoCreateTopics));
      c.put("default.replication.factor", "1");
      c.put("min.insync.replicas", "1");
      // Single-node internal topics (replication factor 1): transactions and consumer groups need
      // them.
      c.put("offsets.topic.replication.factor", "1");
      c.put("offsets.topic.num.partitions", "1");
      c.put("transaction.state.log.replication.factor", "1");
      c.put("transaction.state.log.min.isr", "1");
      c.put("transaction.state.log.num.partitions", "1");
      c.put("share.coordinator.state.topic.replication.factor", "1");
      c.put("share.coordinator.state.topic.min.isr", "1");
      c.put("group.initial.rebalance.delay.ms", "0");
      // Lean on a shared 2-core machine: few threads, a small log-cleaner buffer.
      c.put("num.network.threads", "2");
      c.put("num.io.threads", "2");
      c.put("background.threads", "2");
      c.put("num.recovery.threads.per.data.dir", "1");
      c.put("log.cleaner.threads", "1");
      c.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
      c.putAll(overrides);
      Properties props = new Properties();
      props.putAll(c);
      return props;
    }

    private static void format(Path logDir) throws Exception {
      new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
          .setClusterId(Uuid.randomUuid().toString())
          .setNodeId(NODE_ID)
          .addDirectory(logDir.toString())
          .setMetadataLogDirectory(logDir.toString())
          .setControllerListenerName("CONTROLLER")
          .setReleaseVersion(MetadataVersion.latestProduction())
          // A data dir formatted by an earlier run is reused as it is.
          .setIgnoreFormatted(true)
          .run();
    }

    private static void awaitReady(String bootstrap) throws Exception {
      long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
      try (Admin admin =
          Admin.create(
              Map.of(
                  AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                  AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                  AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000))) {
        while (true) {
          try {
            if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
              return;
            }
          } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            if (System.nanoTime() > deadline) {
              throw new IOException("Kafka broker at " + bootstrap + " not ready", e);
            }
          }
          if (System.nanoTime() > deadline) {
            throw new IOException("Kafka broker at " + bootstrap + " not ready");
          }
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
      }
    }
  }
}
