package io.hlspipeline.ingest.whip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.hlspipeline.devstack.Coturn;
import io.hlspipeline.devstack.Ffmpeg;
import io.hlspipeline.devstack.SharedDevstack;
import io.hlspipeline.devstack.TopicReader;
import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.Topics;
import io.hlspipeline.events.ingest.IngestControl;
import io.hlspipeline.events.ingest.IngestHeaders;
import io.hlspipeline.events.ingest.IngestRecordKind;
import io.hlspipeline.events.keys.StreamKeys;
import io.hlspipeline.ingest.IngestConfig;
import io.hlspipeline.ingest.IngestService;
import io.hlspipeline.ingest.rtmp.Ffprobe;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium publishes its fake camera and microphone over WHIP from a page on
 * another origin (so CORS is exercised), into ingest-service on the shared real Kafka; directly,
 * and relay-only through the shared real coturn ({@link SharedDevstack#coturn()}) named in the
 * answer's {@code Link} headers.
 */
class WhipBrowserIT {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final String SECRET = "whip-browser-it-secret-01234567";
  private static final StreamKeys KEYS = new StreamKeys(SECRET);
  private static final int FAKE_CAMERA_FPS = 20; // Chromium's fake camera, whatever is asked

  /** As BrowserPlaybackIT's, plus the fake capture devices and loopback-only ICE. */
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
          "--use-fake-device-for-media-stream",
          "--use-fake-ui-for-media-stream",
          "--allow-loopback-in-peer-connection");

  /** Selenium warns about CDP versions; the test uses WebDriver only. Held: JUL keeps it weakly. */
  private static final Logger CDP_VERSION_LOG =
      Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

  @TempDir static Path dir;
  private static IngestService service;
  private static PrometheusMeterRegistry registry;
  private static HttpServer page;

  @BeforeAll
  static void start() throws Exception {
    CDP_VERSION_LOG.setLevel(Level.SEVERE);
    assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
        .as("chromium and chromedriver installed (apt-get install chromium chromium-driver)")
        .isTrue();
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    service = startIngest(registry, SharedDevstack.coturn().secret(), "10s");
    // the publishing page, on an origin of its own
    byte[] html;
    try (InputStream in = WhipBrowserIT.class.getResourceAsStream("publish.html")) {
      html = in.readAllBytes();
    }
    page = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    page.createContext(
        "/publish.html",
        exchange -> {
          exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
          exchange.sendResponseHeaders(200, html.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(html);
          }
        });
    page.start();
  }

  /**
   * An ingest on the shared Kafka whose WHIP answers name the shared coturn, with TURN credentials
   * minted from {@code turnSecret}.
   */
  private static IngestService startIngest(
      PrometheusMeterRegistry metrics, String turnSecret, String connectTimeout) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", SharedDevstack.kafka().bootstrapServers());
    env.put("HTTP_BIND", "127.0.0.1");
    env.put("HTTP_PORT", "0");
    env.put("ADMIN_PORT", "0");
    env.put("RTMP_BIND", "127.0.0.1");
    env.put("RTMP_PORT", "0");
    env.put("WHIP_UDP_BIND", "127.0.0.1");
    env.put("WHIP_UDP_PORT", "0");
    env.put("WHIP_ICE_SERVERS", SharedDevstack.coturn().turnUrl());
    env.put("WHIP_TURN_SECRET", turnSecret);
    env.put("WHIP_CONNECT_TIMEOUT", connectTimeout);
    env.put("STREAM_KEY_SECRET", SECRET);
    env.put("INGEST_IDLE_TIMEOUT", "5s");
    IngestService ingest = new IngestService(IngestConfig.fromEnv(env), metrics);
    ingest.start();
    return ingest;
  }

  @AfterAll
  static void stop() throws Exception {
    if (page != null) {
      page.stop(0);
    }
    if (service != null) {
      service.stop();
    }
  }

  @Test
  void chromiumFakeCamera_publishesH264OverWhip_andDeleteEndsTheSession() throws Exception {
    String streamId = "whip-chromium";
    String endpoint = "http://127.0.0.1:" + service.httpPort() + WhipHandler.PATH_PREFIX + streamId;
    ChromeDriver browser = startBrowser(dir.resolve("chromedriver.log"));
    List<ConsumerRecord<String, byte[]>> records;
    long publishStartNanos;
    Duration transcoderCpu;
    long publishedNanos;
    try {
      browser.get("http://127.0.0.1:" + page.getAddress().getPort() + "/publish.html");
      publishStartNanos = System.nanoTime();
      browser.executeAsyncScript(
          "publish(arguments[0], arguments[1]).then(arguments[arguments.length - 1]);",
          endpoint,
          KEYS.sign(streamId, 0));
      assertThat(browser.executeScript("return window.whip.error;")).isNull();
      // 10 s of video: one chunk per frame (audio comes in chunks of its own)
      int frames = 10 * FAKE_CAMERA_FPS;
      TopicReader.of(SharedDevstack.kafka().bootstrapServers(), Topics.INGEST.name(), r -> r)
          .awaitUntil(streamId, rs -> videoChunks(rs) > frames, Duration.ofSeconds(60));
      assertThat(browser.executeScript("return window.whip.state;")).isEqualTo("connected");
      transcoderCpu = AudioVideoCheck.transcoderCpu(); // before the session ends and it goes
      publishedNanos = System.nanoTime() - publishStartNanos;
      browser.executeAsyncScript("unpublish().then(arguments[arguments.length - 1]);");
      assertThat(browser.executeScript("return window.whip.deleted;")).isEqualTo(200L);
      records = awaitSessionRecords(streamId);
    } finally {
      browser.quit();
    }

    List<IngestRecordKind> kinds =
        records.stream().map(r -> IngestHeaders.kindOf(r.headers()).orElseThrow()).toList();
    assertThat(kinds.get(0)).isEqualTo(IngestRecordKind.PUBLISH_STARTED);
    assertThat(kinds.get(kinds.size() - 1)).isEqualTo(IngestRecordKind.PUBLISH_ENDED);
    assertThat(kinds.subList(1, kinds.size() - 1)).containsOnly(IngestRecordKind.CHUNK);
    IngestControl.PublishStarted started =
        (IngestControl.PublishStarted)
            Serdes.ingestControl().deserialize(Topics.INGEST.name(), records.get(0).value());
    assertThat(started.source()).isEqualTo("whip");
    IngestControl.PublishEnded ended =
        (IngestControl.PublishEnded)
            Serdes.ingestControl()
                .deserialize(Topics.INGEST.name(), records.get(records.size() - 1).value());
    assertThat(ended.reason()).isEqualTo("eof");

    Path received = dir.resolve("received-chromium.ts");
    ByteArrayOutputStream concatenated = new ByteArrayOutputStream();
    records.subList(1, records.size() - 1).forEach(r -> concatenated.writeBytes(r.value()));
    Files.write(received, concatenated.toByteArray());
    assertThat(Ffprobe.DEBIAN.codec(received, "v")).isEqualTo("h264");
    AudioVideoCheck.assertAudioWithVideo(received, "WHIP from Chromium (fake camera and mic)");
    System.out.printf(
        "WHIP audio transcoder: %d ms CPU over %.1f s, %.1f %% of one core%n",
        transcoderCpu.toMillis(),
        publishedNanos / 1e9,
        transcoderCpu.toNanos() * 100.0 / publishedNanos);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(AudioVideoCheck.transcoders()).isEmpty());
    Ffmpeg.Decoded decoded = Ffmpeg.decode(received);
    assertThat(decoded.exitStatus()).as(decoded.log()).isZero();
    List<Ffprobe.Packet> frames = Ffprobe.DEBIAN.packets(received, "v");
    assertThat(frames.get(0).keyframe()).isTrue();
    assertThat(frames).hasSizeGreaterThan(10 * FAKE_CAMERA_FPS);
    io.micrometer.core.instrument.Timer latency =
        registry.find("hls.ingest.whip.glass.to.ingest").timer();
    System.out.printf(
        "WHIP from Chromium: %d frames, %d keyframes, first record %d ms after publish() was"
            + " called; glass-to-ingest over %d frames: mean %.1f ms, max %.1f ms%n",
        frames.size(),
        frames.stream().filter(Ffprobe.Packet::keyframe).count(),
        TimeUnit.NANOSECONDS.toMillis(
            records.get(0).timestamp() * 1_000_000L
                - (System.currentTimeMillis() * 1_000_000L
                    - (System.nanoTime() - publishStartNanos))),
        latency.count(),
        latency.mean(TimeUnit.MILLISECONDS),
        latency.max(TimeUnit.MILLISECONDS));
    assertThat(service.whipPeers()).isZero();
  }

  /**
   * The relay acceptance: Chromium with {@code iceTransportPolicy: 'relay'} and the TURN server of
   * the answer's {@code Link} header (credentials minted from the secret coturn shares with ingest)
   * can only reach ingest through coturn; media must arrive, and coturn's counters must show it.
   */
  @Test
  void chromiumRelayOnly_publishesThroughCoturn_withTheLinkHeadersCredentials() throws Exception {
    Coturn coturn = SharedDevstack.coturn();
    String streamId = "whip-chromium-relay";
    int usageBefore = coturn.usage().size();
    ChromeDriver browser = startBrowser(dir.resolve("chromedriver-relay.log"));
    List<ConsumerRecord<String, byte[]>> records;
    try {
      Map<String, Object> whip = publishRelayOnly(browser, service, streamId);
      assertThat(whip.get("error")).as("page error").isNull();
      // every local candidate is a coturn relay address: no other path to ingest exists
      assertThat(candidates(whip))
          .isNotEmpty()
          .allSatisfy(c -> assertThat(c).contains(" typ relay ").contains(" 127.0.0.1 "));
      assertThat(whip.get("patched")).as("trickle PATCH").isEqualTo(204L);
      // 5 s of video: one video chunk per frame (audio comes in chunks of its own)
      int frames = 5 * FAKE_CAMERA_FPS;
      TopicReader.of(SharedDevstack.kafka().bootstrapServers(), Topics.INGEST.name(), r -> r)
          .awaitUntil(streamId, rs -> videoChunks(rs) > frames, Duration.ofSeconds(60));
      browser.executeAsyncScript("unpublish().then(arguments[arguments.length - 1]);");
      records = awaitSessionRecords(streamId);
    } finally {
      browser.quit();
    }

    assertThat(IngestHeaders.kindOf(records.get(records.size() - 1).headers()))
        .contains(IngestRecordKind.PUBLISH_ENDED);
    Path received = dir.resolve("received-relay.ts");
    ByteArrayOutputStream concatenated = new ByteArrayOutputStream();
    records.subList(1, records.size() - 1).forEach(r -> concatenated.writeBytes(r.value()));
    Files.write(received, concatenated.toByteArray());
    assertThat(Ffprobe.DEBIAN.codec(received, "v")).isEqualTo("h264");
    List<Ffprobe.Packet> frames = Ffprobe.DEBIAN.packets(received, "v");
    assertThat(frames.get(0).keyframe()).isTrue();
    assertThat(frames).hasSizeGreaterThan(5 * FAKE_CAMERA_FPS);

    // pc.close() released the allocations: coturn logs each session's counters as it closes it.
    // Chromium may open more than one (only one carries the media): wait for all of them.
    List<String> allocations = coturn.allocations(":" + streamId);
    assertThat(allocations).as("coturn allocations of this publish").isNotEmpty();
    List<Coturn.Usage> usage =
        await()
            .atMost(Duration.ofSeconds(30))
            .alias(
                "coturn's usage lines of sessions " + allocations + "; its log:\n" + coturn.log())
            .until(
                () -> coturn.usage().subList(usageBefore, coturn.usage().size()),
                u ->
                    u.stream()
                        .filter(x -> !x.peer())
                        .map(Coturn.Usage::session)
                        .collect(Collectors.toSet())
                        .containsAll(allocations));
    Coturn.Usage toIngest =
        usage.stream()
            .filter(u -> u.peer() && u.username().endsWith(":" + streamId))
            .max(Comparator.comparingLong(Coturn.Usage::sentBytes))
            .orElseThrow();
    System.out.printf(
        "WHIP relayed by coturn: %d frames, %d TS bytes landed; relay to ingest %d packets / %d"
            + " bytes, ingest to relay %d packets / %d bytes (coturn's peer usage, session %s)%n",
        frames.size(),
        concatenated.size(),
        toIngest.sentPackets(),
        toIngest.sentBytes(),
        toIngest.receivedPackets(),
        toIngest.receivedBytes(),
        toIngest.session());
    usage.forEach(u -> System.out.println("  coturn " + u));
    // The media came through the relay: what coturn relayed to ingest holds the H.264 that landed
    // (SRTP adds RTP headers and carries the audio too; the TS adds start codes, about 1 % of it).
    long videoBytes = Ffprobe.DEBIAN.streamBytes(received, "v");
    System.out.printf("  H.264 landed: %d bytes%n", videoBytes);
    assertThat(toIngest.sentBytes()).isGreaterThan(videoBytes * 9 / 10);
  }

  /**
   * The same relay-only publish against an ingest whose TURN secret is not coturn's: coturn refuses
   * the credentials of its Link header, Chromium gets no relay candidate and so no path, and no
   * media arrives; the ingest drops the peer at its connect timeout.
   */
  @Test
  void chromiumRelayOnly_withCredentialsCoturnRefuses_getsNoMedia() throws Exception {
    Coturn coturn = SharedDevstack.coturn();
    String streamId = "whip-chromium-relay-refused";
    IngestService wrongSecret =
        startIngest(
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), "not-" + coturn.secret(), "3s");
    ChromeDriver browser = startBrowser(dir.resolve("chromedriver-refused.log"));
    try {
      Map<String, Object> whip = publishRelayOnly(browser, wrongSecret, streamId);
      assertThat(whip.get("error")).as("page error").isNull();
      assertThat(candidates(whip)).isEmpty();
      assertThat(coturn.log()).containsPattern(":" + streamId + ">: .*error 401");
      // the real signal: the ingest gave up on the peer (WHIP_CONNECT_TIMEOUT 3 s)
      await().atMost(Duration.ofSeconds(30)).until(() -> wrongSecret.whipPeers() == 0);
      assertThat(browser.executeScript("return window.pc.connectionState;"))
          .isNotEqualTo("connected");
    } finally {
      browser.quit();
      wrongSecret.stop();
    }
    assertThat(
            TopicReader.of(SharedDevstack.kafka().bootstrapServers(), Topics.INGEST.name(), r -> r)
                .readToEnd(streamId, Duration.ofSeconds(5)))
        .isEmpty();
  }

  /**
   * Opens the publishing page and publishes relay-only ({@code publish(..., {relay: true})}) into
   * {@code ingest}; returns the page's {@code window.whip} once the offer/answer exchange, the
   * gathering and the trickle PATCH are done.
   */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> publishRelayOnly(
      ChromeDriver browser, IngestService ingest, String streamId) {
    String endpoint = "http://127.0.0.1:" + ingest.httpPort() + WhipHandler.PATH_PREFIX + streamId;
    browser.get("http://127.0.0.1:" + page.getAddress().getPort() + "/publish.html");
    browser.executeAsyncScript(
        "publish(arguments[0], arguments[1], { relay: true })"
            + ".then(arguments[arguments.length - 1]);",
        endpoint,
        KEYS.sign(streamId, 0));
    return (Map<String, Object>) browser.executeScript("return window.whip;");
  }

  @SuppressWarnings("unchecked")
  private static List<String> candidates(Map<String, Object> whip) {
    return (List<String>) whip.get("candidates");
  }

  @Test
  @SuppressWarnings("unchecked")
  void goLivePage_publishesTheChosenFakeCameraAndMic_andStopEndsTheSession() throws Exception {
    String streamId = "whip-golive";
    String origin = "http://127.0.0.1:" + service.httpPort();
    ChromeDriver browser = startBrowser(dir.resolve("chromedriver-golive.log"));
    List<ConsumerRecord<String, byte[]>> records;
    try {
      browser.get(
          origin + GoLivePage.PATH + "?stream=" + streamId + "&edge=" + origin + "&relay=1");
      // the device lists fill once the (fake) permission is granted
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> Boolean.TRUE.equals(browser.executeScript("return window.golive.devices;")));
      assertThat(browser.executeScript("return window.golive.error;")).isNull();
      assertThat(
              (Long)
                  browser.executeScript("return document.getElementById('camera').options.length;"))
          .isPositive();
      assertThat(
              (Long)
                  browser.executeScript(
                      "return document.getElementById('microphone').options.length;"))
          .isPositive();
      browser.findElement(By.id("key")).sendKeys(KEYS.sign(streamId, 0));
      browser.findElement(By.id("golive")).click();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  "connected".equals(browser.executeScript("return window.golive.state;"))
                      || browser.executeScript("return window.golive.error;") != null);
      assertThat(browser.executeScript("return window.golive.error;")).isNull();
      assertThat(browser.findElement(By.id("state")).getText()).isEqualTo("connected");
      // the edge's player for the stream is framed (the edge itself is not part of this test)
      assertThat(browser.findElement(By.id("playback")).getAttribute("src"))
          .isEqualTo(origin + "/player/" + streamId);
      int frames = 4 * FAKE_CAMERA_FPS;
      TopicReader.of(SharedDevstack.kafka().bootstrapServers(), Topics.INGEST.name(), r -> r)
          .awaitUntil(streamId, rs -> videoChunks(rs) > frames, Duration.ofSeconds(60));
      // gathering used the Link headers' TURN server (a relay candidate), and the candidates
      // went to the session in a PATCH
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> browser.executeScript("return window.golive.patched;") != null);
      assertThat(browser.executeScript("return window.golive.patched;")).isEqualTo(204L);
      assertThat((List<Object>) browser.executeScript("return window.golive.iceServers;"))
          .anySatisfy(u -> assertThat((String) u).startsWith("turn:"));
      assertThat((List<Object>) browser.executeScript("return window.golive.candidates;"))
          .isNotEmpty()
          .allSatisfy(c -> assertThat((String) c).contains(" typ relay "));
      browser.findElement(By.id("stop")).click();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> "stopped".equals(browser.executeScript("return window.golive.state;")));
      assertThat(browser.executeScript("return window.golive.deleted;")).isEqualTo(200L);
      records = awaitSessionRecords(streamId);
    } finally {
      browser.quit();
    }

    IngestControl.PublishEnded ended =
        (IngestControl.PublishEnded)
            Serdes.ingestControl()
                .deserialize(Topics.INGEST.name(), records.get(records.size() - 1).value());
    assertThat(ended.reason()).isEqualTo("eof");
    Path received = dir.resolve("received-golive.ts");
    ByteArrayOutputStream concatenated = new ByteArrayOutputStream();
    records.subList(1, records.size() - 1).forEach(r -> concatenated.writeBytes(r.value()));
    Files.write(received, concatenated.toByteArray());
    AudioVideoCheck.assertAudioWithVideo(received, "WHIP from the Go live page");
  }

  @Test
  void goLivePage_isServedWithItsScriptAndAStrictPolicy() throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    String origin = "http://127.0.0.1:" + service.httpPort();
    java.net.http.HttpResponse<String> html =
        http.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(origin + "/golive")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    java.net.http.HttpResponse<String> script =
        http.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(origin + "/golive.js"))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    java.net.http.HttpResponse<String> other =
        http.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(origin + "/golivex")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());

    assertThat(html.statusCode()).isEqualTo(200);
    assertThat(html.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(html.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("script-src 'self'", "connect-src 'self'");
    assertThat(html.body()).contains("<script src=\"/golive.js\">");
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.body()).contains("/whip/");
    assertThat(other.statusCode()).isEqualTo(404);
    assertThat(other.body()).isEqualTo("expected /golive\n");
  }

  /** A chunk that starts with a TS packet of the audio PID (the muxer writes audio alone). */
  /**
   * The video chunks among a stream's records: one per frame. Control records (PublishStarted) and
   * audio chunks do not count, so a wait for more than N of them sees more than N frames.
   */
  private static long videoChunks(List<ConsumerRecord<String, byte[]>> records) {
    return records.stream()
        .filter(r -> IngestHeaders.kindOf(r.headers()).orElse(null) == IngestRecordKind.CHUNK)
        .filter(r -> !isAudioChunk(r.value()))
        .count();
  }

  private static boolean isAudioChunk(byte[] chunk) {
    return chunk.length >= 188
        && chunk[0] == 0x47
        && (((chunk[1] & 0x1F) << 8) | (chunk[2] & 0xFF)) == WhipTsMuxer.AUDIO_PID;
  }

  private static ChromeDriver startBrowser(Path driverLog) throws Exception {
    System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
    ChromeDriverService driverService =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .withLogFile(driverLog.toFile())
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(new File(CHROMIUM.toString()));
    options.addArguments(CHROMIUM_ARGS);
    options.addArguments("--user-data-dir=" + Files.createTempDirectory(dir, "chromium-profile"));
    ChromeDriver driver = new ChromeDriver(driverService, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    return driver;
  }

  private static List<ConsumerRecord<String, byte[]>> awaitSessionRecords(String streamId) {
    return TopicReader.of(SharedDevstack.kafka().bootstrapServers(), Topics.INGEST.name(), r -> r)
        .awaitUntil(
            streamId,
            records ->
                !records.isEmpty()
                    && IngestHeaders.kindOf(records.get(records.size() - 1).headers())
                        .orElseThrow()
                        .equals(IngestRecordKind.PUBLISH_ENDED),
            Duration.ofSeconds(30));
  }
}
