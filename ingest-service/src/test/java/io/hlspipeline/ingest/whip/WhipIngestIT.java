package io.hlspipeline.ingest.whip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import io.hlspipeline.ingest.rtmp.Ffmpeg81;
import io.hlspipeline.ingest.rtmp.Ffprobe;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ingest-service in-process with WHIP on (HTTP and the WHIP UDP port on free ports) against the
 * shared real Kafka broker; ffmpeg 8.1 (from the test-scoped Maven artifact) publishes over WHIP.
 */
class WhipIngestIT {
  private static final String SECRET = "whip-ingest-it-secret-0123456789";
  private static final String TURN_SECRET = "whip-it-turn-secret";
  private static final StreamKeys KEYS = new StreamKeys(SECRET);

  @TempDir static Path dir;
  private static IngestService service;
  private static PrometheusMeterRegistry registry;
  private static Path ffmpeg81;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startService() throws Exception {
    ffmpeg81 = Ffmpeg81.extract(Files.createDirectories(dir.resolve("ffmpeg81")));
    assertThat(ffmpeg81)
        .as("org.bytedeco:ffmpeg linux-x86_64-gpl on the test class path")
        .isNotNull();
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    service = new IngestService(config(Map.of()), registry);
    service.start();
  }

  /** This IT's settings, with {@code extra} on top. */
  private static IngestConfig config(Map<String, String> extra) {
    Map<String, String> env =
        new java.util.HashMap<>(
            Map.ofEntries(
                Map.entry("KAFKA_BOOTSTRAP_SERVERS", SharedDevstack.kafka().bootstrapServers()),
                Map.entry("HTTP_BIND", "127.0.0.1"),
                Map.entry("HTTP_PORT", "0"),
                Map.entry("ADMIN_PORT", "0"),
                Map.entry("RTMP_BIND", "127.0.0.1"),
                Map.entry("RTMP_PORT", "0"),
                Map.entry("WHIP_UDP_BIND", "127.0.0.1"),
                Map.entry("WHIP_UDP_PORT", "0"),
                Map.entry(
                    "WHIP_ICE_SERVERS", "stun:127.0.0.1:3478,turn:127.0.0.1:3478?transport=udp"),
                Map.entry("WHIP_TURN_SECRET", TURN_SECRET),
                Map.entry("STREAM_KEY_SECRET", SECRET),
                Map.entry("KAFKA_TOPIC_PARTITIONS", "3"),
                Map.entry("INGEST_MAX_STREAMS", "4"),
                Map.entry("INGEST_IDLE_TIMEOUT", "5s")));
    env.putAll(extra);
    return IngestConfig.fromEnv(env);
  }

  @AfterAll
  static void stopService() throws Exception {
    if (service != null) {
      service.stop();
    }
  }

  private static String whipUrl(String streamId) {
    return whipUrl(service, streamId);
  }

  private static String whipUrl(IngestService instance, String streamId) {
    return "http://127.0.0.1:" + instance.httpPort() + WhipHandler.PATH_PREFIX + streamId;
  }

