package io.hlspipeline.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import io.hlspipeline.devstack.Ffmpeg;
import io.hlspipeline.devstack.TopicReader;
import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.Topics;
import io.hlspipeline.events.keys.StreamKeys;
import io.hlspipeline.events.segments.PartReady;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.segments.StreamEnded;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;

/**
 * The pipeline as containers of the project's own images, on a real Docker engine, through
 * Testcontainers: ffmpeg publishes into the ingest container, ffmpeg and hls.js (headless Chromium)
 * play from the edge container, the segmenter container doing the work is killed mid-stream and the
 * other takes over; every msn once and contiguous. Each container: non-root, read-only root
 * filesystem, healthy, and stopped by SIGTERM within its grace period.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerStackIT {
  private static final String SECRET = "containers-it-secret-0123456789";
  private static final int FPS = 25;
  private static final int PUSH_SECONDS = 40;
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);

  @TempDir static Path tmp;
  private static ContainerStack stack;
  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void startStack() {
    DockerEngine.requireTools(Path.of("/usr/bin/ffmpeg"), Viewer.CHROMIUM, Viewer.CHROMEDRIVER);
    DockerEngine.ensureImages();
    stack = new ContainerStack(SECRET);
    long t0 = System.nanoTime();
    stack.start();
    System.out.printf(
        "[containers] stack started (infrastructure, then services, each healthy) in %.1f s%n",
        (System.nanoTime() - t0) / 1e9);
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  @Order(1)
  void everyContainer_isNonRoot_onAReadOnlyRootFilesystem_andHealthy() throws Exception {
    DockerClient docker = DockerClientFactory.instance().client();
    for (Map.Entry<String, GenericContainer<?>> e : stack.all().entrySet()) {
      String name = e.getKey();
      GenericContainer<?> c = e.getValue();
      InspectContainerResponse info = docker.inspectContainerCmd(c.getContainerId()).exec();
      String user = info.getConfig().getUser();
      assertThat(user).as("%s user", name).isNotBlank().doesNotStartWith("0").isNotEqualTo("root");
      assertThat(info.getHostConfig().getReadonlyRootfs()).as("%s read-only rootfs", name).isTrue();
      assertThat(info.getState().getHealth().getStatus())
          .as("%s health", name)
          .isEqualTo("healthy");
      // What docker inspect says, seen from inside: / refuses a write, /tmp takes one.
      ExecResult id = c.execInContainer("id", "-u");
      assertThat(id.getStdout().trim()).as("%s uid", name).isNotEqualTo("0");
      ExecResult rootWrite = c.execInContainer("touch", "/probe");
      assertThat(rootWrite.getExitCode()).as("%s writes /", name).isNotZero();
      assertThat(rootWrite.getStderr()).contains("Read-only file system");
      assertThat(c.execInContainer("touch", "/tmp/probe").getExitCode())
          .as("%s writes /tmp", name)
          .isZero();
      System.out.printf(
          "[containers] %-10s %-34s user %s, read-only rootfs, healthy %.1f s after its start"
              + " request%n",
          name, c.getDockerImageName(), user, stack.startupTimes.get(name).toMillis() / 1e3);
    }
  }

  @Test
  @Order(2)
  void ffmpegPublishes_ffmpegAndHlsJsPlay_andASegmenterContainerIsKilledMidStream()
      throws Exception {
    String streamId = "containers-live";
    String key = new StreamKeys(SECRET).sign(streamId, 0);
    URI edge = stack.url(stack.edge, 8080);
    URI master = edge.resolve("/hls/" + streamId + "/master.m3u8");
    URI media = edge.resolve("/hls/" + streamId + "/src/index.m3u8");
    for (GenericContainer<?> c : List.of(stack.ingest, stack.catalog, stack.edge)) {
      int admin = c == stack.ingest ? 9081 : c == stack.catalog ? 9082 : 9080;
      await("ready: " + c.getDockerImageName())
          .atMost(Duration.ofSeconds(90))
          .ignoreExceptions()
          .until(() -> status(stack.url(c, admin).resolve("/health/ready")) == 200);
    }
    for (GenericContainer<?> c : List.of(stack.segmenter1, stack.segmenter2)) {
      await("segmenter ready")
          .atMost(Duration.ofSeconds(90))
          .ignoreExceptions()
          .until(() -> status(stack.url(c, 8083).resolve("/health/ready")) == 200);
    }

    Process push =
        Ffmpeg.start(
            tmp.resolve("push.log"),
            Ffmpeg.testSource("640x360", FPS)
                .realTime()
                .seconds(PUSH_SECONDS)
                .gopFrames(FPS * ContainerStack.TARGET_DURATION_SEC)
                .audioBitrate("96k")
                .to(
                    "-f",
                    "mpegts",
                    "-method",
                    "PUT",
                    stack.url(stack.ingest, 8081) + "/ingest/" + key));
    Process player = null;
    try (Viewer viewer = new Viewer(tmp)) {
      await("master playlist served")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .until(() -> status(master) == 200);
      Path played = tmp.resolve("played.ts");
      player =
          Ffmpeg.start(
              tmp.resolve("play.log"),
              "-i",
              media.toString(),
              "-c",
              "copy",
              "-f",
              "mpegts",
              played.toString());
      viewer.open(edge.resolve("/player/" + streamId).toString());
      Viewer.PlayerState before =
          await("hls.js played ≥ 4 s")
              .atMost(Duration.ofSeconds(45))
              .pollInterval(Duration.ofMillis(500))
              .failFast("fatal player error", () -> viewer.state().fatalError() != null)
              .until(viewer::state, s -> s.playedSeconds() >= 4);
      assertThat(before.engine()).isEqualTo("hls.js");

      // The segmenter cutting this stream: the group member its hls.ingest partition is assigned
      // to.
      int partition = partitionOf(streamId);
      GenericContainer<?> owner =
          await("the stream's partition assigned")
              .atMost(Duration.ofSeconds(30))
              .until(() -> assignee(partition), o -> o != null);
      GenericContainer<?> other = owner == stack.segmenter1 ? stack.segmenter2 : stack.segmenter1;
      double otherBefore = segmentsCut(other);
      long lastBefore =
          readySegments(streamId).stream().mapToLong(SegmentReady::msn).max().orElse(-1);
      DockerClientFactory.instance().client().killContainerCmd(owner.getContainerId()).exec();
      long killedNanos = System.nanoTime();
      // The survivor takes the partition over (after the 10 s session timeout) and cuts on.
      await("the other segmenter cuts the stream")
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> assignee(partition) == other && segmentsCut(other) > otherBefore);
      System.out.printf(
          "[containers] segmenter cutting partition %d killed (SIGKILL) after msn %d; the other"
              + " cut its first segment of it %.1f s later%n",
          partition, lastBefore, (System.nanoTime() - killedNanos) / 1e9);

      // hls.js keeps playing across the take-over until the broadcast ends.
      await("broadcast finished")
          .atMost(Duration.ofSeconds(PUSH_SECONDS + 60))
          .pollInterval(Duration.ofSeconds(1))
          .failFast("fatal player error", () -> viewer.state().fatalError() != null)
          .until(() -> !push.isAlive());
      assertThat(push.exitValue())
          .as("push exit, log: %s", Ffmpeg.read(tmp.resolve("push.log")))
          .isZero();
      Viewer.PlayerState after = viewer.state();
      System.out.printf(
          "[containers] hls.js: %.1f s played (%.1f s before the kill), non-fatal errors %s%n",
          after.playedSeconds(), before.playedSeconds(), after.errors());
      assertThat(after.fatalError()).isNull();
      assertThat(after.playedSeconds()).isGreaterThan(before.playedSeconds() + 10);

      // Every msn exactly once and contiguous, then the stream's end.
      List<SegmentEvent> events =
          TopicReader.committed(
                  stack.kafkaBootstrap(),
                  Topics.SEGMENTS.name(),
                  r -> Serdes.segmentEvent().deserialize(r.topic(), r.value()))
              .awaitUntil(
                  streamId,
                  es -> !es.isEmpty() && es.get(es.size() - 1) instanceof StreamEnded,
                  Duration.ofSeconds(90));
      List<SegmentReady> segments =
          events.stream()
              .filter(SegmentReady.class::isInstance)
              .map(SegmentReady.class::cast)
              .toList();
      assertThat(segments)
          .extracting(SegmentReady::msn)
          .containsExactlyElementsOf(LongStream.range(0, segments.size()).boxed().toList());
      assertThat(segments.size()).isBetween(PUSH_SECONDS / 2 - 2, PUSH_SECONDS / 2 + 1);
      // Besides low-latency parts (PartReady, re-announced after the take-over), nothing else.
      assertThat(events.stream().filter(e -> !(e instanceof PartReady)))
          .hasSize(segments.size() + 1);
      assertThat(((StreamEnded) events.get(events.size() - 1)).lastMsn())
          .isEqualTo(segments.size() - 1);
      double totalSec = segments.stream().mapToLong(SegmentReady::durationUs).sum() / 1e6;
      System.out.printf(
          "[containers] hls.segments: msn 0..%d each once, %.2f s in all%n",
          segments.size() - 1, totalSec);
      assertThat(totalSec).isBetween(PUSH_SECONDS - 2.0, PUSH_SECONDS + 1.0);

      // ffmpeg, the other player, read the live playlist to its ENDLIST.
      Process p = player;
      assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("player finished at ENDLIST").isTrue();
      assertThat(p.exitValue())
          .as("player exit, log: %s", Ffmpeg.read(tmp.resolve("play.log")))
          .isZero();
      assertThat(Files.size(played)).isGreaterThan(500_000);
      assertThat(Ffmpeg.decode(played).exitStatus()).isZero();

      assertThat(stack.ingest.getLogs()).as("ingest log").doesNotContain(key.split("\\.")[1]);
    } finally {
      push.destroy();
      push.waitFor(10, TimeUnit.SECONDS);
      if (player != null) {
        player.destroy();
      }
    }
  }

  @Test
  @Order(3)
  void everyContainer_exitsOnSigterm_withinItsGracePeriod() {
    DockerClient docker = DockerClientFactory.instance().client();
    for (Map.Entry<String, GenericContainer<?>> e : stack.all().entrySet()) {
      String id = e.getValue().getContainerId();
      InspectContainerResponse before = docker.inspectContainerCmd(id).exec();
      if (!Boolean.TRUE.equals(before.getState().getRunning())) {
        continue; // the segmenter killed above
      }
      long t0 = System.nanoTime();
      // docker stop: SIGTERM, then SIGKILL (exit 137) once the grace period is over.
      docker.stopContainerCmd(id).withTimeout((int) STOP_GRACE.toSeconds()).exec();
      double seconds = (System.nanoTime() - t0) / 1e9;
      InspectContainerResponse.ContainerState state =
          docker.inspectContainerCmd(id).exec().getState();
      System.out.printf(
          "[containers] %-10s stopped by SIGTERM in %.1f s, exit %d%n",
          e.getKey(), seconds, state.getExitCodeLong());
      assertThat(state.getRunning()).isFalse();
      assertThat(state.getExitCodeLong())
          .as("%s exit (137 = killed after the grace)", e.getKey())
          .isNotEqualTo(137L);
      assertThat(seconds).as("%s stop time, s", e.getKey()).isLessThan(STOP_GRACE.toSeconds());
    }
  }

  /** hls.ingest's partition of a stream: Kafka's default partitioner over the key. */
  private static int partitionOf(String streamId) {
    byte[] key = streamId.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return org.apache.kafka.common.utils.Utils.toPositive(
            org.apache.kafka.common.utils.Utils.murmur2(key))
        % ContainerStack.PARTITIONS;
  }

  /** The segmenter container (by its address) the group assigned that partition to, if any. */
  private static GenericContainer<?> assignee(int partition) throws Exception {
    try (org.apache.kafka.clients.admin.Admin admin =
        org.apache.kafka.clients.admin.Admin.create(
            Map.<String, Object>of("bootstrap.servers", stack.kafkaBootstrap()))) {
      var group =
          admin
              .describeConsumerGroups(List.of("hls-segmenter"))
              .describedGroups()
              .get("hls-segmenter")
              .get(10, TimeUnit.SECONDS);
      for (var member : group.members()) {
        boolean holds =
            member.assignment().topicPartitions().stream()
                .anyMatch(
                    tp -> tp.topic().equals(Topics.INGEST.name()) && tp.partition() == partition);
        if (!holds) {
          continue;
        }
        for (GenericContainer<?> c : List.of(stack.segmenter1, stack.segmenter2)) {
          String ip =
              c.getContainerInfo()
                  .getNetworkSettings()
                  .getNetworks()
                  .values()
                  .iterator()
                  .next()
                  .getIpAddress();
          if (member.host().replace("/", "").equals(ip)) {
            return c;
          }
        }
      }
      return null;
    }
  }

  private double segmentsCut(GenericContainer<?> segmenter) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(stack.url(segmenter, 8083).resolve("/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    return r.body()
        .lines()
        .filter(l -> l.startsWith("hls_segmenter_segments_total"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  private static List<SegmentReady> readySegments(String streamId) {
    return TopicReader.committed(
            stack.kafkaBootstrap(),
            Topics.SEGMENTS.name(),
            r -> Serdes.segmentEvent().deserialize(r.topic(), r.value()))
        .readToEnd(streamId, Duration.ofMillis(300))
        .stream()
        .filter(SegmentReady.class::isInstance)
        .map(SegmentReady.class::cast)
        .toList();
  }

  private static int status(URI uri) throws Exception {
    return http.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
