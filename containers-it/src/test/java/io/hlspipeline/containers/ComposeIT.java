package io.hlspipeline.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hlspipeline.devstack.Coturn;
import io.hlspipeline.devstack.Ffmpeg;
import io.hlspipeline.events.keys.StreamKeys;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * infra/docker-compose.yml under Debian's docker-compose 1.29, as a user runs it: {@code up -d}
 * brings every container to healthy in dependency order, and the publish and play commands of
 * infra/README.md work against it. Host ports are free ones (the file's HLS_*_PORT variables), the
 * project name is unique, and {@code down -v} removes everything at the end.
 */
class ComposeIT {
  /** The default of HLS_STREAM_KEY_SECRET in the compose file. */
  private static final String DEV_SECRET = "dev-only-stream-key-secret-change-me";

  private static final String PROJECT =
      "hls-compose-it-" + UUID.randomUUID().toString().substring(0, 8);
  @TempDir static Path tmp;
  private static final Map<String, String> env = new HashMap<>();
  private static Path composeFile;

  @BeforeAll
  static void up() throws Exception {
    DockerEngine.requireTools(
        Path.of("/usr/bin/ffmpeg"),
        Path.of("/usr/bin/docker-compose"),
        Viewer.CHROMIUM,
        Viewer.CHROMEDRIVER);
    DockerEngine.ensureImages();
    composeFile = DockerEngine.repoRoot().resolve("infra/docker-compose.yml");
    for (String port :
        List.of(
            "HLS_KAFKA_PORT",
            "HLS_INGEST_PORT",
            "HLS_RTMP_PORT",
            "HLS_INGEST_ADMIN_PORT",
            "HLS_CATALOG_PORT",
            "HLS_CATALOG_ADMIN_PORT",
            "HLS_EDGE_PORT",
            "HLS_EDGE_ADMIN_PORT")) {
      env.put(port, String.valueOf(freePort()));
    }
    // UDP: WHIP media (the same number inside the container); TURN listens on UDP and TCP
    env.put("HLS_WHIP_PORT", String.valueOf(freeUdpPort()));
    env.put("HLS_TURN_PORT", String.valueOf(freeUdpPort()));
    long t0 = System.nanoTime();
    compose(Duration.ofMinutes(5), "up", "-d");
    await("every container healthy")
        .atMost(Duration.ofMinutes(5))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> healthOfAll().values().stream().allMatch("healthy"::equals));
    System.out.printf(
        "[compose] docker-compose 1.29 up -d to all %d containers healthy: %.1f s%n",
        healthOfAll().size(), (System.nanoTime() - t0) / 1e9);
  }

  @AfterAll
  static void down() {
    if (composeFile != null) {
      long t0 = System.nanoTime();
      compose(Duration.ofMinutes(3), "down", "-v", "--remove-orphans");
      System.out.printf("[compose] down -v: %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
  }

  @Test
  void readmePublishAndPlayCommands_workAgainstTheComposeStack() throws Exception {
    // infra/README.md: the stream key for stream "demo", from the shell.
    String key =
        sh("S=${HLS_STREAM_KEY_SECRET:-"
                + DEV_SECRET
                + "}\n"
                + "echo \"demo.$(printf %s demo | openssl dgst -sha256 -hmac \"$S\" -binary"
                + " | base64 | tr '+/' '-_' | tr -d '=')\"")
            .trim();
    assertThat(key).isEqualTo(new StreamKeys(DEV_SECRET).sign("demo", 0));

    String ingest = "http://localhost:" + env.get("HLS_INGEST_PORT") + "/ingest/" + key;
    String master = "http://localhost:" + env.get("HLS_EDGE_PORT") + "/hls/demo/master.m3u8";
    // The README's publish command, bounded to 16 s (-t) so that the stream ends.
    Process push =
        Ffmpeg.start(
            tmp.resolve("push.log"),
            "-re",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=1280x720:rate=25",
            "-f",
            "lavfi",
            "-i",
            "sine",
            "-t",
            "16",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-g",
            "50",
            "-c:a",
            "aac",
            "-f",
            "mpegts",
            "-method",
            "PUT",
            ingest);
    Path played = tmp.resolve("played.ts");
    Process player = null;
    try {
      await("master playlist served")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(300))
          .ignoreExceptions()
          .until(() -> status(master) == 200);
      // The README's player alternative to ffplay: ffmpeg -i <url> -c copy out.ts
      player = Ffmpeg.start(tmp.resolve("play.log"), "-i", master, "-c", "copy", played.toString());
      assertThat(push.waitFor(90, TimeUnit.SECONDS)).as("push finished").isTrue();
      assertThat(push.exitValue())
          .as("push exit, log: %s", Ffmpeg.read(tmp.resolve("push.log")))
          .isZero();
      assertThat(player.waitFor(90, TimeUnit.SECONDS)).as("player stopped at ENDLIST").isTrue();
      assertThat(player.exitValue())
          .as("player exit, log: %s", Ffmpeg.read(tmp.resolve("play.log")))
          .isZero();
      assertThat(Files.size(played)).isGreaterThan(200_000);
      Ffmpeg.Decoded decoded = Ffmpeg.decode(played);
      assertThat(decoded.exitStatus()).isZero();
      System.out.printf(
          "[compose] README publish (16 s) and play: %d bytes played, decodes cleanly%n",
          Files.size(played));
    } finally {
      push.destroy();
      if (player != null) {
        player.destroy();
      }
    }
  }

  /**
   * A WHIP publisher with sound into the compose stack: ffmpeg 8.1 ({@code -f whip}, the LGPL build
   * whose ffmpeg the ingest image carries as its transcoder) sends H.264 and Opus to ingest's UDP
   * port through Docker's port mapping; the stream plays from the edge as H.264 with AAC-LC, the
   * Opus turned into AAC by the ffmpeg in the ingest image. Without it ingest publishes video only.
   */
  @Test
  void whipPublishWithOpus_playsFromTheEdgeWithAacAudio() throws Exception {
    String stream = "whip-demo";
    String key = new StreamKeys(DEV_SECRET).sign(stream, 0);
    String whip = "http://localhost:" + env.get("HLS_INGEST_PORT") + "/whip/" + stream;
    String master =
        "http://localhost:" + env.get("HLS_EDGE_PORT") + "/hls/" + stream + "/master.m3u8";
    WhipFfmpeg.Played played =
        WhipFfmpeg.publishAndPlay(tmp, whip, key, 12, master, ComposeIT::ingestAudioLine);
    System.out.printf(
        "[compose] WHIP (ffmpeg 8.1, H.264 + Opus, 12 s): master playlist after %.1f s; played"
            + " from the edge: %s, %.1f s of AAC%n",
        played.secondsToPlaylist(), played.streams(), played.aacSeconds());
    assertThat(played.aacSeconds()).as("seconds of AAC played").isGreaterThan(6);
  }

  /**
   * A browser that only the TURN relay gets through: Chromium on ingest's Go live page with {@code
   * ?relay=1} (iceTransportPolicy 'relay', the TURN server and credentials of the answer's Link
   * headers) publishes its fake camera and microphone through the compose file's coturn, which
   * relays to ingest's address on the whip network; the stream plays from the edge with AAC, and
   * coturn's usage counters show the relayed bytes.
   */
  @Test
  void goLivePageRelayOnly_publishesThroughCoturn_andPlaysFromTheEdgeWithAac() throws Exception {
    String stream = "golive-relay";
    GoLiveRelay.Broadcast broadcast =
        GoLiveRelay.broadcast(
            tmp,
            "http://localhost:" + env.get("HLS_INGEST_PORT"),
            "http://localhost:" + env.get("HLS_EDGE_PORT"),
            stream,
            new StreamKeys(DEV_SECRET).sign(stream, 0),
            4);
    List<String> candidates = broadcast.candidates();
    Path played = broadcast.played();
    // every local candidate is a relay address: coturn's on the whip network
    assertThat(candidates)
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c).contains(" typ relay ").contains(" 172.31.89.11 "));
    List<String> streams = WhipFfmpeg.streams(played);
    assertThat(streams)
        .as("streams played (%s)", ingestAudioLine())
        .anySatisfy(l -> assertThat(l).startsWith("h264,"))
        .contains("aac,LC,audio,48000");
    List<Coturn.Usage> toIngest =
        GoLiveRelay.relayedToIngest(
            () -> compose(Duration.ofSeconds(60), "logs", "--no-color", "coturn"), stream);
    long relayed = toIngest.stream().mapToLong(Coturn.Usage::sentBytes).sum();
    System.out.printf(
        "[compose] Go live page through coturn: connected %.1f s after Go live; %s, %.1f s of AAC"
            + " played; coturn relayed %d bytes in %d packets to ingest%n",
        broadcast.secondsToConnected(),
        streams,
        WhipFfmpeg.aacSeconds(played),
        relayed,
        toIngest.stream().mapToLong(Coturn.Usage::sentPackets).sum());
    assertThat(relayed).as("bytes coturn relayed to ingest").isGreaterThan(Files.size(played) / 2);
    assertThat(WhipFfmpeg.aacSeconds(played)).isGreaterThan(4);
  }

  /**
   * ingest's line about WHIP audio at start ("WHIP audio: Opus → AAC-LC by …" or why it is off).
   */
  private static String ingestAudioLine() {
    return compose(Duration.ofSeconds(60), "logs", "--no-color", "ingest")
        .lines()
        .filter(l -> l.contains("WHIP audio"))
        .findFirst()
        .orElse("(no WHIP audio line)");
  }

  /** Container name → health status, for every container of the project. */
  private static Map<String, String> healthOfAll() {
    String ids = compose(Duration.ofSeconds(60), "ps", "-q").trim();
    Map<String, String> health = new HashMap<>();
    if (ids.isEmpty()) {
      return health;
    }
    String out =
        sh(
            "docker inspect -f '{{.Name}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "
                + ids.replace('\n', ' '));
    for (String line : out.split("\n")) {
      String[] parts = line.trim().split(" ");
      if (parts.length == 2) {
        health.put(parts[0], parts[1]);
      }
    }
    return health;
  }

  private static String compose(Duration timeout, String... args) {
    List<String> command =
        new ArrayList<>(List.of("docker-compose", "-p", PROJECT, "-f", composeFile.toString()));
    command.addAll(List.of(args));
    return exec(timeout, command);
  }

  private static String sh(String script) {
    return exec(Duration.ofSeconds(60), List.of("bash", "-c", script));
  }

  private static String exec(Duration timeout, List<String> command) {
    try {
      Path log = Files.createTempFile(tmp, "exec", ".log");
      ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(log.toFile());
      pb.redirectError(ProcessBuilder.Redirect.appendTo(tmp.resolve("stderr.log").toFile()));
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(command + " did not finish within " + timeout);
      }
      String out = Files.readString(log);
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            command
                + " exited "
                + p.exitValue()
                + ": "
                + out
                + Files.readString(tmp.resolve("stderr.log")));
      }
      return out;
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static int status(String url) throws Exception {
    return java.net.http.HttpClient.newHttpClient()
        .send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                .timeout(Duration.ofSeconds(10))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static int freeUdpPort() throws Exception {
    try (DatagramSocket s = new DatagramSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