  @Test
  void ffmpeg81WhipPublish_landsAsH264AndAacInOneSession_whileGarbageHitsTheUdpPort()
      throws Exception {
    String streamId = "whip-ffmpeg";
    Path log = dir.resolve("whip-publish.log");
    AtomicBoolean publishing = new AtomicBoolean(true);
    AtomicLong garbageSent = new AtomicLong();
    Thread garbage = new Thread(() -> sprayGarbage(publishing, garbageSent), "garbage");
    garbage.start();
    Instant start = Instant.now();
    Process ffmpeg = publishWithFfmpeg81(streamId, 10, log);
    AtomicReference<Duration> transcoderCpu = new AtomicReference<>(Duration.ZERO);
    try {
      // while it publishes, read the transcoder's CPU time (it is gone once the session ends)
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                Duration cpu = AudioVideoCheck.transcoderCpu();
                if (cpu.compareTo(transcoderCpu.get()) > 0) {
                  transcoderCpu.set(cpu);
                }
                return !ffmpeg.isAlive();
              });
    } finally {
      publishing.set(false);
      ffmpeg.destroyForcibly();
      garbage.join();
    }
    assertThat(ffmpeg.exitValue()).as(Files.readString(log)).isZero();
    assertThat(garbageSent.get()).isGreaterThan(100);

    List<ConsumerRecord<String, byte[]>> records = awaitSessionRecords(streamId);

    List<IngestRecordKind> kinds =
        records.stream().map(r -> IngestHeaders.kindOf(r.headers()).orElseThrow()).toList();
    assertThat(kinds.get(0)).isEqualTo(IngestRecordKind.PUBLISH_STARTED);
    assertThat(kinds.get(kinds.size() - 1)).isEqualTo(IngestRecordKind.PUBLISH_ENDED);
    assertThat(kinds.subList(1, kinds.size() - 1))
        .isNotEmpty()
        .containsOnly(IngestRecordKind.CHUNK);
    assertThat(records)
        .extracting(r -> IngestHeaders.fromKafka(r.headers()).sessionId())
        .containsOnly(IngestHeaders.fromKafka(records.get(0).headers()).sessionId());
    IngestControl.PublishStarted started =
        (IngestControl.PublishStarted)
            Serdes.ingestControl().deserialize(Topics.INGEST.name(), records.get(0).value());
    assertThat(started.source()).isEqualTo("whip");
    IngestControl.PublishEnded ended =
        (IngestControl.PublishEnded)
            Serdes.ingestControl()
                .deserialize(Topics.INGEST.name(), records.get(records.size() - 1).value());
    assertThat(ended.reason()).isIn("eof", "timeout");
    System.out.printf(
        "WHIP publish: PublishStarted %d ms after ffmpeg started, %d chunks, ended (%s)%n",
        Duration.between(start, started.startedAt()).toMillis(),
        records.size() - 2,
        ended.reason());

    Path received = dir.resolve("received-whip.ts");
    ByteArrayOutputStream concatenated = new ByteArrayOutputStream();
    records.subList(1, records.size() - 1).forEach(r -> concatenated.writeBytes(r.value()));
    Files.write(received, concatenated.toByteArray());
    assertThat(new Ffprobe(ffmpeg81.resolve("ffprobe").toString()).codec(received, "v"))
        .isEqualTo("h264");
    AudioVideoCheck.assertAudioWithVideo(received, "WHIP from ffmpeg 8.1");
    System.out.printf(
        "WHIP audio transcoder (Debian ffmpeg, Opus -> AAC-LC 128 kb/s): %d ms CPU over the"
            + " %d s publish, %.1f %% of one core%n",
        transcoderCpu.get().toMillis(), 10, transcoderCpu.get().toMillis() / 100.0);
    assertThat(transcoderCpu.get()).as("the transcoder ran").isPositive();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(AudioVideoCheck.transcoders()).isEmpty());
    Ffmpeg.Decoded decoded = Ffmpeg.decode(received);
    assertThat(decoded.exitStatus()).as(decoded.log()).isZero();
    List<Ffprobe.Packet> frames = Ffprobe.DEBIAN.packets(received, "v");
    // 10 s at 25 fps from the first keyframe on; the first one may be lost to the ICE set-up
    assertThat(frames).hasSizeGreaterThan(150);
    assertThat(frames.get(0).keyframe()).isTrue();
    assertThat(frames.stream().filter(Ffprobe.Packet::keyframe).count()).isGreaterThanOrEqualTo(3);
    for (int i = 1; i < frames.size(); i++) {
      assertThat(frames.get(i).pts() - frames.get(i - 1).pts()).as("frame %d", i).isEqualTo(3600);
    }
    assertThat(service.whipPeers()).isZero();
    // frame capture (ffmpeg's clock, from its RTCP sender reports) to chunk handed to Kafka
    io.micrometer.core.instrument.Timer latency =
        registry.find("hls.ingest.whip.glass.to.ingest").timer();
    // ffmpeg sends a sender report with its first packet and every 5 s: frames after one are dated
    assertThat(latency.count()).isPositive();
    System.out.printf(
        "WHIP glass-to-ingest over %d frames: mean %.1f ms, max %.1f ms%n",
        latency.count(), latency.mean(TimeUnit.MILLISECONDS), latency.max(TimeUnit.MILLISECONDS));
  }

  @Test
  void badOffers_getClearAnswers_andAllocateNothing() throws Exception {
    String streamId = "whip-bad";
    String offer = WhipOfferTest.ffmpegOffer();

    HttpResponse<String> noAuth = post(streamId, null, "application/sdp", offer);
    HttpResponse<String> wrongKey =
        post(streamId, KEYS.sign(streamId, 0) + "x", "application/sdp", offer);
    HttpResponse<String> otherStreamsKey =
        post(streamId, KEYS.sign("whip-other", 0), "application/sdp", offer);
    assertThat(service.whipPeers()).isZero();
    String key = KEYS.sign(streamId, 0);
    HttpResponse<String> notSdp = post(streamId, key, "text/plain", offer);
    HttpResponse<String> garbled = post(streamId, key, "application/sdp", "hello\r\nworld\r\n");
    HttpResponse<String> noH264 =
        post(streamId, key, "application/sdp", offer.replace("H264/90000", "VP8/90000"));

    assertThat(noAuth.statusCode()).isEqualTo(401);
    assertThat(noAuth.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    assertThat(wrongKey.statusCode()).isEqualTo(403);
    assertThat(otherStreamsKey.statusCode()).isEqualTo(403);
    assertThat(notSdp.statusCode()).isEqualTo(415);
    assertThat(garbled.statusCode()).isEqualTo(400);
    assertThat(garbled.body()).isEqualTo("SDP line 1: expected <letter>=<value>\n");
    assertThat(noH264.statusCode()).isEqualTo(400);
    assertThat(noH264.body()).contains("no H.264");
    assertThat(service.whipPeers()).isZero();
    assertThat(wrongKey.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
  }

  @Test
  void sessionResource_answersWithLinksCorsTrickleAndDelete() throws Exception {
    String streamId = "whip-resource";
    HttpResponse<String> created =
        post(streamId, KEYS.sign(streamId, 0), "application/sdp", WhipOfferTest.chromiumOffer());

    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(created.headers().firstValue("Content-Type")).hasValue("application/sdp");
    String location = created.headers().firstValue("Location").orElseThrow();
    assertThat(location).startsWith("/whip/" + streamId + "/");
    SessionDescription answer = SessionDescription.parse(created.body());
    assertThat(answer.media().get(1).formats()).containsExactly("106");
    assertThat(answer.media().get(1).attributes("candidate"))
        .containsExactly("1 1 udp 2130706431 127.0.0.1 " + service.whipUdpPort() + " typ host");
    List<String> links = created.headers().allValues("Link");
    String joined = String.join(", ", links);
    assertThat(joined).contains("<stun:127.0.0.1:3478>; rel=\"ice-server\"");
    assertThat(joined)
        .containsPattern(
            "<turn:127\\.0\\.0\\.1:3478\\?transport=udp>; rel=\"ice-server\"; username=\"\\d+:"
                + streamId
                + "\"; credential=\"[A-Za-z0-9+/=]{28}\"; credential-type=\"password\"");
    assertThat(service.whipPeers()).isEqualTo(1);

    HttpResponse<String> preflight =
        http.send(
            HttpRequest.newBuilder(URI.create(whipUrl(streamId)))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://example.com")
                .header("Access-Control-Request-Method", "POST")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElseThrow())
        .contains("Authorization");

    URI resource = URI.create("http://127.0.0.1:" + service.httpPort() + location);
    HttpResponse<String> trickle =
        http.send(
            HttpRequest.newBuilder(resource)
                .method(
                    "PATCH",
                    HttpRequest.BodyPublishers.ofString(
                        "a=ice-ufrag:Hx7e\r\na=ice-pwd:Zk3mL9qW2vR8tY6uI4oP1aS5\r\nm=audio 9"
                            + " UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=candidate:1 1 udp 2122260223"
                            + " 127.0.0.1 40000 typ host\r\n"))
                .header("Content-Type", "application/trickle-ice-sdpfrag")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(trickle.statusCode()).as(trickle.body()).isEqualTo(204);
    HttpResponse<String> restart =
        http.send(
            HttpRequest.newBuilder(resource)
                .method(
                    "PATCH",
                    HttpRequest.BodyPublishers.ofString(
                        "a=ice-ufrag:newU\r\na=ice-pwd:newpasswordnewpassword12\r\n"))
                .header("Content-Type", "application/trickle-ice-sdpfrag")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(restart.statusCode()).isEqualTo(422);

    HttpResponse<String> deleted =
        http.send(
            HttpRequest.newBuilder(resource).DELETE().build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> again =
        http.send(
            HttpRequest.newBuilder(resource).DELETE().build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(deleted.statusCode()).isEqualTo(200);
    assertThat(again.statusCode()).isEqualTo(404);
    assertThat(service.whipPeers()).isZero();
  }

  @Test
  void transcoderThatCrashes_endsTheAudioOnly_videoGoesOn() throws Exception {
    // a transcoder killed (SIGKILL, as a native crash would end it) 3 s into the stream
    Path crashing = dir.resolve("crashing-ffmpeg.sh");
    Files.writeString(
        crashing,
        "#!/bin/sh\n"
            + "case \"$*\" in *-version*) exec ffmpeg \"$@\";; esac\n"
            + "exec timeout -s KILL 3 ffmpeg \"$@\"\n");
    assertThat(crashing.toFile().setExecutable(true)).isTrue();
    IngestService other =
        new IngestService(
            config(Map.of("WHIP_AUDIO_TRANSCODER", crashing.toString())),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    other.start();
    String streamId = "whip-crash";
    Process ffmpeg;
    try {
      ffmpeg =
          publishWithFfmpeg81(streamId, 8, dir.resolve("whip-crash.log"), whipUrl(other, streamId));
      assertThat(ffmpeg.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      other.stop();
    }
    assertThat(ffmpeg.exitValue()).isZero();

    List<ConsumerRecord<String, byte[]>> records = awaitSessionRecords(streamId);

    IngestControl.PublishEnded ended =
        (IngestControl.PublishEnded)
            Serdes.ingestControl()
                .deserialize(Topics.INGEST.name(), records.get(records.size() - 1).value());
    assertThat(ended.reason()).isEqualTo("eof");
    Path received = dir.resolve("received-crash.ts");
    ByteArrayOutputStream concatenated = new ByteArrayOutputStream();
    records.subList(1, records.size() - 1).forEach(r -> concatenated.writeBytes(r.value()));
    Files.write(received, concatenated.toByteArray());
    List<Ffprobe.Packet> video = Ffprobe.DEBIAN.packets(received, "v");
    List<Ffprobe.Packet> audio = Ffprobe.DEBIAN.packets(received, "a");
    double audioSeconds = audio.size() * 1024 / 48_000.0;
    System.out.printf(
        "WHIP with a transcoder killed after 3 s: %d video frames (%.1f s), %.1f s of audio%n",
        video.size(), video.size() / 25.0, audioSeconds);
    // all 8 s of video (the first keyframe may be lost to the set-up), audio until the crash:
    // 3 s of the process's life, plus up to 0.5 s that ffmpeg 8.1's -re sends ahead at the start
    // (its readrate_initial_burst) and that the transcoder had in its pipe
    assertThat(video).hasSizeGreaterThan(175);
    assertThat(audioSeconds).isGreaterThan(0.5).isLessThan(4.5);
    assertThat(AudioVideoCheck.transcoders()).isEmpty();
  }

  /** ffmpeg 8.1 publishes a 640×360 25 fps test pattern (H.264 baseline, Opus) over WHIP. */
  private static Process publishWithFfmpeg81(String streamId, int seconds, Path log)
      throws java.io.IOException {
    return publishWithFfmpeg81(streamId, seconds, log, whipUrl(streamId));
  }

  private static Process publishWithFfmpeg81(String streamId, int seconds, Path log, String url)
      throws java.io.IOException {
    return new ProcessBuilder(
            ffmpeg81.resolve("ffmpeg").toString(),
            "-hide_banner",
            "-nostdin",
            "-v",
            "error",
            "-re",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=640x360:rate=25",
            "-re",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=1000:sample_rate=48000",
            "-t",
            String.valueOf(seconds),
            "-c:v",
            "libx264",
            "-profile:v",
            "baseline",
            "-preset",
            "veryfast",
            "-tune",
            "zerolatency",
            "-g",
            "50",
            "-bf",
            "0",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "libopus",
            "-ar",
            "48000",
            "-ac",
            "2",
            "-f",
            "whip",
            "-authorization",
            KEYS.sign(streamId, 0),
            url)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  @Test
  void publisherThatVanishes_isDroppedAfterTheIdleTimeout() throws Exception {
    String streamId = "whip-vanish";
    Process ffmpeg = publishWithFfmpeg81(streamId, 60, dir.resolve("whip-vanish.log"));
    TopicReader<ConsumerRecord<String, byte[]>> reader =
        TopicReader.of(SharedDevstack.kafka().bootstrapServers(), Topics.INGEST.name(), r -> r);
    try {
      reader.awaitUntil(streamId, records -> records.size() > 25, Duration.ofSeconds(60));
    } finally {
      ffmpeg.destroyForcibly(); // SIGKILL: no DELETE, no DTLS close_notify, just silence
    }
    ffmpeg.waitFor(10, TimeUnit.SECONDS);
    Instant killed = Instant.now();

    List<ConsumerRecord<String, byte[]>> records = awaitSessionRecords(streamId);

    IngestControl.PublishEnded ended =
        (IngestControl.PublishEnded)
            Serdes.ingestControl()
                .deserialize(Topics.INGEST.name(), records.get(records.size() - 1).value());
    assertThat(ended.reason()).isEqualTo("timeout");
    // INGEST_IDLE_TIMEOUT is 5 s here
    assertThat(Duration.between(killed, ended.endedAt())).isLessThan(Duration.ofSeconds(8));
    // the session's transcoder went with it
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(AudioVideoCheck.transcoders()).isEmpty());
    System.out.printf(
        "WHIP publisher killed: session ended (timeout) %d ms later%n",
        Duration.between(killed, ended.endedAt()).toMillis());
    assertThat(service.whipPeers()).isZero();
  }

  private static HttpResponse<String> post(
      String streamId, String key, String contentType, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(whipUrl(streamId)))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", contentType);
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Datagrams a stranger might send to the WHIP port: random bytes, STUN binding requests with
   * unknown usernames, DTLS ClientHello-looking records, RTP-looking packets.
   */
  private static void sprayGarbage(AtomicBoolean running, AtomicLong sent) {
    Random random = new Random(11);
    try (DatagramSocket socket = new DatagramSocket()) {
      InetAddress to = InetAddress.getLoopbackAddress();
      int port = service.whipUdpPort();
      while (running.get()) {
        byte[] d = new byte[20 + random.nextInt(1200)];
        random.nextBytes(d);
        switch ((int) (sent.get() % 4)) {
          case 0 -> { // STUN binding request, magic cookie, a USERNAME of nobody
            d[0] = 0;
            d[1] = 1;
            d[2] = 0;
            d[3] = (byte) Math.min(d.length - 20, 255);
            d[4] = 0x21;
            d[5] = 0x12;
            d[6] = (byte) 0xA4;
            d[7] = 0x42;
          }
          case 1 -> d[0] = 22; // DTLS handshake content type
          case 2 -> d[0] = (byte) 0x80; // RTP version 2
          default -> {}
        }
        socket.send(new DatagramPacket(d, d.length, to, port));
        sent.incrementAndGet();
        if (sent.get() % 20 == 0) {
          // ~2000 datagrams a second at most: a nuisance, not a flood
          Thread.onSpinWait();
          java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Every hls.ingest record of {@code streamId}, once its PublishEnded has arrived. */
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
