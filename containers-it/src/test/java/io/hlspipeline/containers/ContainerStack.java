package io.hlspipeline.containers;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * The whole pipeline as containers of the project's images, as infra/docker-compose.yml runs it:
 * Kafka, Cassandra, two S3Proxy servers, ingest, two segmenters (one consumer group), catalog,
 * edge, on one Docker network. Every container runs with a read-only root filesystem, a tmpfs
 * {@code /tmp} (and tmpfs data directories), a memory limit, and is started once its image's health
 * check says healthy. Whether images may be pulled is Testcontainers configuration (pull.policy).
 */
final class ContainerStack implements AutoCloseable {
  static final String TAG = System.getenv().getOrDefault("HLS_IMAGE_TAG", "dev");
  static final int PARTITIONS = 4;
  static final int TARGET_DURATION_SEC = 2;
  private static final String S3_KEY = "hls-it";
  private static final String S3_SECRET = "hls-it-secret-0123456789";
  private static final long MiB = 1024L * 1024;

  final String streamKeySecret;
  final Network network = Network.newNetwork();
  final int kafkaHostPort = freePort();
  final GenericContainer<?> kafka;
  final GenericContainer<?> cassandra;
  final GenericContainer<?> s3a;
  final GenericContainer<?> s3b;
  final GenericContainer<?> ingest;
  final GenericContainer<?> segmenter1;
  final GenericContainer<?> segmenter2;
  final GenericContainer<?> catalog;
  final GenericContainer<?> edge;

  ContainerStack(String streamKeySecret) {
    this.streamKeySecret = streamKeySecret;
    kafka =
        container("hls-pipeline/kafka:4.3.1", "kafka", 768)
            .withTmpFs(Map.of("/tmp", "rw,exec", "/var/lib/kafka/data", "rw,uid=10001"))
            .withEnv("KAFKA_LISTENERS", "PLAINTEXT://:9092,CONTROLLER://:9093,HOST://:29092")
            // Clients on the host (this test reads hls.segments) use a fixed published port.
            .withEnv(
                "KAFKA_ADVERTISED_LISTENERS",
                "PLAINTEXT://kafka:9092,HOST://localhost:" + kafkaHostPort)
            .withEnv(
                "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP",
                "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,HOST:PLAINTEXT");
    kafka.setPortBindings(List.of("127.0.0.1:" + kafkaHostPort + ":29092"));
    cassandra =
        container("hls-pipeline/cassandra:5.0.6", "cassandra", 1024)
            .withTmpFs(Map.of("/tmp", "rw,exec", "/var/lib/cassandra", "rw,exec,uid=10001"));
    s3a = s3("s3a");
    s3b = s3("s3b");
    String s3Endpoints = s3Spec("s3a") + ";" + s3Spec("s3b");
    ingest =
        service("ingest", 8081, 9081)
            .withExposedPorts(8081, 9081)
            .withEnv("STREAM_KEY_SECRET", streamKeySecret)
            .withEnv("RTMP_PORT", "1935");
    segmenter1 = segmenter("segmenter1", s3Endpoints);
    segmenter2 = segmenter("segmenter2", s3Endpoints);
    catalog =
        service("catalog", 8082, 9082)
            .withExposedPorts(9082)
            .withEnv("CASSANDRA_CONTACT_POINTS", "cassandra:9042")
            .withEnv("CASSANDRA_LOCAL_DC", "datacenter1")
            .withEnv("CATALOG_STATE_DIR", "/tmp/kafka-streams");
    edge =
        service("edge", 8080, 9080)
            .withExposedPorts(8080, 9080)
            .withEnv("CATALOG_URL", "http://catalog:8082")
            .withEnv("S3_ENDPOINTS", s3Endpoints)
            .withEnv("LIVE_WINDOW_SEGMENTS", "30")
            .withEnv("EDGE_CACHE_BYTES", String.valueOf(64 * MiB));
  }

  /** Per container: from the start request to healthy (Testcontainers polls the health status). */
  final Map<String, Duration> startupTimes = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Infrastructure first, then the services; each started in parallel and awaited until healthy.
   */
  void start() {
    startAll(Map.of("kafka", kafka, "cassandra", cassandra, "s3a", s3a, "s3b", s3b));
    startAll(
        Map.of(
            "ingest", ingest,
            "segmenter1", segmenter1,
            "segmenter2", segmenter2,
            "catalog", catalog,
            "edge", edge));
  }

