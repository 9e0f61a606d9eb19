package io.hlspipeline.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hlspipeline.devstack.Coturn;
import io.hlspipeline.devstack.Ffmpeg;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A browser broadcaster whom only the TURN relay gets through: headless Chromium with its fake
 * camera and microphone on ingest's Go live page with {@code ?relay=1} (iceTransportPolicy 'relay',
 * the TURN server and credentials of the WHIP answer's Link headers). It broadcasts until the edge
 * lists a few segments, then Stop; Debian's ffmpeg plays the stream from the edge to its ENDLIST
 * meanwhile.
 */
public final class GoLiveRelay {
  private GoLiveRelay() {}

  /**
   * What the broadcast showed: the browser's local ICE candidates (relay ones only, if the page
   * honoured {@code relay=1}), the file played from the edge, and Go live → connected in seconds.
   */
  public record Broadcast(List<String> candidates, Path played, double secondsToConnected) {}

  /**
   * Broadcasts {@code stream} from the Go live page at {@code ingestOrigin} (an origin browsers
   * give cameras to: localhost or 127.0.0.1) until {@code edgeOrigin} lists {@code segments}
   * segments of it, then stops; requires the page to connect, PATCH its candidates (204), and
   * Stop's DELETE (200) to end the stream, which plays from the edge to its ENDLIST.
   */
  @SuppressWarnings("unchecked")
  public static Broadcast broadcast(
      Path dir, String ingestOrigin, String edgeOrigin, String stream, String key, int segments)
      throws Exception {
    String master = edgeOrigin + "/hls/" + stream + "/master.m3u8";
    String media = edgeOrigin + "/hls/" + stream + "/src/index.m3u8";
    Path played = dir.resolve(stream + "-played.ts");
    Path playLog = dir.resolve(stream + "-play.log");
    HttpClient http = HttpClient.newHttpClient();
    Process player = null;
    try (Viewer browser =
        new Viewer(
            Files.createDirectories(dir.resolve(stream + "-browser")),
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            "--allow-loopback-in-peer-connection")) {
      browser.open(ingestOrigin + "/golive?stream=" + stream + "&relay=1");
      await("devices listed")
          .atMost(Duration.ofSeconds(20))
          .until(() -> Boolean.TRUE.equals(browser.script("return window.golive.devices;")));
      browser.type("key", key);
      long t0 = System.nanoTime();
      browser.click("golive");
      await("connected through the relay")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  "connected".equals(browser.script("return window.golive.state;"))
                      || browser.script("return window.golive.error;") != null);
      assertThat(browser.script("return window.golive.error;")).as("page error").isNull();
      double connected = (System.nanoTime() - t0) / 1e9;
      await("master playlist of the browser's stream served")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(300))
          .ignoreExceptions()
          .until(() -> get(http, master).statusCode() == 200);
      player = Ffmpeg.start(playLog, "-i", master, "-c", "copy", played.toString());
      await("candidates PATCHed")
          .atMost(Duration.ofSeconds(15))
          .until(() -> browser.script("return window.golive.patched;") != null);
      assertThat(browser.script("return window.golive.patched;")).isEqualTo(204L);
      List<String> candidates =
          ((List<Object>) browser.script("return window.golive.candidates;"))
              .stream().map(String::valueOf).toList();
      await(segments + " segments listed at the edge")
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(() -> get(http, media).body().split("#EXTINF", -1).length - 1 >= segments);
      browser.click("stop");
      await("stopped")
          .atMost(Duration.ofSeconds(10))
          .until(() -> "stopped".equals(browser.script("return window.golive.state;")));
      assertThat(browser.script("return window.golive.deleted;")).isEqualTo(200L);
      assertThat(player.waitFor(90, TimeUnit.SECONDS)).as("player stopped at ENDLIST").isTrue();
      assertThat(player.exitValue()).as("player exit, log: %s", Ffmpeg.read(playLog)).isZero();
      return new Broadcast(candidates, played, connected);
    } finally {
      if (player != null) {
        player.destroy();
      }
    }
  }

  /**
   * coturn's {@code peer usage:} lines (relay → ingest) of the stream's TURN sessions, awaited in
   * {@code coturnLog} (the TURN username ends with ":" + stream; coturn logs a session's counters
   * when the browser closes its allocation).
   */
  public static List<Coturn.Usage> relayedToIngest(Supplier<String> coturnLog, String stream) {
    return await("coturn's peer usage of the browser's allocations")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                Coturn.usage(coturnLog.get()).stream()
                    .filter(u -> u.peer() && u.username().endsWith(":" + stream))
                    .toList(),
            u -> !u.isEmpty());
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
