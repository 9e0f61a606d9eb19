package io.hlspipeline.kit.http;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hlspipeline.kit.metrics.Metrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpServiceTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  private final PrometheusMeterRegistry meters = Metrics.newRegistry("test");
  private HttpService http =
      new HttpService(
          "test",
          HttpSettings.of("127.0.0.1", 0).withWorkerThreads(4).withStopGrace(Duration.ZERO),
          meters);

  @AfterEach
  void stop() throws Exception {
    http.stop();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return client.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + http.port() + path);
  }

  @Test
  void ready_reflectsChecks_andListsFailingNames() throws Exception {
    ReadinessChecks checks = new ReadinessChecks();
    AtomicBoolean kafkaReady = new AtomicBoolean(false);
    checks.register("kafka-consumer", kafkaReady::get);
    checks.register("cassandra", () -> true);
    checks.register(
        "s3",
        () -> {
          throw new IllegalStateException("boom");
        });
    AdminEndpoints.install(http, Metrics.newRegistry("test"), checks);
    http.start();

    HttpResponse<String> notReady = get("/health/ready");
    assertThat(notReady.statusCode()).isEqualTo(503);
    assertThat(notReady.body()).contains("kafka-consumer", "s3").doesNotContain("cassandra");

    kafkaReady.set(true);
    checks.register("s3", () -> true);
    HttpResponse<String> ready = get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(get("/health/live").statusCode()).isEqualTo(200);
  }

  @Test
  void metrics_servesPrometheusText_withJvmMetersAndServiceTag() throws Exception {
    PrometheusMeterRegistry registry = Metrics.newRegistry("edge");
    registry.counter("hls.test.requests").increment();
    AdminEndpoints.install(http, registry, new ReadinessChecks());
    http.start();

    HttpResponse<String> r = get("/metrics");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
    assertThat(r.body())
        .contains("jvm_memory_used_bytes{")
        .contains("service=\"edge\"")
        .contains("hls_test_requests_total");
  }

  @Test
  void admin_rejectsOtherPathsAndMethods_andAnswersHeadWithoutBody() throws Exception {
    AdminEndpoints.install(http, Metrics.newRegistry("test"), new ReadinessChecks());
    http.start();

    assertThat(get("/health/livelier").statusCode()).isEqualTo(404);
    assertThat(get("/nothing-here").statusCode()).isEqualTo(404);
    HttpResponse<String> post =
        send(HttpRequest.newBuilder(uri("/metrics")).POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(post.statusCode()).isEqualTo(405);
    HttpResponse<String> head =
        send(
            HttpRequest.newBuilder(uri("/health/live"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(head.headers().firstValue("Content-Length")).hasValue("5");
  }

  @Test
  void chunkedPut_isStreamedToHandler_beforeUploadEnds() throws Exception {
    CountDownLatch firstBytesSeen = new CountDownLatch(1);
    http.route(
        "/ingest/",
        ex -> {
          InputStream in = ex.bodyStream();
          byte[] buf = new byte[8192];
          long total = 0;
          for (int n; (n = in.read(buf)) != -1; ) {
            total += n;
            if (total >= 1000) {
              firstBytesSeen.countDown();
            }
          }
          Responses.sendText(ex, 200, "text/plain", Long.toString(total));
        },
        RouteOptions.streamingUpload());
    http.start();

    // Sent as ffmpeg does (-method PUT): chunked transfer coding over a raw socket. The second
    // chunk is only written once the handler has read the first, so a server that buffered whole
    // request bodies would never answer and the await below would time out.
    byte[] chunk = new byte[188 * 10];
    try (Socket socket = new Socket("127.0.0.1", http.port())) {
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(
          ("PUT /ingest/abc.key HTTP/1.1\r\nHost: localhost\r\n"
                  + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
              .getBytes(US_ASCII));
      writeChunk(out, chunk);
      assertThat(firstBytesSeen.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
          .as("handler saw the first chunk while the upload was still open")
          .isTrue();
      writeChunk(out, chunk);
      out.write("0\r\n\r\n".getBytes(US_ASCII));
      out.flush();

      String response = new String(socket.getInputStream().readAllBytes(), US_ASCII);

      assertThat(response).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n" + 2 * chunk.length);
    }
  }

  private static void writeChunk(OutputStream out, byte[] data) throws IOException {
    out.write((Integer.toHexString(data.length) + "\r\n").getBytes(US_ASCII));
    out.write(data);
    out.write("\r\n".getBytes(US_ASCII));
    out.flush();
  }

  @Test
  void sendJson_writesIsoInstants() throws Exception {
    record Body(String streamId, Instant at, Duration duration) {}
    http.route(
        "/json",
        ex ->
            Responses.sendJson(
                ex,
                200,
                new Body("cam1", Instant.parse("2025-01-02T03:04:05Z"), Duration.ofSeconds(4))));
    http.start();

    HttpResponse<String> r = get("/json");

    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(r.body())
        .isEqualTo("{\"streamId\":\"cam1\",\"at\":\"2025-01-02T03:04:05Z\",\"duration\":\"PT4S\"}");
  }

  @Test
  void longestPrefixWins_andHandlerFailureBecomes500() throws Exception {
    http.route("/", ex -> Responses.sendText(ex, 200, "text/plain", "root"));
    http.route("/hls/", ex -> Responses.sendText(ex, 200, "text/plain", "hls"));
    http.route(
        "/boom",
        ex -> {
          throw new IllegalStateException("bug");
        });
    http.start();

    assertThat(get("/hls/cam1/index.m3u8").body()).isEqualTo("hls");
    assertThat(get("/other").body()).isEqualTo("root");
    HttpResponse<String> boom = get("/boom");
    assertThat(boom.statusCode()).isEqualTo(500);
    assertThat(boom.body()).isEqualTo("internal error\n");
  }

  @Test
  void problem_sendsPlainTextError() throws Exception {
    http.route("/missing", ex -> Responses.problem(ex, 404, "no stream cam9"));
    http.start();

    HttpResponse<String> r = get("/missing");

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
    assertThat(r.body()).isEqualTo("no stream cam9\n");
  }

  @Test
  void lifecycle_portOnlyAfterStart_routesOnlyBefore_stopIdempotent() throws Exception {
    assertThatThrownBy(http::port).isInstanceOf(IllegalStateException.class);
    http.route("/x", ex -> Responses.sendText(ex, 200, "text/plain", "x"));
    http.start();
    http.start();
    int port = http.port();
    assertThat(port).isPositive();
    assertThatThrownBy(() -> http.route("/y", ex -> {})).isInstanceOf(IllegalStateException.class);

    http.stop();
    http.stop();

    assertThatThrownBy(
            () ->
                client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x"))
                        .timeout(TIMEOUT)
                        .build(),
                    HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(ConnectException.class);
  }

  @Test
  void readinessChecks_withNoChecks_isReady() {
    assertThat(new ReadinessChecks().allReady()).isTrue();
  }
}
