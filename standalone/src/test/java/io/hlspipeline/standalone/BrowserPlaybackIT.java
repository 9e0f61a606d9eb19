package io.hlspipeline.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hlspipeline.devstack.Ffmpeg;
import io.hlspipeline.devstack.SharedDevstack;
import io.hlspipeline.edge.EdgeConfig;
import io.hlspipeline.edge.EdgeService;
import io.hlspipeline.events.keys.StreamKeys;
import io.hlspipeline.kit.metrics.Metrics;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real viewer: hls.js in Debian's headless Chromium, driven by Selenium through Debian's
 * chromedriver, plays a live stream that ffmpeg publishes in real time through the whole pipeline
 * (ingest → Kafka → segmenter → S3 → edge) from the edge's own {@code /player/{streamId}} page.
 *
 * <p>It fails only on what a viewer would call broken: a fatal player error, less than 8 s of media
 * played within a loose bound, a blank picture, a latency outside a loose range. Start-up time and
 * live latency are printed as measurements, never asserted tightly.
 *
 * <p>Skips (with the reason) where chromium, chromedriver or ffmpeg is missing; CI installs them.
 */
class BrowserPlaybackIT {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final String SECRET = "browser-secret-0123456789abcdef";
  private static final int TARGET_DURATION_SEC = 2;
  private static final int LIVE_WINDOW_SEGMENTS = 6;
  private static final int FPS = 25;
  private static final int PUSH_SECONDS = 40;
  private static final double MIN_PLAYED_SEC = 8;

  /**
   * Measured to work here: no sandbox in a container, no network chatter, muted autoplay allowed.
   */
  private static final List<String> CHROMIUM_ARGS =
      List.of(
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--autoplay-policy=no-user-gesture-required",
          // The second edge's certificate is self-signed, made by the test.
          "--ignore-certificate-errors",
          "--window-size=1280,900");

  /**
   * Selenium warns when Chromium is newer than its newest DevTools bindings; the test uses
   * WebDriver only, never CDP. Held here because java.util.logging keeps loggers weakly.
   */
  private static final Logger CDP_VERSION_LOG =
      Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

  @TempDir static Path tmp;
  private static Pipeline pipeline;

