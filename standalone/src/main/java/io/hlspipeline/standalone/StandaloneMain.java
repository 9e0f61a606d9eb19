package io.hlspipeline.standalone;

import io.hlspipeline.devstack.CassandraNode;
import io.hlspipeline.devstack.Coturn;
import io.hlspipeline.devstack.KafkaBroker;
import io.hlspipeline.devstack.S3Server;
import io.hlspipeline.events.keys.StreamKeys;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one-command mode: real Kafka (in this JVM), Cassandra (a child JVM that dies with this one),
 * two S3 servers (S3Proxy, in this JVM), and the four services in this JVM on their default ports;
 * prints the ffmpeg command that publishes a stream and the URL that plays it. WHIP is on
 * (127.0.0.1, a free UDP port), with a local coturn as TURN server when {@code turnserver} is
 * installed ({@link StandaloneWhip}).
 *
 * <p>Options: {@code --stream ID} (default {@code demo}), {@code --demo} (also start an ffmpeg test
 * broadcast), {@code --target-duration SECONDS} (default 2).
 */
public final class StandaloneMain {
  /** Live playlists list the newest 10 segments (20 s at the default 2 s target). */
  private static final int LIVE_WINDOW_SEGMENTS = 10;

  private StandaloneMain() {}

  public static void main(String[] args) throws Exception {
    Logger log = LoggerFactory.getLogger(StandaloneMain.class);
    String streamId = "demo";
    boolean demo = false;
    int targetDurationSec = 2;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--stream" -> streamId = args[++i];
        case "--demo" -> demo = true;
        case "--target-duration" -> targetDurationSec = Integer.parseInt(args[++i]);
        default -> {
          System.err.println(
              "usage: StandaloneMain [--stream ID] [--demo] [--target-duration SECONDS]");
          System.exit(2);
        }
      }
    }

    long t0 = System.nanoTime();
    Path dataDir = Files.createTempDirectory("hls-standalone-");
    List<AutoCloseable> toClose = new ArrayList<>();
    CountDownLatch stopped = new CountDownLatch(1);

    CompletableFuture<CassandraNode> cassandraFuture =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return CassandraNode.start(dataDir.resolve("cassandra"));
              } catch (Exception e) {
                throw new IllegalStateException("Cassandra failed to start: " + e.getMessage(), e);
              }
            });
    KafkaBroker kafka = KafkaBroker.builder(dataDir.resolve("kafka")).defaultPartitions(4).start();
    toClose.add(kafka);
    List<String> specs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      S3Server s3 = S3Server.start("s3-" + i, dataDir.resolve("s3-" + i));
      toClose.add(s3);
      specs.add(
          PipelineEndpoints.s3Spec(
              s3.id(),
              s3.endpoint().toString(),
              "hls",
              s3.region(),
              s3.accessKey(),
              s3.secretKey()));
    }
    CassandraNode cassandra = cassandraFuture.join();
    toClose.add(cassandra);
    Duration infraTime = Duration.ofNanos(System.nanoTime() - t0);

    // WHIP on 127.0.0.1, with a local coturn as its TURN server when one is installed
    StandaloneWhip whip =
        StandaloneWhip.start(dataDir.resolve("coturn"), Coturn.executable().isPresent());
    whip.coturn().ifPresent(toClose::add);
    if (whip.coturn().isEmpty()) {
      log.info("no local TURN server for WHIP: {}", Coturn.notInstalledMessage());
    }

    String secret = randomSecret();
    PipelineEndpoints endpoints =
        new PipelineEndpoints(
            kafka.bootstrapServers(),
            cassandra.contactPoint(),
            PipelineEndpoints.joinSpecs(specs),
            2,
            secret,
            PipelineEndpoints.Ports.defaults());
    Pipeline pipeline =
        new Pipeline(
            endpoints,
            dataDir.resolve("services"),
            targetDurationSec,
            LIVE_WINDOW_SEGMENTS,
            whip.ingestEnv());
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    pipeline.stop();
                  } catch (Exception e) {
                    log.warn("stopping the pipeline failed", e);
                  }
                  for (int i = toClose.size() - 1; i >= 0; i--) {
                    try {
                      toClose.get(i).close();
                    } catch (Exception e) {
                      log.warn("stopping {} failed", toClose.get(i), e);
                    }
                  }
                  stopped.countDown();
                },
                "standalone-stop"));
    pipeline.start();
    Duration total = Duration.ofNanos(System.nanoTime() - t0);

    String key = new StreamKeys(secret).sign(streamId, 0);
    String publishUrl = pipeline.ingestUrl() + "/ingest/" + key;
    String playUrl = pipeline.edgeUrl() + "/hls/" + streamId + "/master.m3u8";
    System.out.println(
        String.join(
            "\n",
            "",
            "hls-pipeline standalone is up in "
                + total.toMillis()
                + " ms (infrastructure "
                + infraTime.toMillis()
                + " ms)",
            "  Kafka      " + kafka.bootstrapServers(),
            "  Cassandra  " + cassandra.contactPoint(),
            "  S3         " + String.join(", ", specs.stream().map(StandaloneMain::url).toList()),
            "  ingest     " + pipeline.ingestUrl(),
            "  catalog    " + pipeline.catalogUrl() + "/api/v1/streams",
            "  edge       " + pipeline.edgeUrl(),
            "  WHIP       " + pipeline.ingestUrl() + "/whip/" + streamId + "  (Bearer " + key + ")",
            whip.turnLine(),
            "Admin (/health/live, /health/ready, /metrics; not for viewers):",
            "  ingest     " + pipeline.ingestAdminUrl() + "/metrics",
            "  catalog    " + pipeline.catalogAdminUrl() + "/metrics",
            "  edge       " + pipeline.edgeAdminUrl() + "/metrics",
            "  segmenter  " + pipeline.segmenterAdminUrl() + "/metrics",
            "",
            "Publish a test stream (any H.264/AAC source works; keyframes every "
                + targetDurationSec
                + " s keep segments short):",
            "  ffmpeg -re -f lavfi -i testsrc2=size=1280x720:rate=25 -f lavfi -i"
                + " sine=frequency=1000:sample_rate=48000 -c:v libx264 -preset veryfast -tune"
                + " zerolatency -g "
                + (25 * targetDurationSec)
                + " -keyint_min "
                + (25 * targetDurationSec)
                + " -sc_threshold 0 -pix_fmt yuv420p -c:a aac -b:a 128k -f mpegts -method PUT "
                + publishUrl,
            "Or publish a file:  ffmpeg -re -i input.mp4 -c copy -f mpegts -method PUT "
                + publishUrl,
            "Or over RTMP (OBS: server "
                + pipeline.rtmpUrl()
                + ", stream key "
                + key
                + "):  ffmpeg -re -i input.mp4 -c copy -f flv "
                + pipeline.rtmpUrl()
                + "/"
                + key,
            "Keys for other streams (admin port; revoke: .../revoke):  curl -X POST "
                + pipeline.ingestAdminUrl()
                + "/streams/{streamId}/key",
            "Play it:",
            "  ffplay " + playUrl + "      (or VLC / Safari with the same URL)",
            "Watch in a browser: " + pipeline.edgeUrl() + "/player/" + streamId,
            "",
            "Ctrl-C stops everything."));

    if (demo) {
      startDemoBroadcast(publishUrl, targetDurationSec, dataDir, toClose, log);
    }
    stopped.await();
  }

  private static void startDemoBroadcast(
      String publishUrl,
      int targetDurationSec,
      Path dataDir,
      List<AutoCloseable> toClose,
      Logger log)
      throws Exception {
    int gop = 25 * targetDurationSec;
    ProcessBuilder pb =
        new ProcessBuilder(
            "ffmpeg",
            "-hide_banner",
            "-loglevel",
            "error",
            "-re",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=1280x720:rate=25",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=1000:sample_rate=48000",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-tune",
            "zerolatency",
            "-g",
            String.valueOf(gop),
            "-keyint_min",
            String.valueOf(gop),
            "-sc_threshold",
            "0",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-b:a",
            "128k",
            "-f",
            "mpegts",
            "-method",
            "PUT",
            publishUrl);
    File logFile = dataDir.resolve("demo-ffmpeg.log").toFile();
    pb.redirectErrorStream(true).redirectOutput(logFile);
    Process ffmpeg = pb.start();
    toClose.add(ffmpeg::destroy);
    log.info("demo broadcast started (ffmpeg pid {}, log {})", ffmpeg.pid(), logFile);
  }

  private static String url(String spec) {
    for (String part : spec.split(",")) {
      if (part.startsWith("url=")) {
        return part.substring(4);
      }
    }
    return "?";
  }

  private static String randomSecret() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
