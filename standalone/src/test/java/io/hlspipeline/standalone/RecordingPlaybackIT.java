package io.hlspipeline.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hlspipeline.devstack.Ffmpeg;
import io.hlspipeline.devstack.SharedDevstack;
import io.hlspipeline.edge.EdgeConfig;
import io.hlspipeline.edge.EdgeService;
import io.hlspipeline.events.keys.StreamKeys;
import io.hlspipeline.kit.metrics.Metrics;
import io.hlspipeline.media.hls.MediaPlaylist;
import io.hlspipeline.media.hls.MediaSegment;
import io.hlspipeline.media.hls.PlaylistParser;
import io.hlspipeline.media.hls.PlaylistType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recordings, DVR, seeking and clips on the edge (issue #8), over one real broadcast: ffmpeg
 * publishes a 30 s H.264/AAC clip in real time (2 s segments) through ingest, Kafka, the segmenter,
 * S3 and the catalog; the edge serves the recording from the catalog API. While it runs, the live
 * recording's EVENT playlist is reloaded every second; the tests then check the ended recording.
 * Two more edges (live prefetch off, read-ahead 3 and 0) show the read-ahead.
 */
class RecordingPlaybackIT {
  private static final String SECRET = "dvr-secret-0123456789abcdef";
  private static final String STREAM = "dvr-cam";
  private static final String FMP4_STREAM = "dvr-fmp4";
  private static final int TARGET_DURATION_SEC = 2;
  private static final int CLIP_SECONDS = 30;
  private static final int FPS = 25;
  private static final int READ_AHEAD = 3;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  private static Pipeline pipeline;
  private static final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NORMAL)
          .build();
  private static final List<MediaPlaylist> liveReloads = new ArrayList<>();
  private static final List<Long> reloadMs = new ArrayList<>();
  private static String recordingId;
  private static long broadcastMs;

  @BeforeAll
  static void broadcast() throws Exception {
    Assumptions.assumeTrue(Ffmpeg.installed(), "ffmpeg is not installed; CI installs it");
    long t0 = System.nanoTime();
    Path clip = tmp.resolve("clip.ts");
    Ffmpeg.run(
        Duration.ofSeconds(120),
        Ffmpeg.testSource("640x360", FPS)
            .seconds(CLIP_SECONDS)
            .gopFrames(FPS * TARGET_DURATION_SEC)
            .to("-f", "mpegts", clip.toString()));
    pipeline =
        PipelineFixture.start("dvr", tmp.resolve("services"), SECRET, TARGET_DURATION_SEC, 6);
    String key = new StreamKeys(SECRET).sign(STREAM, 0);
    // Beside it, the same clip as fMP4 segments (the publisher's choice) on a stream of its own.
    Path fmp4PushLog = tmp.resolve("push-fmp4.log");
    Process fmp4Push =
        pushInRealTime(
            fmp4PushLog,
            clip,
            pipeline.ingestUrl()
                + "/ingest/"
                + new StreamKeys(SECRET).sign(FMP4_STREAM, 0)
                + "?segment_format=fmp4");
    Path pushLog = tmp.resolve("push.log");
    Process push = pushInRealTime(pushLog, clip, pipeline.ingestUrl() + "/ingest/" + key);

    // While it runs: a player reloading the live recording's playlist (via `latest`) every second.
    URI latest = edge("/hls/" + STREAM + "/recordings/latest/src/index.m3u8");
    await("the broadcast, reloading its EVENT playlist")
        .atMost(Duration.ofSeconds(CLIP_SECONDS * 4L))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              long r0 = System.nanoTime();
              HttpResponse<String> r = get(latest);
              if (r.statusCode() == 200 && push.isAlive()) {
                liveReloads.add(PlaylistParser.parseMedia(r.body()));
                reloadMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - r0));
              }
              return !push.isAlive();
            });
    assertThat(push.exitValue()).as("push exit, log: %s", Ffmpeg.read(pushLog)).isZero();
    assertThat(fmp4Push.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(fmp4Push.exitValue()).as("push log: %s", Ffmpeg.read(fmp4PushLog)).isZero();

    JsonNode recording =
        await("the recording ended")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> newestRecording(), r -> r != null && !r.get("ended").isNull());
    recordingId = recording.get("id").asText();
    broadcastMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    System.out.printf(
        "[dvr] clip made, pipeline up and %d s broadcast in %d ms%n", CLIP_SECONDS, broadcastMs);
  }

  @AfterAll
  static void stop() throws Exception {
    if (pipeline != null) {
      pipeline.stop();
    }
  }

  @Test
  void recordingsList_hasTheBroadcast_withItsDurationWithinOneSegment() throws Exception {
    HttpResponse<String> r = get(edge("/hls/" + STREAM + "/recordings"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    JsonNode list = JSON.readTree(r.body()).get("recordings");
    assertThat(list).hasSize(1);
    JsonNode rec = list.get(0);
    System.out.printf("[dvr] recordings list: %s%n", rec);
    assertThat(rec.get("id").asText()).isEqualTo(recordingId);
    assertThat(Instant.parse(rec.get("started").asText()))
        .isBefore(Instant.parse(rec.get("ended").asText()));
    assertThat(rec.get("durationSeconds").asDouble())
        .isBetween(
            (double) CLIP_SECONDS - TARGET_DURATION_SEC,
            (double) CLIP_SECONDS + TARGET_DURATION_SEC);
    assertThat(rec.get("segments").asLong()).isBetween(14L, 16L);
    assertThat(rec.get("playlist").asText())
        .isEqualTo("/hls/" + STREAM + "/recordings/" + recordingId + "/master.m3u8");
  }

  @Test
  void endedRecording_isVod_andFfmpegCopiesAllOfIt() throws Exception {
    URI master = edge("/hls/" + STREAM + "/recordings/" + recordingId + "/master.m3u8");
    HttpResponse<String> m = get(master);
    assertThat(m.statusCode()).isEqualTo(200);
    assertThat(m.body()).contains("src/index.m3u8");
    MediaPlaylist vod = media(master.resolve("src/index.m3u8"));
    assertThat(vod.playlistType()).contains(PlaylistType.VOD);
    assertThat(vod.endList()).isTrue();
    double listedSec = vod.segments().stream().mapToLong(MediaSegment::durationUs).sum() / 1e6;

    Path out = tmp.resolve("vod.ts");
    Ffmpeg.run(Duration.ofSeconds(120), "-i", master.toString(), "-c", "copy", out.toString());
    double copiedSec = probeDurationSec(out);
    System.out.printf(
        "[dvr] VOD: %d segments, %.3f s listed; ffmpeg -c copy wrote %.3f s%n",
        vod.segments().size(), listedSec, copiedSec);
    assertThat(copiedSec)
        .isBetween(
            (double) CLIP_SECONDS - TARGET_DURATION_SEC,
            (double) CLIP_SECONDS + TARGET_DURATION_SEC);
  }

  @Test
  void fmp4Recording_listsM4sWithItsInitSegment_andFfmpegCopiesAllOfIt() throws Exception {
    JsonNode recording =
        await("the fMP4 recording ended")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> newestRecording(FMP4_STREAM), r -> r != null && !r.get("ended").isNull());
    URI master = URI.create(recording.get("playlist").asText());
    master = master.isAbsolute() ? master : edge(master.toString());
    URI media = master.resolve("src/index.m3u8?t=11");
    HttpResponse<String> r = get(media);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    MediaPlaylist seek = PlaylistParser.parseMedia(r.body());
    assertThat(seek.segments()).allSatisfy(s -> assertThat(s.uri()).endsWith(".m4s"));
    String map = seek.segments().get(0).mapUri().orElseThrow();
    assertThat(map).matches("init-[0-9a-f]{16}\\.mp4");
    long firstMsn = seek.mediaSequence();
    assertThat(r.headers().firstValue("Link"))
        .hasValueSatisfying(l -> assertThat(l).startsWith("<" + firstMsn + ".m4s>; rel=preload"));
    HttpResponse<byte[]> init =
        http.send(
            HttpRequest.newBuilder(media.resolve(map)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(init.statusCode()).isEqualTo(200);
    assertThat(init.headers().firstValue("Content-Type")).contains("video/mp4");
    assertThat(getBytes(media.resolve(firstMsn + ".ts")))
        .as("a segment asked for in the other container")
        .isEqualTo(404);

    Path out = tmp.resolve("vod-fmp4.mp4");
    Ffmpeg.run(Duration.ofSeconds(120), "-i", master.toString(), "-c", "copy", out.toString());
    double copiedSec = probeDurationSec(out);
    System.out.printf(
        "[dvr] fMP4 recording: t=11 lists %d .m4s segments from msn %d with %s; ffmpeg -c copy of"
            + " the whole recording wrote %.3f s%n",
        seek.segments().size(), firstMsn, map, copiedSec);
    assertThat(copiedSec)
        .isBetween(
            (double) CLIP_SECONDS - TARGET_DURATION_SEC,
            (double) CLIP_SECONDS + TARGET_DURATION_SEC);
  }

  @Test
  void t11_startsAtThe10to12sSegment_andAPlayerOpensNoEarlierSegment() throws Exception {
    MediaPlaylist vod = vod();
    URI url = edge("/hls/" + STREAM + "/recordings/" + recordingId + "/src/index.m3u8?t=11");
    HttpResponse<String> r = get(url);
    assertThat(r.statusCode()).isEqualTo(200);
    MediaPlaylist seek = PlaylistParser.parseMedia(r.body());
    Instant start = vod.segments().get(0).programDateTime().orElseThrow();
    MediaSegment first = seek.segments().get(0);
    double firstOffsetSec =
        Duration.between(start, first.programDateTime().orElseThrow()).toNanos() / 1e9;
    System.out.printf(
        "[dvr] t=11: first listed %s at %.3f s, %s; Link: %s%n",
        first.uri(),
        firstOffsetSec,
        r.body().lines().filter(l -> l.startsWith("#EXT-X-START")).findFirst().orElse("no START"),
        r.headers().firstValue("Link").orElse(""));
    assertThat(firstOffsetSec).isEqualTo(10.0, org.assertj.core.data.Offset.offset(0.001));
    assertThat(first.durationUs()).isBetween(1_990_000L, 2_010_000L);
    assertThat(seek.start().orElseThrow().timeOffsetUs()).isEqualTo(1_000_000);
    assertThat(seek.start().orElseThrow().precise()).isTrue();
    assertThat(seek.segments().size()).isEqualTo(vod.segments().size() - 5);
    long firstMsn = seek.mediaSequence();
    assertThat(r.headers().firstValue("Link"))
        .contains(
            "<"
                + firstMsn
                + ".ts>; rel=preload, <"
                + (firstMsn + 1)
                + ".ts>; rel=preload, <"
                + (firstMsn + 2)
                + ".ts>; rel=preload");

    // A player: ffmpeg with -v verbose names every segment it opens.
    Path log = tmp.resolve("seek.log");
    Process p =
        Ffmpeg.start(log, "-v", "verbose", "-i", url.toString(), "-c", "copy", "-f", "null", "-");
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String text = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(text).isZero();
    Matcher opened = Pattern.compile("Opening '([^']*/(\\d+)\\.ts)' for reading").matcher(text);
    List<Long> msns = new ArrayList<>();
    while (opened.find()) {
      msns.add(Long.parseLong(opened.group(2)));
    }
    System.out.printf("[dvr] t=11: ffmpeg opened segments %s%n", msns);
    assertThat(msns)
        .isNotEmpty()
        .allSatisfy(msn -> assertThat(msn).isGreaterThanOrEqualTo(firstMsn));
    assertThat(msns.get(0)).isEqualTo(firstMsn);
  }

  @Test
  void clip10to20_listsExactlyTheFiveCoveringSegments() throws Exception {
    MediaPlaylist vod = vod();
    Instant start = vod.segments().get(0).programDateTime().orElseThrow();
    MediaPlaylist clip =
        media(
            edge(
                "/hls/"
                    + STREAM
                    + "/recordings/"
                    + recordingId
                    + "/src/index.m3u8?start=10&end=20"));
    assertThat(clip.playlistType()).contains(PlaylistType.VOD);
    assertThat(clip.endList()).isTrue();
    List<Double> offsets =
        clip.segments().stream()
            .map(s -> Duration.between(start, s.programDateTime().orElseThrow()).toNanos() / 1e9)
            .toList();
    System.out.printf("[dvr] start=10&end=20: segments at %s s%n", offsets);
    assertThat(offsets).hasSize(5);
    assertThat(offsets.get(0)).isEqualTo(10.0, org.assertj.core.data.Offset.offset(0.001));
    assertThat(offsets.get(4)).isEqualTo(18.0, org.assertj.core.data.Offset.offset(0.001));
  }

  @Test
  void liveRecording_wasAnEventPlaylistThatOnlyGrew() {
    System.out.printf(
        "[dvr] live reloads: %d, segments listed %s, each took %s ms%n",
        liveReloads.size(), liveReloads.stream().map(p -> p.segments().size()).toList(), reloadMs);
    assertThat(liveReloads).hasSizeGreaterThanOrEqualTo(4);
    MediaPlaylist previous = null;
    for (MediaPlaylist p : liveReloads) {
      assertThat(p.playlistType()).contains(PlaylistType.EVENT);
      assertThat(p.endList()).isFalse();
      if (previous != null) {
        assertThat(p.mediaSequence()).isEqualTo(previous.mediaSequence());
        List<String> before = previous.segments().stream().map(MediaSegment::uri).toList();
        List<String> now = p.segments().stream().map(MediaSegment::uri).toList();
        assertThat(now.subList(0, Math.min(before.size(), now.size()))).isEqualTo(before);
        assertThat(now.size()).isGreaterThanOrEqualTo(before.size());
      }
      previous = p;
    }
    MediaPlaylist firstReload = liveReloads.get(0);
    MediaPlaylist lastReload = liveReloads.get(liveReloads.size() - 1);
    assertThat(lastReload.segments().size()).isGreaterThan(firstReload.segments().size() + 5);
  }

  @Test
  void badValues_are400or404WithAOneLineReason() throws Exception {
    String base = "/hls/" + STREAM + "/recordings/" + recordingId + "/src/index.m3u8";
    Map<String, Integer> cases =
        Map.of(
            base + "?t=-1",
            400,
            base + "?t=NaN",
            400,
            base + "?t=31",
            400,
            base + "?start=20&end=10",
            400,
            "/hls/" + STREAM + "/recordings/20990101T000000.000Z-00000000/src/index.m3u8",
            404,
            "/hls/" + STREAM + "/recordings/" + recordingId + "/hd/index.m3u8",
            404,
            "/hls/nosuchstream/recordings",
            404);
    for (Map.Entry<String, Integer> c : cases.entrySet()) {
      HttpResponse<String> r = get(edge(c.getKey()));
      System.out.printf("[dvr] %s -> %d %s", c.getKey(), r.statusCode(), r.body());
      assertThat(r.statusCode()).as(c.getKey()).isEqualTo(c.getValue());
      assertThat(r.body().strip()).as(c.getKey()).isNotEmpty().doesNotContain("\n");
    }
  }

  @Test
  void readAhead_nextSegmentsAreCacheHits_andMissesWithItOff() throws Exception {
    long[] withReadAhead = readAheadRun(READ_AHEAD);
    long[] without = readAheadRun(0);
    System.out.printf(
        "[dvr] next %d segments after one: read-ahead %d -> %d hits, %d misses; off -> %d hits, %d misses%n",
        READ_AHEAD, READ_AHEAD, withReadAhead[0], withReadAhead[1], without[0], without[1]);
    assertThat(withReadAhead).containsExactly(READ_AHEAD, 0);
    assertThat(without).containsExactly(0, READ_AHEAD);
  }

  /**
   * A fresh edge (live prefetch off, its cache empty) serves segment 2 of the recording, then the
   * next {@link #READ_AHEAD}: their hits and misses.
   */
  private static long[] readAheadRun(int readAhead) throws Exception {
    PrometheusMeterRegistry registry = Metrics.newRegistry("edge");
    EdgeService edge =
        new EdgeService(
            EdgeConfig.parse(
                Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS",
                    SharedDevstack.kafka().bootstrapServers(),
                    "HTTP_BIND",
                    "127.0.0.1",
                    "HTTP_PORT",
                    "0",
                    "ADMIN_PORT",
                    "0",
                    "CATALOG_URL",
                    pipeline.catalogUrl().toString(),
                    "S3_ENDPOINTS",
                    PipelineFixture.s3Specs("dvr"),
                    "EDGE_PREFETCH_CONCURRENCY",
                    "0",
                    "EDGE_READ_AHEAD_SEGMENTS",
                    String.valueOf(readAhead))),
            registry);
    edge.start();
    try {
      MediaPlaylist vod = vod();
      long msn = vod.mediaSequence() + 2;
      String base =
          "http://127.0.0.1:"
              + edge.httpPort()
              + "/hls/"
              + STREAM
              + "/recordings/"
              + recordingId
              + "/src/";
      assertThat(getBytes(URI.create(base + msn + ".ts"))).isEqualTo(200);
      if (readAhead > 0) {
        await("read-ahead of the next segments")
            .atMost(Duration.ofSeconds(30))
            .until(() -> count(registry, "hls.edge.readahead", "loaded") >= readAhead);
      }
      long hits0 = count(registry, "hls.edge.recording.segments", "hit");
      long misses0 = count(registry, "hls.edge.recording.segments", "miss");
      for (int i = 1; i <= READ_AHEAD; i++) {
        assertThat(getBytes(URI.create(base + (msn + i) + ".ts"))).isEqualTo(200);
      }
      return new long[] {
        count(registry, "hls.edge.recording.segments", "hit") - hits0,
        count(registry, "hls.edge.recording.segments", "miss") - misses0
      };
    } finally {
      edge.stop();
    }
  }

  private static long count(PrometheusMeterRegistry registry, String name, String result) {
    Counter c = registry.find(name).tag("result", result).counter();
    return c == null ? 0 : (long) c.count();
  }

  @Test
  void hlsJsInChromium_playsTheRecordingFromT_firstFrameWithinHalfASecond() throws Exception {
    Path chromium = Path.of("/usr/bin/chromium");
    Path chromedriver = Path.of("/usr/bin/chromedriver");
    Assumptions.assumeTrue(
        Files.isExecutable(chromium) && Files.isExecutable(chromedriver),
        "chromium or chromedriver is not installed (apt-get install chromium chromium-driver);"
            + " CI installs them");
    java.util.logging.Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder")
        .setLevel(java.util.logging.Level.SEVERE);
    double seekSec = 11.3;
    JsonNode recording = newestRecording();
    long startedMs = Instant.parse(recording.get("started").asText()).toEpochMilli();
    org.openqa.selenium.chrome.ChromeDriverService service =
        new org.openqa.selenium.chrome.ChromeDriverService.Builder()
            .usingDriverExecutable(chromedriver.toFile())
            .usingAnyFreePort()
            .withLogFile(tmp.resolve("chromedriver.log").toFile())
            .build();
    org.openqa.selenium.chrome.ChromeOptions options =
        new org.openqa.selenium.chrome.ChromeOptions();
    options.setBinary(chromium.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--autoplay-policy=no-user-gesture-required",
        "--user-data-dir=" + Files.createTempDirectory(tmp, "chromium-profile"));
    org.openqa.selenium.chrome.ChromeDriver browser =
        new org.openqa.selenium.chrome.ChromeDriver(service, options);
    try {
      browser.get(
          edge("/player/" + STREAM + "?recording=" + recordingId + "&t=" + seekSec).toString());
      org.openqa.selenium.JavascriptExecutor js = browser;
      long t0 = System.nanoTime();
      Number firstFrame =
          await("first frame of the recording shown")
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(100))
              .failFast(
                  "fatal player error",
                  () ->
                      assertThat(js.executeScript("return window.hlsState.fatalError"))
                          .as("fatal error")
                          .isNull())
              .until(
                  () -> (Number) js.executeScript("return window.hlsState.firstFrameDate"),
                  v -> v != null);
      double shownSec = (firstFrame.longValue() - startedMs) / 1000.0;
      System.out.printf(
          "[dvr] hls.js from t=%.1f: first frame shown at %.3f s of the recording, %d ms after"
              + " the page was opened; source %s%n",
          seekSec,
          shownSec,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
          js.executeScript("return window.hlsState.source"));
      assertThat(shownSec).isBetween(seekSec - 0.5, seekSec + 0.5);
      assertThat(js.executeScript("return window.hlsState.mode")).isEqualTo("recording");
      // The page lists the recording, and jumps back to the live playlist.
      assertThat(
              browser.findElements(
                  org.openqa.selenium.By.cssSelector(
                      "#recording-list button[data-recording-id='" + recordingId + "']")))
          .hasSize(1);
      browser.findElement(org.openqa.selenium.By.id("go-live")).click();
      assertThat(js.executeScript("return window.hlsState.source"))
          .isEqualTo("/hls/" + STREAM + "/master.m3u8");
      assertThat(js.executeScript("return window.hlsState.mode")).isEqualTo("live");
      assertThat((List<?>) js.executeScript("return window.hlsState.cspViolations")).isEmpty();
    } finally {
      browser.quit();
    }
  }

  // --- helpers ---

  /** ffmpeg pushing {@code clip} as MPEG-TS over HTTP PUT at its own pace, as an encoder would. */
  private static Process pushInRealTime(Path log, Path clip, String url) throws IOException {
    return Ffmpeg.start(
        log, "-re", "-i", clip.toString(), "-c", "copy", "-f", "mpegts", "-method", "PUT", url);
  }

  static MediaPlaylist vod() throws Exception {
    return media(edge("/hls/" + STREAM + "/recordings/" + recordingId + "/src/index.m3u8"));
  }

  private static JsonNode newestRecording() throws IOException, InterruptedException {
    return newestRecording(STREAM);
  }

  private static JsonNode newestRecording(String stream) throws IOException, InterruptedException {
    HttpResponse<String> r = get(edge("/hls/" + stream + "/recordings"));
    if (r.statusCode() != 200) {
      return null;
    }
    JsonNode list = JSON.readTree(r.body()).get("recordings");
    return list.isEmpty() ? null : list.get(0);
  }

  private static URI edge(String pathAndQuery) {
    return pipeline.edgeUrl().resolve(pathAndQuery);
  }

  private static MediaPlaylist media(URI uri) throws Exception {
    HttpResponse<String> r = get(uri);
    assertThat(r.statusCode()).as("%s: %s", uri, r.body()).isEqualTo(200);
    return PlaylistParser.parseMedia(r.body());
  }

  private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int getBytes(URI uri) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray())
        .statusCode();
  }

  private static double probeDurationSec(Path file) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                "ffprobe",
                "-v",
                "error",
                "-show_entries",
                "format=duration",
                "-of",
                "csv=p=0",
                file.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return Double.parseDouble(out);
  }
}