  /** A second edge on the same pipeline, serving TLS with HTTP/2 (ALPN). */
  private static EdgeService tlsEdge;

  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void startPipeline() throws Exception {
    CDP_VERSION_LOG.setLevel(Level.SEVERE);
    Assumptions.assumeTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "chromium or chromedriver is not installed (apt-get install chromium chromium-driver);"
            + " CI installs them");
    Assumptions.assumeTrue(Ffmpeg.installed(), "ffmpeg is not installed; CI installs it");
    pipeline =
        PipelineFixture.start(
            "browser", tmp.resolve("services"), SECRET, TARGET_DURATION_SEC, LIVE_WINDOW_SEGMENTS);
    Path cert = tmp.resolve("edge-cert.pem");
    Path key = tmp.resolve("edge-key.pem");
    Process openssl =
        new ProcessBuilder(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=DNS:localhost",
                "-keyout",
                key.toString(),
                "-out",
                cert.toString())
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("openssl.log").toFile())
            .start();
    assertThat(openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0)
        .as("openssl made a certificate: %s", Files.readString(tmp.resolve("openssl.log")))
        .isTrue();
    Map<String, String> env = new java.util.HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", SharedDevstack.kafka().bootstrapServers());
    env.put("HTTP_BIND", "127.0.0.1");
    env.put("HTTP_PORT", "0");
    env.put("ADMIN_PORT", "0");
    env.put("HTTP_TLS_CERT", cert.toString());
    env.put("HTTP_TLS_KEY", key.toString());
    env.put("CATALOG_URL", pipeline.catalogUrl().toString());
    env.put("S3_ENDPOINTS", PipelineFixture.s3Specs("browser"));
    env.put("LIVE_WINDOW_SEGMENTS", String.valueOf(LIVE_WINDOW_SEGMENTS));
    tlsEdge = new EdgeService(EdgeConfig.parse(env), Metrics.newRegistry("edge-tls"));
    tlsEdge.start();
  }

  @AfterAll
  static void stopPipeline() throws Exception {
    if (tlsEdge != null) {
      tlsEdge.stop();
    }
    if (pipeline != null) {
      pipeline.stop();
    }
  }

  @Test
  void liveStream_playsInChromiumWithHlsJs_fromTheEdgesPlayerPage() throws Exception {
    String streamId = "browser-live";
    String key = new StreamKeys(SECRET).sign(streamId, 0);
    URI master = pipeline.edgeUrl().resolve("/hls/" + streamId + "/master.m3u8");
    URI page = pipeline.edgeUrl().resolve("/player/" + streamId);
    Path out = Files.createDirectories(Path.of("target", "browser-playback"));

    Process push =
        startLiveBroadcast(pipeline.ingestUrl() + "/ingest/" + key, tmp.resolve("push.log"));
    long pushStartNanos = System.nanoTime();
    ChromeDriver browser = null;
    try {
      // A viewer opens a stream that is live: wait for the edge to list it.
      await("master playlist served")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> status(master) == 200);

      browser = startBrowser(out.resolve("chromedriver.log"));
      long openNanos = System.nanoTime();
      browser.get(page.toString());
      JavascriptExecutor js = browser;

      PlayerState played =
          await("≥ " + MIN_PLAYED_SEC + " s of media played")
              .atMost(Duration.ofSeconds(45))
              .pollInterval(Duration.ofMillis(500))
              .failFast(
                  "fatal player error",
                  () -> assertThat(PlayerState.read(js).fatalError()).as("fatal error").isNull())
              .until(() -> PlayerState.read(js), s -> s.playedSeconds() >= MIN_PLAYED_SEC);

      WebElement video = browser.findElement(By.id("video"));
      byte[] png = video.getScreenshotAs(OutputType.BYTES);
      Path screenshot = out.resolve("player.png");
      Files.write(screenshot, png);

      System.out.printf(
          "[browser] %s: startup %.0f ms (navigation to first frame playing; %.2f s after the"
              + " push started); %.1f s played; live latency %.2f s (program-date-time vs wall"
              + " clock); screenshot %s%n",
          played.engine(),
          played.startupMs(),
          (openNanos - pushStartNanos) / 1e9 + played.startupMs() / 1e3,
          played.playedSeconds(),
          played.latencySeconds(),
          screenshot.toAbsolutePath());
      assertThat(played.engine()).isEqualTo("hls.js");
      assertThat(played.cspViolations()).as("Content-Security-Policy violations").isEmpty();
      // PDT is on every segment: the latency exists, is not in the future, and is that of a live
      // stream rather than of a replay (loose: standard HLS measured 7–9 s here).
      assertThat(played.latencySeconds()).as("live latency, s").isNotNull().isBetween(-1.0, 30.0);
      assertThat(distinctColours(png))
          .as("distinct colours in the video screenshot")
          .isGreaterThan(16);

      // Keep watching until the broadcast ends: playback goes on without a fatal error.
      List<Double> latencies = new ArrayList<>();
      await("broadcast finished")
          .atMost(Duration.ofSeconds(PUSH_SECONDS + 30))
          .pollInterval(Duration.ofSeconds(1))
          .failFast(
              "fatal player error",
              () -> assertThat(PlayerState.read(js).fatalError()).as("fatal error").isNull())
          .until(
              () -> {
                Double latency = PlayerState.read(js).latencySeconds();
                if (latency != null) {
                  latencies.add(latency);
                }
                return !push.isAlive();
              });
      assertThat(push.exitValue())
          .as("push exit, log: %s", Ffmpeg.read(tmp.resolve("push.log")))
          .isZero();
      PlayerState last = PlayerState.read(js);
      latencies.sort(Double::compare);
      System.out.printf(
          "[browser] after the broadcast: %.1f s played, latency over %d samples min %.2f /"
              + " median %.2f / max %.2f s, non-fatal errors %s%n",
          last.playedSeconds(),
          latencies.size(),
          latencies.isEmpty() ? Double.NaN : latencies.get(0),
          latencies.isEmpty() ? Double.NaN : latencies.get(latencies.size() / 2),
          latencies.isEmpty() ? Double.NaN : latencies.get(latencies.size() - 1),
          last.errors());
      assertThat(last.fatalError()).isNull();
      assertThat(last.playedSeconds()).isGreaterThan(played.playedSeconds());
    } finally {
      if (browser != null) {
        browser.quit();
      }
      push.destroy();
      push.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void liveStream_playsInChromiumWithHlsJs_overHttp2WithTls() throws Exception {
    String streamId = "browser-h2";
    String key = new StreamKeys(SECRET).sign(streamId, 0);
    URI master = pipeline.edgeUrl().resolve("/hls/" + streamId + "/master.m3u8");
    URI page = URI.create("https://localhost:" + tlsEdge.httpPort() + "/player/" + streamId);
    Process push =
        startLiveBroadcast(pipeline.ingestUrl() + "/ingest/" + key, tmp.resolve("push-h2.log"));
    ChromeDriver browser = null;
    try {
      await("master playlist served")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> status(master) == 200);
      browser = startBrowser(tmp.resolve("chromedriver-h2.log"));
      browser.get(page.toString());
      JavascriptExecutor js = browser;
      PlayerState played =
          await("≥ " + MIN_PLAYED_SEC + " s of media played over HTTP/2")
              .atMost(Duration.ofSeconds(45))
              .pollInterval(Duration.ofMillis(500))
              .failFast(
                  "fatal player error",
                  () -> assertThat(PlayerState.read(js).fatalError()).as("fatal error").isNull())
              .until(() -> PlayerState.read(js), s -> s.playedSeconds() >= MIN_PLAYED_SEC);
      // What the browser itself says it used for the playlists and segments it fetched.
      @SuppressWarnings("unchecked")
      List<String> protocols =
          (List<String>)
              js.executeScript(
                  "return performance.getEntriesByType('resource')"
                      + ".filter(e => e.name.includes('/hls/')).map(e => e.nextHopProtocol);");
      System.out.printf(
          "[browser] TLS edge: %s, startup %.0f ms, %.1f s played, latency %.2f s, %d HLS"
              + " fetches by protocol %s%n",
          played.engine(),
          played.startupMs(),
          played.playedSeconds(),
          played.latencySeconds(),
          protocols.size(),
          new java.util.TreeMap<>(
              protocols.stream()
                  .collect(
                      java.util.stream.Collectors.groupingBy(
                          p -> p, java.util.stream.Collectors.counting()))));
      assertThat(played.engine()).isEqualTo("hls.js");
      assertThat(protocols).isNotEmpty().containsOnly("h2");
    } finally {
      if (browser != null) {
        browser.quit();
      }
      push.destroy();
      push.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void fmp4LiveStream_playsInChromiumWithHlsJs() throws Exception {
    String streamId = "browser-fmp4";
    String key = new StreamKeys(SECRET).sign(streamId, 0);
    URI media = pipeline.edgeUrl().resolve("/hls/" + streamId + "/src/index.m3u8");
    URI page = pipeline.edgeUrl().resolve("/player/" + streamId);
    Path out = Files.createDirectories(Path.of("target", "browser-playback"));
    // The publisher asks for fMP4; the pipeline's default stays MPEG-TS.
    Process push =
        startLiveBroadcast(
            pipeline.ingestUrl() + "/ingest/" + key + "?segment_format=fmp4",
            tmp.resolve("push-fmp4.log"));
    long pushStartNanos = System.nanoTime();
    ChromeDriver browser = null;
    try {
      String playlist =
          await("fMP4 media playlist served")
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(200))
              .until(() -> body(media), b -> b != null && b.contains(".m4s"));
      assertThat(playlist)
          .contains("#EXT-X-VERSION:6\n")
          .containsPattern("#EXT-X-MAP:URI=\"init-[0-9a-f]{16}\\.mp4\"\n")
          .doesNotContain(".ts\n");

      browser = startBrowser(out.resolve("chromedriver-fmp4.log"));
      long openNanos = System.nanoTime();
      browser.get(page.toString());
      JavascriptExecutor js = browser;
      PlayerState played =
          await("≥ " + MIN_PLAYED_SEC + " s of fMP4 media played")
              .atMost(Duration.ofSeconds(45))
              .pollInterval(Duration.ofMillis(500))
              .failFast(
                  "fatal player error",
                  () -> assertThat(PlayerState.read(js).fatalError()).as("fatal error").isNull())
              .until(() -> PlayerState.read(js), s -> s.playedSeconds() >= MIN_PLAYED_SEC);
      byte[] png = browser.findElement(By.id("video")).getScreenshotAs(OutputType.BYTES);
      Files.write(out.resolve("player-fmp4.png"), png);
      @SuppressWarnings("unchecked")
      List<String> fetched =
          (List<String>)
              js.executeScript(
                  "return performance.getEntriesByType('resource')"
                      + ".filter(e => e.name.includes('/hls/')).map(e => e.name);");
      System.out.printf(
          "[browser] fMP4: %s, startup %.0f ms (%.2f s after the push started), %.1f s played,"
              + " latency %.2f s, non-fatal errors %s%n",
          played.engine(),
          played.startupMs(),
          (openNanos - pushStartNanos) / 1e9 + played.startupMs() / 1e3,
          played.playedSeconds(),
          played.latencySeconds(),
          played.errors());
      assertThat(played.engine()).isEqualTo("hls.js");
      assertThat(fetched).anyMatch(u -> u.matches(".*/init-[0-9a-f]{16}\\.mp4"));
      assertThat(fetched).anyMatch(u -> u.endsWith(".m4s")).noneMatch(u -> u.endsWith(".ts"));
      assertThat(played.latencySeconds()).as("live latency, s").isNotNull().isBetween(-1.0, 30.0);
      assertThat(distinctColours(png))
          .as("distinct colours in the video screenshot")
          .isGreaterThan(16);
    } finally {
      if (browser != null) {
        browser.quit();
      }
      push.destroy();
      push.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void rtmpPublish_playsInChromiumWithHlsJs() throws Exception {
    String streamId = "browser-rtmp";
    String key = new StreamKeys(SECRET).sign(streamId, 0);
    URI master = pipeline.edgeUrl().resolve("/hls/" + streamId + "/master.m3u8");
    URI page = pipeline.edgeUrl().resolve("/player/" + streamId);
    Path out = Files.createDirectories(Path.of("target", "browser-playback"));
    // OBS's protocol: FLV over RTMP, remuxed to MPEG-TS by ingest.
    Process push =
        Ffmpeg.start(
            tmp.resolve("push-rtmp.log"),
            Ffmpeg.testSource("640x360", FPS)
                .realTime()
                .seconds(PUSH_SECONDS)
                .gopFrames(FPS * TARGET_DURATION_SEC)
                .audioBitrate("96k")
                .to("-f", "flv", pipeline.rtmpUrl() + "/" + key));
    long pushStartNanos = System.nanoTime();
    ChromeDriver browser = null;
    try {
      await("master playlist served")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> status(master) == 200);
      browser = startBrowser(tmp.resolve("chromedriver-rtmp.log"));
      long openNanos = System.nanoTime();
      browser.get(page.toString());
      JavascriptExecutor js = browser;
      PlayerState played =
          await("≥ " + MIN_PLAYED_SEC + " s of the RTMP publish played")
              .atMost(Duration.ofSeconds(45))
              .pollInterval(Duration.ofMillis(500))
              .failFast(
                  "fatal player error",
                  () -> assertThat(PlayerState.read(js).fatalError()).as("fatal error").isNull())
              .until(() -> PlayerState.read(js), s -> s.playedSeconds() >= MIN_PLAYED_SEC);
      byte[] png = browser.findElement(By.id("video")).getScreenshotAs(OutputType.BYTES);
      Path screenshot = out.resolve("player-rtmp.png");
      Files.write(screenshot, png);
      System.out.printf(
          "[browser] RTMP publish: %s, startup %.0f ms (%.2f s after the publish started); %.1f s"
              + " played; live latency %.2f s; non-fatal errors %s; screenshot %s%n",
          played.engine(),
          played.startupMs(),
          (openNanos - pushStartNanos) / 1e9 + played.startupMs() / 1e3,
          played.playedSeconds(),
          played.latencySeconds(),
          played.errors(),
          screenshot.toAbsolutePath());
      assertThat(played.engine()).isEqualTo("hls.js");
      assertThat(played.latencySeconds()).as("live latency, s").isNotNull().isBetween(-1.0, 30.0);
      assertThat(distinctColours(png))
          .as("distinct colours in the video screenshot")
          .isGreaterThan(16);
      assertThat(push.isAlive()).as("the publish is still going (not refused)").isTrue();
    } finally {
      if (browser != null) {
        browser.quit();
      }
      push.destroy();
      push.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** testsrc2 at 640x360, 25 fps, with a 1 kHz tone, encoded live and pushed in real time. */
  private static Process startLiveBroadcast(String ingestUrl, Path log) throws Exception {
    return Ffmpeg.start(
        log,
        Ffmpeg.testSource("640x360", FPS)
            .realTime()
            .seconds(PUSH_SECONDS)
            .gopFrames(FPS * TARGET_DURATION_SEC)
            .audioBitrate("96k")
            .to("-f", "mpegts", "-method", "PUT", ingestUrl));
  }

  /**
   * Debian's chromium through Debian's chromedriver, both named explicitly so that Selenium Manager
   * never looks for (or downloads) a driver or a browser.
   */
  private static ChromeDriver startBrowser(Path driverLog) throws Exception {
    return startBrowser(driverLog, tmp);
  }

  /**
   * {@link #startBrowser(Path)} with its profile under {@code profileParent} (other suites), and
   * {@code extraArgs} after the usual ones (e.g. Chromium's fake capture devices).
   */
  static ChromeDriver startBrowser(Path driverLog, Path profileParent, String... extraArgs)
      throws Exception {
    System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .withLogFile(driverLog.toFile())
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(new File(CHROMIUM.toString()));
    options.addArguments(CHROMIUM_ARGS);
    options.addArguments(extraArgs);
    options.addArguments(
        "--user-data-dir=" + Files.createTempDirectory(profileParent, "chromium-profile"));
    return new ChromeDriver(service, options);
  }

  /**
   * The body of a 200 answer, else null; a poll that timed out (the first request for a stream
   * bootstraps it from the catalog, slow on a loaded machine) is "not yet" as well.
   */
  static String body(URI uri) throws Exception {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (java.net.http.HttpTimeoutException e) {
      return null;
    }
  }

  private static int status(URI uri) throws Exception {
    return http.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /** Colours in the image, each channel reduced to 5 bits so encoder noise does not count. */
  static int distinctColours(byte[] png) throws Exception {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(image).as("screenshot decodes as an image").isNotNull();
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 2) {
      for (int x = 0; x < image.getWidth(); x += 2) {
        colours.add(image.getRGB(x, y) & 0xF8F8F8);
      }
    }
    return colours.size();
  }

  /** {@code window.hlsState} of the player page (see the edge's player.js). */
  record PlayerState(
      String engine,
      String fatalError,
      List<String> errors,
      List<String> cspViolations,
      double playedSeconds,
      Double latencySeconds,
      double startupMs) {

    static PlayerState read(JavascriptExecutor js) {
      Object raw = js.executeScript("return window.hlsState || null;");
      if (!(raw instanceof Map<?, ?> state)) {
        return new PlayerState(null, null, List.of(), List.of(), 0, null, Double.NaN);
      }
      return new PlayerState(
          (String) state.get("engine"),
          (String) state.get("fatalError"),
          strings(state.get("errors")),
          strings(state.get("cspViolations")),
          number(state.get("playedSeconds"), 0),
          state.get("latencySeconds") == null ? null : number(state.get("latencySeconds"), 0),
          number(state.get("startupMs"), Double.NaN));
    }

    private static double number(Object value, double otherwise) {
      return value instanceof Number n ? n.doubleValue() : otherwise;
    }

    private static List<String> strings(Object value) {
      if (!(value instanceof List<?> list)) {
        return List.of();
      }
      return list.stream().map(String::valueOf).toList();
    }
  }
}
