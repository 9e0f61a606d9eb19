package io.hlspipeline.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hlspipeline.devstack.ChildJvm;
import io.hlspipeline.devstack.SharedDevstack;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The runnable jars operators deploy ({@code <service>/target/<service>.jar}, built by each service
 * module's maven-shade-plugin in {@code package}): each starts with plain {@code java -jar} (its
 * manifest names the right main class) and validates its configuration; one of them runs against a
 * real Kafka broker until its health endpoint answers (on its admin port), then stops gracefully on
 * SIGTERM.
 *
 * <p>The reactor builds the four service modules before this one, so the jars exist when Failsafe
 * runs; a missing jar fails the test.
 */
class ShadedJarIT {
  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path tmp;

  static Path jar(String service) {
    // Failsafe runs in the module directory (standalone/); the service modules are its siblings.
    Path root = Path.of("").toAbsolutePath().getParent();
    Path jar = root.resolve(service + "/target/" + service + ".jar");
    assertThat(jar)
        .as(
            "runnable jar of %s; build it with mvn -B -q -pl %s package -DskipTests",
            service, service)
        .isRegularFile();
    return jar;
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "ingest-service, KAFKA_BOOTSTRAP_SERVERS, STREAM_KEY_SECRET",
    "segmenter-service, KAFKA_BOOTSTRAP_SERVERS, S3_ENDPOINTS",
    "catalog-service, KAFKA_BOOTSTRAP_SERVERS, CASSANDRA_CONTACT_POINTS",
    "edge-service, KAFKA_BOOTSTRAP_SERVERS, S3_ENDPOINTS"
  })
  void withoutConfigurationExitsTwoNamingTheMissingVariables(
      String service, String firstVariable, String serviceVariable) throws Exception {
    Path output = tmp.resolve(service + ".out");
    ProcessBuilder pb =
        new ProcessBuilder(java(), "-jar", jar(service).toString())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
    // Nothing but PATH: no variable of this JVM's environment may configure the service.
    String path = System.getenv("PATH");
    pb.environment().clear();
    if (path != null) {
      pb.environment().put("PATH", path);
    }
    Process process = pb.start();
    try {
      assertThat(process.waitFor(EXIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
          .as("%s exits on its own", service)
          .isTrue();
      String out = Files.readString(output, StandardCharsets.UTF_8);
      assertThat(process.exitValue())
          .as("exit status of %s; output:%n%s", service, out)
          .isEqualTo(2);
      assertThat(out)
          .contains("configuration error: " + firstVariable + ": ")
          .contains("configuration error: " + serviceVariable + ": ")
          // Class loading problems of a badly shaded jar would show as stack traces.
          .doesNotContain("Exception")
          .doesNotContain("NoClassDefFoundError");
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  void ingestJarServesHealthOnRealKafkaAndStopsCleanlyOnSigterm() throws Exception {
    String bootstrap = SharedDevstack.kafka().bootstrapServers();
    int port;
    int adminPort;
    try (ServerSocket probe = new ServerSocket(0);
        ServerSocket adminProbe = new ServerSocket(0)) {
      port = probe.getLocalPort();
      adminPort = adminProbe.getLocalPort();
    }
    Path log = tmp.resolve("ingest.log");
    // Only the shaded jar on the classpath (ChildJvm adds its parent watchdog), so every class and
    // META-INF/services entry the service needs must have been merged into it.
    try (ChildJvm child =
        ChildJvm.builder("io.hlspipeline.ingest.IngestMain")
            .name("shaded-ingest")
            .classpath(List.of(jar("ingest-service")))
            .jvmArg("-XX:MaxRAMPercentage=75")
            .env("KAFKA_BOOTSTRAP_SERVERS", bootstrap)
            .env("STREAM_KEY_SECRET", "shaded-jar-it-secret-0123456789")
            .env("HTTP_PORT", Integer.toString(port))
            .env("ADMIN_PORT", Integer.toString(adminPort))
            .env("HTTP_BIND", "127.0.0.1")
            .env("KAFKA_TOPIC_PARTITIONS", "2")
            .logFile(log)
            .start()) {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      URI base = URI.create("http://127.0.0.1:" + adminPort);
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .failFast("ingest exited", () -> !child.isAlive())
          .until(() -> status(http, base.resolve("/health/live")) == 200);
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .until(() -> status(http, base.resolve("/health/ready")) == 200);
      HttpResponse<String> metrics =
          http.send(
              HttpRequest.newBuilder(base.resolve("/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).contains("jvm_memory_used_bytes");
      assertThat(status(http, URI.create("http://127.0.0.1:" + port + "/metrics")))
          .as("/metrics on the public port")
          .isEqualTo(404);

      // SIGTERM, as Kubernetes and Docker send it. Not Process.destroy(): that also closes the
      // child's stdin, on which ChildJvm's watchdog halts the child at once.
      child.process().toHandle().destroy();
      assertThat(child.waitFor(Duration.ofSeconds(30)))
          .as("exit status after SIGTERM")
          .isNotEqualTo(-1);
      assertThat(Files.readString(log, StandardCharsets.UTF_8)).contains("ingest stopped cleanly");
    }
  }

  private static int status(HttpClient http, URI uri) throws IOException, InterruptedException {
    return http.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
