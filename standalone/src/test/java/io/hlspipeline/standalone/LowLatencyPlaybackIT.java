package io.hlspipeline.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.hlspipeline.devstack.Ffmpeg;
import io.hlspipeline.devstack.SharedDevstack;
import io.hlspipeline.edge.EdgeConfig;
import io.hlspipeline.edge.EdgeService;
import io.hlspipeline.events.keys.StreamKeys;
import io.hlspipeline.kit.metrics.Metrics;
import io.hlspipeline.standalone.BrowserPlaybackIT.PlayerState;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * Low-Latency HLS end to end, as a viewer gets it: ffmpeg publishes a live stream in real time
 * through the whole pipeline (ingest → Kafka → segmenter cutting parts → S3 → edges), and hls.js in
 * Debian's headless Chromium plays it from the edge's player page in low-latency mode, every
 * request alternating between two edge replicas behind a plain round-robin proxy (no stickiness).
 * Then the same page with low-latency mode off (standard HLS) is measured the same way.
 *
 * <p>Latency is the wall clock minus the program-date-time of the frame shown ({@code
 * hls.playingDate}), sampled twice a second. The figures are printed (docs/benchmarks.md keeps
 * them); the test fails only on what a viewer would call broken: a fatal player error, no
 * low-latency mode on a playlist with parts, one replica never asked, or a median latency past a
 * loose 4 s.
 */
class LowLatencyPlaybackIT {
  private static final String SECRET = "lowlat-secret-0123456789abcdef";
  private static final int TARGET_DURATION_SEC = 2;
  private static final int LIVE_WINDOW_SEGMENTS = 6;
  private static final int FPS = 25;
  private static final Duration LOW_LATENCY_WATCH = Duration.ofSeconds(60);
  private static final Duration STANDARD_WATCH = Duration.ofSeconds(30);
  private static final int PUSH_SECONDS = 150;
  private static final double MAX_LOW_LATENCY_MEDIAN_SEC = 4.0;
  private static final Pattern PART_URI = Pattern.compile(".*/\\d+\\.\\d+\\.(ts|m4s)$");

  private static final Logger CDP_VERSION_LOG =
      Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

  @TempDir static Path tmp;
  private static Pipeline pipeline;
  private static EdgeService secondEdge;
  private static RoundRobinProxy proxy;

  @BeforeAll
  static void startPipeline() throws Exception {
    CDP_VERSION_LOG.setLevel(Level.SEVERE);
    Assumptions.assumeTrue(
        Files.isExecutable(BrowserPlaybackIT.CHROMIUM)
            && Files.isExecutable(BrowserPlaybackIT.CHROMEDRIVER),
        "chromium or chromedriver is not installed (apt-get install chromium chromium-driver);"
            + " CI installs them");
    Assumptions.assumeTrue(Ffmpeg.installed(), "ffmpeg is not installed; CI installs it");
    pipeline =
        PipelineFixture.start(
            "lowlat", tmp.resolve("services"), SECRET, TARGET_DURATION_SEC, LIVE_WINDOW_SEGMENTS);
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", SharedDevstack.kafka().bootstrapServers());
    env.put("HTTP_BIND", "127.0.0.1");
    env.put("HTTP_PORT", "0");
    env.put("ADMIN_PORT", "0");
    env.put("CATALOG_URL", pipeline.catalogUrl().toString());
    env.put("S3_ENDPOINTS", PipelineFixture.s3Specs("lowlat"));
    env.put("LIVE_WINDOW_SEGMENTS", String.valueOf(LIVE_WINDOW_SEGMENTS));
    secondEdge = new EdgeService(EdgeConfig.parse(env), Metrics.newRegistry("edge-2"));
    secondEdge.start();
    proxy =
        new RoundRobinProxy(
            List.of(pipeline.edgeUrl(), URI.create("http://127.0.0.1:" + secondEdge.httpPort())));
  }