  private void startAll(Map<String, GenericContainer<?>> containers) {
    java.util.concurrent.CompletableFuture.allOf(
            containers.entrySet().stream()
                .map(
                    e ->
                        java.util.concurrent.CompletableFuture.runAsync(
                            () -> {
                              long t0 = System.nanoTime();
                              e.getValue().start();
                              startupTimes.put(
                                  e.getKey(), Duration.ofNanos(System.nanoTime() - t0));
                            }))
                .toArray(java.util.concurrent.CompletableFuture[]::new))
        .join();
  }

  /** Every container by its network alias, services first. */
  Map<String, GenericContainer<?>> all() {
    Map<String, GenericContainer<?>> all = new LinkedHashMap<>();
    all.put("ingest", ingest);
    all.put("segmenter1", segmenter1);
    all.put("segmenter2", segmenter2);
    all.put("catalog", catalog);
    all.put("edge", edge);
    all.put("s3a", s3a);
    all.put("s3b", s3b);
    all.put("cassandra", cassandra);
    all.put("kafka", kafka);
    return all;
  }

  String kafkaBootstrap() {
    return "localhost:" + kafkaHostPort;
  }

  URI url(GenericContainer<?> c, int containerPort) {
    return URI.create("http://localhost:" + c.getMappedPort(containerPort));
  }

  @Override
  public void close() {
    List<RuntimeException> failures = new ArrayList<>();
    for (GenericContainer<?> c : all().values()) {
      try {
        c.stop();
      } catch (RuntimeException e) {
        failures.add(e);
      }
    }
    network.close();
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
  }

  private GenericContainer<?> s3(String alias) {
    return container("hls-pipeline/s3proxy:4.1.0", alias, 256)
        .withTmpFs(Map.of("/tmp", "rw,exec", "/var/lib/s3proxy", "rw,uid=10001"))
        .withEnv("S3PROXY_IDENTITY", S3_KEY)
        .withEnv("S3PROXY_CREDENTIAL", S3_SECRET);
  }

  private static String s3Spec(String alias) {
    return "id="
        + alias
        + ",url=http://"
        + alias
        + ":9000,bucket=hls,region=us-east-1,accessKey="
        + S3_KEY
        + ",secretKey="
        + S3_SECRET;
  }

  private GenericContainer<?> segmenter(String alias, String s3Endpoints) {
    return service("segmenter", 8083, 0)
        .withNetworkAliases(alias)
        .withExposedPorts(8083)
        .withEnv("S3_ENDPOINTS", s3Endpoints)
        .withEnv("S3_REPLICATION", "2")
        .withEnv("SEGMENT_TARGET_DURATION", TARGET_DURATION_SEC + "s");
  }

  private GenericContainer<?> service(String name, int httpPort, int adminPort) {
    GenericContainer<?> c =
        container("hls-pipeline/" + name + ":" + TAG, name, 512)
            .withTmpFs(Map.of("/tmp", "rw,exec"))
            .withEnv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
            .withEnv("HTTP_PORT", String.valueOf(httpPort))
            .withEnv("KAFKA_TOPIC_PARTITIONS", String.valueOf(PARTITIONS))
            .withEnv("KAFKA_REPLICATION_FACTOR", "1");
    if (adminPort > 0) {
      c.withEnv("ADMIN_PORT", String.valueOf(adminPort));
    }
    return c;
  }

  @SuppressWarnings("resource") // closed by close()
  private GenericContainer<?> container(String image, String alias, int memoryMiB) {
    return new GenericContainer<>(image)
        .withNetwork(network)
        .withNetworkAliases(alias)
        .withCreateContainerCmdModifier(
            cmd ->
                cmd.getHostConfig()
                    .withReadonlyRootfs(true)
                    .withMemory(memoryMiB * MiB)
                    .withMemorySwap(memoryMiB * MiB))
        .waitingFor(Wait.forHealthcheck().withStartupTimeout(Duration.ofMinutes(3)));
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
