package io.hlspipeline.devstack;

import com.github.dockerjava.api.DockerClient;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * devstack's Testcontainers mode: Kafka, Cassandra and S3 servers as containers of the project's
 * images ({@code infra/build-images.sh} builds them), instead of in this JVM and child JVMs. Chosen
 * by {@code -Dhls.devstack.mode=containers} or {@code HLS_DEVSTACK_MODE=containers}; the default
 * mode (Maven artifacts, no Docker) is unchanged. {@link SharedDevstack} hands out the same types
 * either way, reachable on 127.0.0.1.
 *
 * <p>Testcontainers reads its settings from its configuration ({@code ~/.testcontainers.properties}
 * or {@code TESTCONTAINERS_*} variables), never from here: see infra/README.md. The image names can
 * be overridden with {@code -Dhls.devstack.image.kafka|cassandra|s3proxy}.
 */
final class DevstackContainers {
  private static final Logger log = LoggerFactory.getLogger(DevstackContainers.class);
  static final String MODE_PROPERTY = "hls.devstack.mode";
  static final String MODE_ENV = "HLS_DEVSTACK_MODE";
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
  private static final long MIB = 1024L * 1024;

  private DevstackContainers() {}

  /** Whether the property (first) or the variable asks for containers. */
  static boolean enabled() {
    String mode = System.getProperty(MODE_PROPERTY, System.getenv(MODE_ENV));
    if (mode == null || mode.isBlank() || mode.equalsIgnoreCase("artifacts")) {
      return false;
    }
    if (mode.toLowerCase(Locale.ROOT).equals("containers")) {
      return true;
    }
    throw new IllegalStateException(
        MODE_PROPERTY + " / " + MODE_ENV + " must be 'artifacts' or 'containers', not " + mode);
  }

  /** What the shared fixtures need of a container: stop (SIGTERM), kill, and whether it runs. */
  interface Handle {
    void stop();

    void kill();

    boolean isRunning();
  }

  static KafkaBroker kafka(int defaultPartitions) {
    int hostPort = FreePorts.pick();
    GenericContainer<?> c =
        container(image("kafka", "hls-pipeline/kafka:4.3.1"), 768)
            .withTmpFs(Map.of("/tmp", "rw,exec", "/var/lib/kafka/data", "rw,uid=10001"))
            .withEnv("KAFKA_LISTENERS", "PLAINTEXT://:9092,CONTROLLER://:9093,HOST://:29092")
            .withEnv(
                "KAFKA_ADVERTISED_LISTENERS",
                "PLAINTEXT://localhost:9092,HOST://" + FreePorts.LOOPBACK + ":" + hostPort)
            .withEnv(
                "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP",
                "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,HOST:PLAINTEXT")
            .withEnv("KAFKA_NUM_PARTITIONS", String.valueOf(defaultPartitions))
            // As the in-JVM broker: topics are created on first use.
            .withEnv("KAFKA_EXTRA_PROPERTIES", "auto.create.topics.enable=true");
    c.setPortBindings(List.of(FreePorts.LOOPBACK + ":" + hostPort + ":29092"));
    Duration took = start(c, "Kafka");
    return KafkaBroker.external(FreePorts.LOOPBACK + ":" + hostPort, took, handle(c)::stop);
  }

  static CassandraNode cassandra() {
    GenericContainer<?> c =
        container(image("cassandra", "hls-pipeline/cassandra:5.0.6"), 1024)
            .withTmpFs(Map.of("/tmp", "rw,exec", "/var/lib/cassandra", "rw,exec,uid=10001"))
            .withExposedPorts(9042);
    Duration took = start(c, "Cassandra");
    return CassandraNode.external(c.getMappedPort(9042), took, handle(c));
  }

  /** Credentials as the in-JVM servers: {@code <id>-access} / {@code <id>-secret}. */
  static S3Server s3(String id) {
    GenericContainer<?> c =
        container(image("s3proxy", "hls-pipeline/s3proxy:4.1.0"), 256)
            .withTmpFs(Map.of("/tmp", "rw,exec", "/var/lib/s3proxy", "rw,uid=10001"))
            .withEnv("S3PROXY_IDENTITY", id + "-access")
            .withEnv("S3PROXY_CREDENTIAL", id + "-secret")
            .withExposedPorts(9000);
    Duration took = start(c, "S3 server " + id);
    URI endpoint = URI.create("http://" + FreePorts.LOOPBACK + ":" + c.getMappedPort(9000));
    return S3Server.external(id, endpoint, id + "-access", id + "-secret", took, handle(c)::stop);
  }

  private static String image(String name, String otherwise) {
    return System.getProperty("hls.devstack.image." + name, otherwise);
  }

  @SuppressWarnings("resource") // stopped through its Handle
  private static GenericContainer<?> container(String image, int memoryMiB) {
    return new GenericContainer<>(image)
        .withCreateContainerCmdModifier(
            cmd ->
                cmd.getHostConfig()
                    .withReadonlyRootfs(true)
                    .withMemory(memoryMiB * MIB)
                    .withMemorySwap(memoryMiB * MIB))
        .waitingFor(Wait.forHealthcheck().withStartupTimeout(START_TIMEOUT));
  }

  private static Duration start(GenericContainer<?> c, String what) {
    long t0 = System.nanoTime();
    try {
      c.start();
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "devstack (containers mode): "
              + what
              + " from image "
              + c.getDockerImageName()
              + " did not start; are the images built (infra/build-images.sh) and Docker running?",
          e);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    log.info("{} ready in container {} in {} ms", what, c.getContainerName(), took.toMillis());
    return took;
  }

  private static Handle handle(GenericContainer<?> c) {
    return new Handle() {
      @Override
      public void stop() {
        c.stop();
      }

      @Override
      public void kill() {
        DockerClient docker = DockerClientFactory.instance().client();
        docker.killContainerCmd(c.getContainerId()).exec();
        c.stop();
      }

      @Override
      public boolean isRunning() {
        return c.isRunning();
      }
    };
  }
}