  @AfterAll
  static void stopPipeline() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (secondEdge != null) {
      secondEdge.stop();
    }
    if (pipeline != null) {
      pipeline.stop();
    }
  }

  @Test
  void hlsJsLowLatency_throughTwoEdgesRoundRobin_staysNearLive_andStandardHlsStillPlays()
      throws Exception {
    String streamId = "lowlat-live";
    String key = new StreamKeys(SECRET).sign(streamId, 0);
    URI media = pipeline.edgeUrl().resolve("/hls/" + streamId + "/src/index.m3u8");
    Path out = Files.createDirectories(Path.of("target", "browser-playback"));
    Process push =
        Ffmpeg.start(
            tmp.resolve("push.log"),
            Ffmpeg.testSource("640x360", FPS)
                .realTime()
                .seconds(PUSH_SECONDS)
                .gopFrames(FPS * TARGET_DURATION_SEC)
                .audioBitrate("96k")
                // As a low-latency broadcaster sends: no mux-side hold-back, every packet out.
                .to(
                    "-muxdelay",
                    "0",
                    "-flush_packets",
                    "1",
                    "-f",
                    "mpegts",
                    "-method",
                    "PUT",
                    pipeline.ingestUrl() + "/ingest/" + key));
    ChromeDriver browser = null;
    try {
      String playlist =
          await("a media playlist with parts")
              .atMost(Duration.ofSeconds(40))
              .pollInterval(Duration.ofMillis(200))
              .until(
                  () -> BrowserPlaybackIT.body(media),
                  b -> b != null && b.contains("#EXT-X-PART:"));
      assertThat(playlist).contains("#EXT-X-PART-INF:PART-TARGET=").contains("CAN-BLOCK-RELOAD");

      browser = BrowserPlaybackIT.startBrowser(out.resolve("chromedriver-lowlat.log"), tmp);
      JavascriptExecutor js = browser;

      proxy.resetCounts();
      Measured lowLatency =
          watch(browser, proxy.url().resolve("/player/" + streamId), LOW_LATENCY_WATCH);
      Map<String, Integer> byReplica = proxy.counts();
      System.out.printf(
          "[lowlat] hls.js low-latency mode, two edges round robin: startup %.0f ms, latency over"
              + " %d samples p50 %.2f / p95 %.2f / max %.2f s; %d requests per replica %s (%d"
              + " blocking reloads, %d part requests); non-fatal errors %s%n",
          lowLatency.startupMs(),
          lowLatency.samples().size(),
          lowLatency.percentile(50),
          lowLatency.percentile(95),
          lowLatency.percentile(100),
          byReplica.values().stream().mapToInt(Integer::intValue).sum(),
          byReplica,
          proxy.blockingReloads(),
          proxy.partRequests(),
          lowLatency.errors());
      assertThat(lowLatency.lowLatencyMode()).as("hls.js in low-latency mode").isTrue();
      assertThat(lowLatency.samples()).hasSizeGreaterThan(60);
      assertThat(byReplica.values()).as("requests per replica").hasSize(2).allMatch(n -> n > 20);
      assertThat(proxy.blockingReloads()).as("blocking playlist reloads").isPositive();
      assertThat(proxy.partRequests()).as("part requests").isPositive();
      assertThat(lowLatency.percentile(50))
          .as("median latency in low-latency mode, s (loose bound; the figure is the benchmark)")
          .isLessThan(MAX_LOW_LATENCY_MEDIAN_SEC);

      // The same stream, the same page and measure, low-latency mode off: standard HLS.
      Measured standard =
          watch(
              browser,
              proxy.url().resolve("/player/" + streamId + "?lowLatency=off"),
              STANDARD_WATCH);
      System.out.printf(
          "[lowlat] hls.js standard HLS (low-latency mode off): startup %.0f ms, latency over %d"
              + " samples p50 %.2f / p95 %.2f / max %.2f s; non-fatal errors %s%n",
          standard.startupMs(),
          standard.samples().size(),
          standard.percentile(50),
          standard.percentile(95),
          standard.percentile(100),
          standard.errors());
      assertThat(standard.lowLatencyMode()).as("low-latency mode off").isFalse();
      assertThat(standard.samples()).hasSizeGreaterThan(20);
      assertThat(push.isAlive()).as("the broadcast is still going").isTrue();
      assertThat(PlayerState.read(js).fatalError()).isNull();
    } finally {
      if (browser != null) {
        browser.quit();
      }
      push.destroy();
      push.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** What one watch of the player page measured. */
  record Measured(
      boolean lowLatencyMode, double startupMs, List<Double> samples, List<String> errors) {
    double percentile(int p) {
      List<Double> sorted = new ArrayList<>(samples);
      sorted.sort(Double::compare);
      if (sorted.isEmpty()) {
        return Double.NaN;
      }
      int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
      return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
  }

  /**
   * Opens {@code page}, waits for the first frame, then samples the latency twice a second for
   * {@code duration}, failing at once on a fatal player error.
   */
  private static Measured watch(ChromeDriver browser, URI page, Duration duration) {
    browser.get(page.toString());
    JavascriptExecutor js = browser;
    PlayerState started =
        await("playback started: " + page)
            .atMost(Duration.ofSeconds(45))
            .pollInterval(Duration.ofMillis(250))
            .failFast(
                "fatal player error",
                () -> assertThat(PlayerState.read(js).fatalError()).as("fatal error").isNull())
            .until(
                () -> PlayerState.read(js),
                s -> s.playedSeconds() > 1 && s.latencySeconds() != null);
    List<Double> samples = new ArrayList<>();
    long end = System.nanoTime() + duration.toNanos();
    await("watched for " + duration)
        .atMost(duration.plusSeconds(10))
        .pollInterval(Duration.ofMillis(500))
        .failFast(
            "fatal player error",
            () -> assertThat(PlayerState.read(js).fatalError()).as("fatal error").isNull())
        .until(
            () -> {
              Double latency = PlayerState.read(js).latencySeconds();
              if (latency != null) {
                samples.add(latency);
              }
              return System.nanoTime() >= end;
            });
    Object mode = js.executeScript("return window.hlsState && window.hlsState.lowLatency;");
    return new Measured(
        Boolean.TRUE.equals(mode), started.startupMs(), samples, PlayerState.read(js).errors());
  }

  /**
   * A plain round-robin load balancer in front of the edges, as a viewer's CDN or Kubernetes
   * Service would be: request n goes to upstream n mod 2, whatever it is (playlist, blocking
   * reload, part, segment), with no session affinity. Counts what each upstream was asked.
   */
  static final class RoundRobinProxy implements AutoCloseable {
    private static final List<String> RESPONSE_HEADERS =
        List.of(
            "content-type",
            "cache-control",
            "etag",
            "link",
            "content-security-policy",
            "retry-after",
            "location");

    private final List<URI> upstreams;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final AtomicLong next = new AtomicLong();
    private final Map<String, AtomicInteger> counts =
        new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicInteger blockingReloads = new AtomicInteger();
    private final AtomicInteger partRequests = new AtomicInteger();

    RoundRobinProxy(List<URI> upstreams) throws IOException {
      this.upstreams = upstreams;
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
      server.setExecutor(threads);
      server.createContext("/", this::forward);
      server.start();
    }

    URI url() {
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    void resetCounts() {
      counts.clear();
      blockingReloads.set(0);
      partRequests.set(0);
    }

    Map<String, Integer> counts() {
      Map<String, Integer> out = new java.util.TreeMap<>();
      counts.forEach((k, v) -> out.put(k, v.get()));
      return out;
    }

    int blockingReloads() {
      return blockingReloads.get();
    }

    int partRequests() {
      return partRequests.get();
    }

    private void forward(HttpExchange ex) throws IOException {
      try (ex) {
        int index = (int) (next.getAndIncrement() % upstreams.size());
        URI upstream = upstreams.get(index);
        URI target = upstream.resolve(ex.getRequestURI().toString());
        counts.computeIfAbsent("edge-" + (index + 1), k -> new AtomicInteger()).incrementAndGet();
        String query = ex.getRequestURI().getRawQuery();
        if (query != null && query.contains("_HLS_msn=")) {
          blockingReloads.incrementAndGet();
        }
        if (PART_URI.matcher(ex.getRequestURI().getPath()).matches()) {
          partRequests.incrementAndGet();
        }
        HttpResponse<byte[]> r;
        try {
          r =
              client.send(
                  HttpRequest.newBuilder(target)
                      .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.noBody())
                      .timeout(Duration.ofSeconds(40))
                      .build(),
                  HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
          ex.sendResponseHeaders(502, -1);
          return;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          ex.sendResponseHeaders(502, -1);
          return;
        }
        for (String name : RESPONSE_HEADERS) {
          r.headers().allValues(name).forEach(v -> ex.getResponseHeaders().add(name, v));
        }
        byte[] body = r.body();
        boolean head = "HEAD".equals(ex.getRequestMethod());
        ex.sendResponseHeaders(r.statusCode(), head || body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
          try (OutputStream os = ex.getResponseBody()) {
            os.write(body);
          }
        }
      }
    }

    @Override
    public void close() {
      server.stop(0);
      threads.shutdownNow();
    }
  }
}
