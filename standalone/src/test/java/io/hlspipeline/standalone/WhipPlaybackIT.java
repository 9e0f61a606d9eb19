package io.hlspipeline.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hlspipeline.devstack.Ffmpeg;
import io.hlspipeline.events.keys.StreamKeys;
import io.hlspipeline.media.hls.MediaPlaylist;
import io.hlspipeline.media.hls.MediaSegment;
import io.hlspipeline.media.hls.PlaylistParser;
import io.hlspipeline.standalone.BrowserPlaybackIT.PlayerState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * WHIP end to end with real clients (issue #11): the whole standalone pipeline (Kafka, Cassandra,
 * S3, the four services) with WHIP and the Opus → AAC transcoder on; Debian's headless Chromium
 * opens ingest's "Go live" page, publishes its fake camera and microphone over WHIP for {@value
 * #PUBLISH_SECONDS} s, and watches its own stream in the page's frame: the edge's {@code
 * /player/{streamId}} (hls.js). Then Stop (WHIP {@code DELETE}) ends the broadcast.
 *
 * <p>Fails on: hls.js playing less than {@value #MIN_PLAYED_SEC} s or stopping on a fatal error; a
 * segment fetched from the edge that ffprobe does not see as H.264 + AAC-LC; an ended recording
 * whose duration differs from the measured publish time by more than one target duration. Played
 * seconds, live latency, the durations and the suite's time are printed.
 */
class WhipPlaybackIT {
  private static final String SECRET = "whip-playback-secret-0123456789";
  private static final String STREAM = "whip-play";
  private static final int TARGET_DURATION_SEC = 2;
  private static final int LIVE_WINDOW_SEGMENTS = 6;
  private static final int PUBLISH_SECONDS = 30;
  private static final double MIN_PLAYED_SEC = 10;

  /** Chromium's fake camera and microphone, granted without a prompt; ICE over loopback. */
  private static final String[] FAKE_DEVICES = {
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection"
  };

  /** Selenium warns about CDP versions; the test uses WebDriver only. Held: JUL keeps it weakly. */
  private static final Logger CDP_VERSION_LOG =
      Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir static Path tmp;
  private static Pipeline pipeline;
  private static long suiteStartNanos;

  @BeforeAll
  static void startPipeline() throws Exception {
    suiteStartNanos = System.nanoTime();
    CDP_VERSION_LOG.setLevel(Level.SEVERE);
    assertThat(
            Files.isExecutable(BrowserPlaybackIT.CHROMIUM)
                && Files.isExecutable(BrowserPlaybackIT.CHROMEDRIVER))
        .as("chromium and chromedriver installed (apt-get install chromium chromium-driver)")
        .isTrue();
    assertThat(Ffmpeg.installed())
        .as("ffmpeg installed (WHIP's audio transcoder and ffprobe; apt-get install ffmpeg)")
        .isTrue();
    // WHIP on 127.0.0.1 as the standalone mode runs it (no TURN: the publisher is local);
    // WHIP_AUDIO_TRANSCODER keeps its default, Debian's ffmpeg on the PATH.
    StandaloneWhip whip = StandaloneWhip.start(tmp, false);
    pipeline =
        PipelineFixture.start(
            "whipplay",
            tmp.resolve("services"),
            SECRET,
            TARGET_DURATION_SEC,
            LIVE_WINDOW_SEGMENTS,
            whip.ingestEnv());
  }

  @AfterAll
  static void stopPipeline() throws Exception {
    if (pipeline != null) {
      pipeline.stop();
    }
    System.out.printf(
        "[whipplay] suite: %.1f s (pipeline start and stop included)%n",
        (System.nanoTime() - suiteStartNanos) / 1e9);
  }

  @Test
  void goLivePage_publishesFakeCameraOverWhip_edgePlaysItWithHlsJs_andRecordsItsDuration()
      throws Exception {
    String key = new StreamKeys(SECRET).sign(STREAM, 0);
    String edge = pipeline.edgeUrl().toString().replaceAll("/+$", "");
    Path out = Files.createDirectories(Path.of("target", "browser-playback"));
    ChromeDriver browser =
        BrowserPlaybackIT.startBrowser(out.resolve("chromedriver-whip.log"), tmp, FAKE_DEVICES);
    long publishNanos;
    PlayerState played;
    List<Double> latencies = new ArrayList<>();
    Path segment = tmp.resolve("edge-segment.ts");
    String segmentUri;
    JsonNode ingestStatus;
    try {
      JavascriptExecutor js = browser;
      browser.get(pipeline.ingestUrl() + "/golive?stream=" + STREAM + "&edge=" + edge);
      await("camera and microphone listed")
          .atMost(Duration.ofSeconds(20))
          .until(() -> Boolean.TRUE.equals(js.executeScript("return window.golive.devices;")));
      browser.findElement(By.id("key")).sendKeys(key);
      browser.findElement(By.id("golive")).click();
      String state =
          await("WHIP peer connection up")
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(50))
              .until(
                  () -> (String) js.executeScript("return window.golive.state;"),
                  s -> "connected".equals(s) || "failed".equals(s));
      long connectedNanos = System.nanoTime();
      assertThat(state)
          .as("Go live page state, error %s", js.executeScript("return window.golive.error;"))
          .isEqualTo("connected");
      WebElement frame = browser.findElement(By.id("playback"));
      assertThat(frame.getAttribute("src")).isEqualTo(edge + "/player/" + STREAM);

      // The publisher watches its own stream: the edge's player page in the Go live page's frame.
      browser.switchTo().frame(frame);
      // A frame the edge refuses to be in shows Chromium's error page (chrome-error://) for good.
      await("the edge's player page in the frame")
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> (String) js.executeScript("return location.href;"),
              href -> href.equals(edge + "/player/" + STREAM));
      played =
          await("≥ " + MIN_PLAYED_SEC + " s of the WHIP stream played in the Go live page")
              .atMost(Duration.ofSeconds(PUBLISH_SECONDS))
              .pollInterval(Duration.ofMillis(500))
              .failFast(
                  "fatal player error",
                  () -> assertThat(PlayerState.read(js).fatalError()).as("fatal error").isNull())
              .until(() -> PlayerState.read(js), s -> s.playedSeconds() >= MIN_PLAYED_SEC);
      assertThat(played.engine()).isEqualTo("hls.js");

      // A segment as any viewer gets it from the edge, for ffprobe.
      String playlist =
          BrowserPlaybackIT.body(URI.create(edge + "/hls/" + STREAM + "/src/index.m3u8"));
      assertThat(playlist).as("the live media playlist").isNotNull();
      MediaPlaylist live = PlaylistParser.parseMedia(playlist);
      MediaSegment last = live.segments().get(live.segments().size() - 1);
      segmentUri = edge + "/hls/" + STREAM + "/src/" + last.uri();
      HttpResponse<Path> fetched =
          http.send(
              HttpRequest.newBuilder(URI.create(segmentUri)).build(),
              HttpResponse.BodyHandlers.ofFile(segment));
      assertThat(fetched.statusCode()).as(segmentUri).isEqualTo(200);

      // Keep publishing and watching until the publish has lasted its time.
      await("the " + PUBLISH_SECONDS + " s publish, watched")
          .atMost(Duration.ofSeconds(PUBLISH_SECONDS + 10))
          .pollInterval(Duration.ofMillis(500))
          .failFast(
              "fatal player error",
              () -> assertThat(PlayerState.read(js).fatalError()).as("fatal error").isNull())
          .until(
              () -> {
                Double latency = PlayerState.read(js).latencySeconds();
                if (latency != null) {
                  latencies.add(latency);
                }
                return System.nanoTime() - connectedNanos
                    >= TimeUnit.SECONDS.toNanos(PUBLISH_SECONDS);
              });
      played = PlayerState.read(js);
      // ingest's view of the publisher's keyframes (a browser sends them when asked)
      HttpResponse<String> status =
          http.send(
              HttpRequest.newBuilder(pipeline.ingestAdminUrl().resolve("/streams/" + STREAM))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
      ingestStatus = JSON.readTree(status.body());
      browser.switchTo().defaultContent();
      browser.findElement(By.id("stop")).click();
      publishNanos = System.nanoTime() - connectedNanos;
      await("Stop: WHIP DELETE answered")
          .atMost(Duration.ofSeconds(10))
          .until(() -> "stopped".equals(js.executeScript("return window.golive.state;")));
      assertThat(js.executeScript("return window.golive.deleted;")).isEqualTo(200L);
    } finally {
      browser.quit();
    }

    List<String> streams = probeStreams(segment);
    JsonNode recording =
        await("the recording ended")
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(200))
            .until(WhipPlaybackIT::newestRecording, r -> r != null && !r.get("ended").isNull());
    double recordedSec = recording.get("durationSeconds").asDouble();
    double publishSec = publishNanos / 1e9;
    latencies.sort(Double::compare);
    Double medianLatency = latencies.isEmpty() ? null : latencies.get(latencies.size() / 2);
    System.out.printf(
        "[whipplay] Go live page → WHIP → pipeline → edge → hls.js in its frame: startup %.0f ms"
            + " after the frame opened, %.1f s played, live latency min %.2f / median %.2f / max"
            + " %.2f s over %d samples, non-fatal errors %s%n",
        played.startupMs(),
        played.playedSeconds(),
        latencies.isEmpty() ? Double.NaN : latencies.get(0),
        medianLatency,
        latencies.isEmpty() ? Double.NaN : latencies.get(latencies.size() - 1),
        latencies.size(),
        played.errors());
    System.out.printf(
        "[whipplay] ingest: %d keyframes from Chromium, interval last %s s / max %s s (target %d"
            + " s)%n",
        ingestStatus.get("keyframes").asLong(),
        ingestStatus.get("keyframeIntervalSec"),
        ingestStatus.get("maxKeyframeIntervalSec"),
        TARGET_DURATION_SEC);
    System.out.printf("[whipplay] ffprobe of %s: %s%n", segmentUri, streams);
    System.out.printf(
        "[whipplay] recording %s: %.3f s in %d segments; published %.3f s (connected to Stop);"
            + " difference %+.3f s%n",
        recording.get("id").asText(),
        recordedSec,
        recording.get("segments").asLong(),
        publishSec,
        recordedSec - publishSec);

    assertThat(played.fatalError()).as("fatal player error").isNull();
    assertThat(played.playedSeconds()).isGreaterThanOrEqualTo(MIN_PLAYED_SEC);
    assertThat(played.cspViolations()).as("Content-Security-Policy violations").isEmpty();
    // program-date-time is on every segment: a live latency, loose (LL-HLS measured 2 s here)
    assertThat(medianLatency).as("median live latency, s").isNotNull().isBetween(-1.0, 30.0);
    assertThat(streams).anyMatch(s -> s.startsWith("video h264")).contains("audio aac LC");
    assertThat(recordedSec)
        .as("recording vs publish duration, s")
        .isCloseTo(publishSec, Offset.offset((double) TARGET_DURATION_SEC));
  }

  /**
   * {@code "{codec_type} {codec_name}[ {profile}]"} of each stream of {@code file}, per ffprobe.
   */
  private static List<String> probeStreams(Path file) throws Exception {
    Process p =
        new ProcessBuilder(
                "ffprobe",
                "-v",
                "error",
                "-show_entries",
                "stream=codec_type,codec_name,profile",
                "-of",
                "compact=p=0:nk=0",
                file.toString())
            .redirectErrorStream(true)
            .start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("ffprobe: %s", text).isZero();
    List<String> streams = new ArrayList<>();
    for (String line : text.strip().split("\n")) {
      String type = "";
      String codec = "";
      String profile = "";
      for (String field : line.split("\\|")) {
        String[] kv = field.split("=", 2);
        switch (kv[0]) {
          case "codec_type" -> type = kv[1];
          case "codec_name" -> codec = kv[1];
          case "profile" -> profile = kv[1];
          default -> {}
        }
      }
      // MPEG-TS lists each stream under its program too: keep one of each
      String stream = (type + " " + codec + " " + profile).strip();
      if (!stream.isEmpty() && !streams.contains(stream)) {
        streams.add(stream);
      }
    }
    return streams;
  }

  private static JsonNode newestRecording() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(pipeline.edgeUrl().resolve("/hls/" + STREAM + "/recordings"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      return null;
    }
    JsonNode list = JSON.readTree(r.body()).get("recordings");
    return list.isEmpty() ? null : list.get(0);
  }
}
