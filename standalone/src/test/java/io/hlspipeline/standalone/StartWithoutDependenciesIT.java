package io.hlspipeline.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hlspipeline.devstack.ChildJvm;
import java.io.IOException;
import java.net.InetAddress;
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
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each runnable jar started while its dependencies are down (Kafka, and for the catalog Cassandra,
 * at addresses where nothing listens), as a pod starts before Kafka in a fresh cluster: the admin
 * HTTP answers at once ({@code /health/live} 200), readiness is 503 naming the dependency the
 * service waits for, and SIGTERM ends the process promptly instead of waiting for the blocked
 * start.
 */
class StartWithoutDependenciesIT {
  /** From launch to the first 200 on /health/live: JVM start-up and class loading only. */
  private static final Duration LIVE_WITHIN = Duration.ofSeconds(20);

  /** SIGTERM to exit; the blocked start used to hold it for 30+ s. */
  private static final Duration EXIT_WITHIN = Duration.ofSeconds(15);

  private static final String FAKE_S3 =
      "id=a,url=http://127.0.0.1:%d,bucket=hls,accessKey=k,secretKey=s";

  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "ingest-service, io.hlspipeline.ingest.IngestMain, topics",
    "segmenter-service, io.hlspipeline.segmenter.SegmenterMain, topics",
    "catalog-service, io.hlspipeline.catalog.CatalogMain, cassandra",
    "edge-service, io.hlspipeline.edge.EdgeMain, segments-follower"
  })
  void withDependenciesDown_servesHealthReportsNotReadyAndStopsPromptly(
      String service, String mainClass, String failingCheck) throws Exception {
    int httpPort = freePort();
    int adminPort = freePort();
    int deadPort = freePort(); // closed again at once: nothing listens there
    Map<String, String> env =
        Map.of(
            "KAFKA_BOOTSTRAP_SERVERS",
            "127.0.0.1:" + deadPort,
            "HTTP_BIND",
            "127.0.0.1",
            "HTTP_PORT",
            Integer.toString(httpPort),
            "ADMIN_PORT",
            Integer.toString(adminPort),
            "STREAM_KEY_SECRET",
            "start-without-deps-secret-0123456789",
            "S3_ENDPOINTS",
            String.format(FAKE_S3, deadPort),
            "CASSANDRA_CONTACT_POINTS",
            "127.0.0.1:" + deadPort,
            "CATALOG_URL",
            "http://127.0.0.1:" + deadPort,
            "CATALOG_STATE_DIR",
            tmp.resolve("state").toString());
    Path log = tmp.resolve(service + ".log");
    ChildJvm.Builder builder =
        ChildJvm.builder(mainClass)
            .name("nodeps-" + service)
            .classpath(List.of(ShadedJarIT.jar(service)))
            .logFile(log);
    env.forEach(builder::env);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    URI base = URI.create("http://127.0.0.1:" + httpPort);
    // The segmenter has no public port: its HTTP_PORT is its admin port (it ignores ADMIN_PORT).
    URI admin =
        service.equals("segmenter-service") ? base : URI.create("http://127.0.0.1:" + adminPort);
    try (ChildJvm child = builder.start()) {
      await()
          .atMost(LIVE_WITHIN)
          .pollInterval(Duration.ofMillis(100))
          .ignoreExceptions()
          .failFast(service + " exited", () -> !child.isAlive())
          .until(() -> get(http, admin.resolve("/health/live")).statusCode() == 200);

      AtomicReference<HttpResponse<String>> ready = new AtomicReference<>();
      // The check stays failing (the dependency never comes): sample it a few times.
      for (int i = 0; i < 3; i++) {
        ready.set(get(http, admin.resolve("/health/ready")));
        assertThat(ready.get().statusCode()).as("/health/ready of %s", service).isEqualTo(503);
        assertThat(ready.get().body()).contains(failingCheck);
      }
      if (!admin.equals(base)) {
        assertThat(get(http, base.resolve("/health/live")).statusCode())
            .as("/health/live on the public port of %s", service)
            .isEqualTo(404);
      }
      if (service.equals("ingest-service")) {
        HttpResponse<String> publish =
            http.send(
                HttpRequest.newBuilder(base.resolve("/ingest/anything"))
                    .timeout(Duration.ofSeconds(5))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[188]))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(publish.statusCode()).isEqualTo(503);
        assertThat(publish.headers().firstValue("Retry-After")).isPresent();
      }
      assertThat(child.isAlive()).as("%s still running", service).isTrue();

      long t0 = System.nanoTime();
      // SIGTERM, as Kubernetes sends it (not Process.destroy(): see ShadedJarIT).
      child.process().toHandle().destroy();
      int exit = child.waitFor(EXIT_WITHIN);
      long exitMs = (System.nanoTime() - t0) / 1_000_000;
      System.out.printf("%s exited %d ms after SIGTERM (status %d)%n", service, exitMs, exit);
      String output = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(exit)
          .as("%s exit after SIGTERM; log:%n%s", service, tail(output))
          .isNotEqualTo(-1);
      assertThat(output).contains(serviceName(service) + " stopped cleanly");
    }
  }

  private static String serviceName(String module) {
    return module.substring(0, module.indexOf('-'));
  }

  private static String tail(String text) {
    return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
  }

  private static HttpResponse<String> get(HttpClient http, URI uri)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
