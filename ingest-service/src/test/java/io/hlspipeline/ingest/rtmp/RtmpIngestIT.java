package io.hlspipeline.ingest.rtmp;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.hlspipeline.media.flv.FlvToTs;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ingest-service in-process (HTTP and RTMP on port 0) against the shared real Kafka broker, with
 * Debian's ffmpeg as the RTMP broadcaster.
 */
class RtmpIngestIT {
  private static final String SECRET = "rtmp-ingest-it-secret-0123456789";
  private static final StreamKeys KEYS = new StreamKeys(SECRET);

  @TempDir static Path dir;
  private static IngestService service;
  private static PrometheusMeterRegistry registry;

  @BeforeAll
  static void startService() throws Exception {
    Assumptions.assumeTrue(Ffmpeg.installed(), "ffmpeg is not installed");
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    IngestConfig config =
        IngestConfig.fromEnv(
            Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", SharedDevstack.kafka().bootstrapServers(),
                "HTTP_BIND", "127.0.0.1",
                "HTTP_PORT", "0",
                "RTMP_BIND", "127.0.0.1",
                "RTMP_PORT", "0",
                "STREAM_KEY_SECRET", SECRET,
                "KAFKA_TOPIC_PARTITIONS", "3",
                "INGEST_MAX_STREAMS", "4",
                "INGEST_IDLE_TIMEOUT", "5s",
                "STREAM_KEY_EPOCHS", "rtmp-wrong-key=1"));
    service = new IngestService(config, registry);
    service.start();
  }

  @AfterAll
  static void stopService() throws Exception {
    if (service != null) {
      service.stop();
    }
  }

  @Test
  void ffmpegPublish_landsWithTheSourceFramesAndTimestamps_whileHostileClientsAreDisconnected()
      throws Exception {
    String streamId = "rtmp-h264";
    Path expected = dir.resolve("expected.flv");
    Path log = dir.resolve("publish.log");
    // The tee muxer sends the same FLV tags to a file and, as RTMP messages, to ingest.
    Process ffmpeg =
        Ffmpeg.start(
            log,
            Ffmpeg.testSource("320x240", 25)
                .seconds(10)
                .realTime()
                .to(
                    "-flags",
                    "+global_header",
                    "-f",
                    "tee",
                    "[f=flv]" + expected + "|[f=flv]" + rtmpUrl(KEYS.sign(streamId, 0))));
    // Meanwhile, hostile clients on the same server, each disconnected without disturbing it.
    Map<String, CompletableFuture<Duration>> hostile = new LinkedHashMap<>();
    hostile.put("chunk size 2^31-1", hostile(true, setChunkSize(0x7FFFFFFF)));
    hostile.put("message length 16 MiB", hostile(true, HUGE_MESSAGE_HEADER));
    hostile.put("AMF0 nesting bomb", hostile(true, nestingBomb()));
    hostile.put("truncated handshake", hostile(false, new byte[] {3, 0, 0, 0, 0}));
    // a 1000-byte message header and 100 of its bytes, then silence
    hostile.put(
        "stops mid-message",
        hostile(
            true,
            Arrays.copyOf(new byte[] {6, 0, 0, 0, 0, 0x03, (byte) 0xE8, 9, 1, 0, 0, 0}, 112)));
    assertThat(ffmpeg.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(ffmpeg.exitValue()).as(Ffmpeg.read(log)).isZero();
    for (Map.Entry<String, CompletableFuture<Duration>> h : hostile.entrySet()) {
      // protocol errors at once; silent clients after INGEST_IDLE_TIMEOUT (5 s)
      assertThat(h.getValue().get(30, TimeUnit.SECONDS))
          .as(h.getKey())
          .isLessThan(Duration.ofSeconds(8));
    }

    List<ConsumerRecord<String, byte[]>> records = awaitSessionRecords(streamId);

    List<IngestRecordKind> kinds = kinds(records);
    assertThat(kinds.get(0)).isEqualTo(IngestRecordKind.PUBLISH_STARTED);
    assertThat(kinds.get(kinds.size() - 1)).isEqualTo(IngestRecordKind.PUBLISH_ENDED);
    assertThat(kinds.subList(1, kinds.size() - 1))
        .isNotEmpty()
        .containsOnly(IngestRecordKind.CHUNK);
    List<IngestHeaders> headers =
        records.stream().map(r -> IngestHeaders.fromKafka(r.headers())).toList();
    assertThat(headers)
        .extracting(IngestHeaders::sequence)
        .containsExactlyElementsOf(
            java.util.stream.LongStream.range(0, records.size()).boxed().toList());
    assertThat(headers)
        .extracting(IngestHeaders::sessionId)
        .containsOnly(headers.get(0).sessionId());
    IngestControl.PublishStarted started =
        (IngestControl.PublishStarted)
            Serdes.ingestControl().deserialize(Topics.INGEST.name(), records.get(0).value());
    assertThat(started.source()).isEqualTo("rtmp");
    IngestControl.PublishEnded ended =
        (IngestControl.PublishEnded)
            Serdes.ingestControl()
                .deserialize(Topics.INGEST.name(), records.get(records.size() - 1).value());
    assertThat(ended.reason()).isEqualTo("eof");

    Path received = dir.resolve("received.ts");
    ByteArrayOutputStream concatenated = new ByteArrayOutputStream();
    records.subList(1, records.size() - 1).forEach(r -> concatenated.writeBytes(r.value()));
    Files.write(received, concatenated.toByteArray());

    Ffmpeg.Decoded decoded = Ffmpeg.decode(received);
    assertThat(decoded.exitStatus()).as(decoded.log()).isZero();
    assertThat(decoded.log()).isEmpty();
    assertThat(Ffprobe.DEBIAN.codec(received, "v")).isEqualTo("h264");
    assertThat(Ffprobe.DEBIAN.codec(received, "a")).isEqualTo("aac");
    for (String type : List.of("v", "a")) {
      // FLV timestamps are milliseconds; ours are the same instants at 90 kHz plus the offset.
      List<Ffprobe.Packet> source = Ffprobe.DEBIAN.packets(expected, type);
      List<Ffprobe.Packet> remuxed = Ffprobe.DEBIAN.packets(received, type);
      assertThat(source).as(type).hasSizeGreaterThan(type.equals("v") ? 240 : 400);
      assertThat(remuxed)
          .as(type)
          .containsExactlyElementsOf(
              source.stream()
                  .map(
                      p ->
                          new Ffprobe.Packet(
                              p.pts() * 90 + FlvToTs.TIMESTAMP_OFFSET_90K,
                              p.dts() * 90 + FlvToTs.TIMESTAMP_OFFSET_90K,
                              p.keyframe()))
                  .toList());
    }
  }

  @Test
  void enhancedRtmpHevcPublish_byFfmpeg81_landsAsH265WithTheSourceFrames() throws Exception {
    Path bin = Ffmpeg81.extract(Files.createDirectories(dir.resolve("ffmpeg81")));
    Assumptions.assumeTrue(
        bin != null, "org.bytedeco:ffmpeg linux-x86_64-gpl not on the class path");
    Ffprobe ffprobe81 = new Ffprobe(bin.resolve("ffprobe").toString());
    String streamId = "rtmp-hevc";
    Path expected = dir.resolve("expected-hevc.flv");
    Path log = dir.resolve("publish-hevc.log");
    Process ffmpeg =
        new ProcessBuilder(
                bin.resolve("ffmpeg").toString(),
                "-hide_banner",
                "-nostdin",
                "-v",
                "error",
                "-y",
                "-re",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=320x240:rate=25",
                "-re",
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=1000:sample_rate=48000",
                "-t",
                "4",
                "-map",
                "0:v",
                "-map",
                "1:a",
                "-c:v",
                "libx265",
                "-preset",
                "ultrafast",
                "-x265-params",
                "log-level=error:keyint=25:min-keyint=25:scenecut=0",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                "-b:a",
                "64k",
                "-flags",
                "+global_header",
                "-f",
                "tee",
                "[f=flv]" + expected + "|[f=flv]" + rtmpUrl(KEYS.sign(streamId, 0)))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    assertThat(ffmpeg.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(ffmpeg.exitValue()).as(Ffmpeg.read(log)).isZero();

    List<ConsumerRecord<String, byte[]>> records = awaitSessionRecords(streamId);
    assertThat(kinds(records).get(0)).isEqualTo(IngestRecordKind.PUBLISH_STARTED);
    assertThat(kinds(records).subList(1, records.size() - 1)).containsOnly(IngestRecordKind.CHUNK);
    Path received = dir.resolve("received-hevc.ts");
    ByteArrayOutputStream concatenated = new ByteArrayOutputStream();
    records.subList(1, records.size() - 1).forEach(r -> concatenated.writeBytes(r.value()));
    Files.write(received, concatenated.toByteArray());

    assertThat(ffprobe81.codec(expected, "v")).isEqualTo("hevc");
    assertThat(ffprobe81.codec(received, "v")).isEqualTo("hevc");
    assertThat(ffprobe81.codec(received, "a")).isEqualTo("aac");
    // Debian's ffmpeg decodes HEVC in MPEG-TS: what the segmenter and players get.
    Ffmpeg.Decoded decoded = Ffmpeg.decode(received);
    assertThat(decoded.exitStatus()).as(decoded.log()).isZero();
    assertThat(decoded.log()).isEmpty();
    for (String type : List.of("v", "a")) {
      List<Ffprobe.Packet> source = ffprobe81.packets(expected, type);
      assertThat(source).as(type).hasSizeGreaterThan(type.equals("v") ? 90 : 150);
      assertThat(ffprobe81.packets(received, type))
          .as(type)
          .containsExactlyElementsOf(shifted(source));
    }
  }

  /** Hostile connections that each hold as much partial-message memory as they are allowed. */
  private static final int HOLDERS = 300;

  /** Hostile connections that announce 8 MiB messages before publishing (refused at once). */
  private static final int FLOODERS = 50;

  /**
   * The stated bound: heap after GC grows by at most this while {@link #HOLDERS} connections each
   * hold their 2 × 64 KiB of partial messages (37.5 MiB between them) and {@link #FLOODERS}
   * announce 8 MiB messages, beside a good publisher. Without the pre-publish message cap the
   * flooders alone would hold 400 MiB.
   */
  private static final long HEAP_GROWTH_BOUND_BYTES = 64L * 1024 * 1024;

  @Test
  void hostileConnectionsHoldingPartialMessages_keepTheHeapAfterGcBounded_whileAGoodPublisherFlows()
      throws Exception {
    String streamId = "rtmp-heap";
    long baseline = heapAfterGc();
    Path log = dir.resolve("publish-heap.log");
    Process ffmpeg =
        Ffmpeg.start(
            log,
            Ffmpeg.testSource("320x240", 25)
                .seconds(8)
                .realTime()
                .to("-f", "flv", rtmpUrl(KEYS.sign(streamId, 0))));
    List<Socket> sockets = new java.util.ArrayList<>();
    // Holders are kept alive from the moment they hold their partials, however long setting up
    // the others takes: a byte every second, never idle for the 5 s timeout.
    List<Socket> holders = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.Set<Socket> closedHolders = java.util.concurrent.ConcurrentHashMap.newKeySet();
    java.util.concurrent.ScheduledExecutorService drip =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    drip.scheduleAtFixedRate(
        () -> {
          for (Socket holder : holders) {
            try {
              holder.getOutputStream().write(0);
            } catch (IOException e) {
              closedHolders.add(holder);
            }
          }
        },
        1,
        1,
        TimeUnit.SECONDS);
    try {
      for (int i = 0; i < HOLDERS + FLOODERS; i++) {
        Socket socket = new Socket("127.0.0.1", service.rtmpPort());
        sockets.add(socket);
        OutputStream out = socket.getOutputStream();
        out.write(3);
        out.write(new byte[1536]);
        out.flush();
        socket.getInputStream().readNBytes(1 + 2 * 1536);
        out.write(new byte[1536]);
        if (i < HOLDERS) {
          // a 64 KiB message on chunk stream 4 and its first chunk, then another on stream 5
          out.write(messageHeader(4, 64 * 1024));
          out.write(new byte[128]);
          out.write(messageHeader(5, 64 * 1024));
          out.flush();
          holders.add(socket);
        } else {
          out.write(messageHeader(4, 8 * 1024 * 1024 - 1));
          out.flush();
        }
      }
      long peak = 0;
      for (int i = 0; i < 5; i++) {
        peak = Math.max(peak, heapAfterGc());
      }
      int open = HOLDERS - closedHolders.size();
      System.out.printf(
          "RtmpIngestIT heap after GC: baseline %.1f MiB, peak %.1f MiB with %d holders open"
              + " (+%.1f MiB; bound +%d MiB)%n",
          baseline / 1048576.0,
          peak / 1048576.0,
          open,
          (peak - baseline) / 1048576.0,
          HEAP_GROWTH_BOUND_BYTES >> 20);
      assertThat(closedHolders).as("holders closed by the server").isEmpty();
      assertThat(peak - baseline).isLessThan(HEAP_GROWTH_BOUND_BYTES);
      for (int i = HOLDERS; i < sockets.size(); i++) {
        // each flooder was closed at its header: the read sees the end of the stream
        Socket flooder = sockets.get(i);
        flooder.setSoTimeout(10_000);
        byte[] rest = flooder.getInputStream().readAllBytes();
        assertThat(rest.length)
            .as("flooder %d got only S0-S2 and maybe control", i)
            .isLessThan(1000);
      }
    } finally {
      drip.shutdownNow();
      drip.awaitTermination(10, TimeUnit.SECONDS);
      for (Socket socket : sockets) {
        socket.close();
      }
    }
    assertThat(ffmpeg.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(ffmpeg.exitValue()).as(Ffmpeg.read(log)).isZero();
    List<ConsumerRecord<String, byte[]>> records = awaitSessionRecords(streamId);
    assertThat(kinds(records).get(0)).isEqualTo(IngestRecordKind.PUBLISH_STARTED);
    assertThat(kinds(records).subList(1, records.size() - 1))
        .hasSizeGreaterThan(10)
        .containsOnly(IngestRecordKind.CHUNK);
  }

  /** A type 0 chunk header of a command message of {@code length} bytes on chunk stream csid. */
  private static byte[] messageHeader(int csid, int length) {
    return new byte[] {
      (byte) csid,
      0,
      0,
      0,
      (byte) (length >> 16),
      (byte) (length >> 8),
      (byte) length,
      RtmpMessage.COMMAND_AMF0,
      0,
      0,
      0,
      0
    };
  }

  /** Heap in use right after a full collection (the pools' usage after their last GC). */
  private static long heapAfterGc() {
    System.gc();
    long used = 0;
    for (java.lang.management.MemoryPoolMXBean pool :
        java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == java.lang.management.MemoryType.HEAP
          && pool.getCollectionUsage() != null) {
        used += pool.getCollectionUsage().getUsed();
      }
    }
    return used;
  }

  /** FLV millisecond timestamps as our TS carries them: 90 kHz plus the offset. */
  private static List<Ffprobe.Packet> shifted(List<Ffprobe.Packet> flv) {
    return flv.stream()
        .map(
            p ->
                new Ffprobe.Packet(
                    p.pts() * 90 + FlvToTs.TIMESTAMP_OFFSET_90K,
                    p.dts() * 90 + FlvToTs.TIMESTAMP_OFFSET_90K,
                    p.keyframe()))
        .toList();
  }

  @Test
  void wrongOrRevokedKey_ffmpegReportsTheErrorPromptly_nothingReachesKafka_noKeyIsLogged()
      throws Exception {
    String streamId = "rtmp-wrong-key"; // at key epoch 1 (STREAM_KEY_EPOCHS)
    String forged = streamId + "." + KEYS.sign("other-stream", 1).split("\\.")[1];
    String revoked = KEYS.sign(streamId, 0);
    double rejectedBefore = registry.get("hls.ingest.keys.rejected").counter().count();
    // Every log line of the whole exchange is scanned for the keys at the end.
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.classic.Logger ours =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.hlspipeline");
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> captured =
        new ch.qos.logback.core.read.ListAppender<>();
    captured.start();
    ch.qos.logback.classic.Level oursLevel = ours.getLevel();
    root.addAppender(captured);
    ours.setLevel(ch.qos.logback.classic.Level.DEBUG);
    try {
      wrongOrRevokedKeyThenValid(streamId, forged, revoked, rejectedBefore);
    } finally {
      root.detachAppender(captured);
      ours.setLevel(oursLevel);
    }
    assertThat(captured.list).as("the run logged something to scan").isNotEmpty();
    for (String key : List.of(forged, revoked, KEYS.sign(streamId, 1))) {
      String signature = key.substring(key.indexOf('.') + 1);
      for (ch.qos.logback.classic.spi.ILoggingEvent e : captured.list) {
        StringBuilder text = new StringBuilder(e.getFormattedMessage());
        e.getMDCPropertyMap().values().forEach(text::append);
        for (var t = e.getThrowableProxy(); t != null; t = t.getCause()) {
          text.append(t.getMessage());
        }
        assertThat(text.toString())
            .as("log line of %s", e.getLoggerName())
            .doesNotContain(signature);
      }
    }
  }

  private void wrongOrRevokedKeyThenValid(
      String streamId, String forged, String revoked, double rejectedBefore) throws Exception {
    for (String key : List.of(forged, revoked)) {
      Path log = dir.resolve("wrong-key.log");
      long startNanos = System.nanoTime();
      Process ffmpeg =
          Ffmpeg.start(
              log,
              Ffmpeg.testSource("320x240", 25)
                  .seconds(30)
                  .realTime()
                  .to("-f", "flv", rtmpUrl(key)));
      assertThat(ffmpeg.waitFor(15, TimeUnit.SECONDS)).as("ffmpeg gave up").isTrue();
      Duration took = Duration.ofNanos(System.nanoTime() - startNanos);

      assertThat(ffmpeg.exitValue()).isNotZero();
      assertThat(Ffmpeg.read(log)).contains("Server error: invalid stream key");
      assertThat(took).isLessThan(Duration.ofSeconds(10));
    }
    assertThat(registry.get("hls.ingest.keys.rejected").counter().count())
        .isEqualTo(rejectedBefore + 2);

    // The same stream then publishes with its current key: its partition holds one session only.
    Ffmpeg.run(
        Duration.ofSeconds(60),
        Ffmpeg.testSource("320x240", 25)
            .seconds(1)
            .to("-f", "flv", rtmpUrl(KEYS.sign(streamId, 1))));
    List<ConsumerRecord<String, byte[]>> records = awaitSessionRecords(streamId);
    assertThat(kinds(records).get(0)).isEqualTo(IngestRecordKind.PUBLISH_STARTED);
    assertThat(records)
        .extracting(r -> IngestHeaders.fromKafka(r.headers()).sessionId())
        .containsOnly(IngestHeaders.fromKafka(records.get(0).headers()).sessionId());
  }

  /** A type 0 chunk header announcing a 16 MiB - 1 video message (fmt 0, chunk stream 6). */
  private static final byte[] HUGE_MESSAGE_HEADER = {
    0x06, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 9, 1, 0, 0, 0
  };

  private static byte[] setChunkSize(long size) {
    return ChunkEncoder.control(RtmpMessage.SET_CHUNK_SIZE, size, 128);
  }

  /** A command message of 2000 nested one-element strict arrays (10 kB, in 128-byte chunks). */
  private static byte[] nestingBomb() {
    byte[] amf = new byte[2000 * 5];
    for (int i = 0; i < 2000; i++) {
      amf[i * 5] = 0x0A;
      amf[i * 5 + 4] = 1;
    }
    return ChunkEncoder.encode(3, RtmpMessage.COMMAND_AMF0, 0, amf, 128);
  }

  /**
   * Connects, does the handshake if asked, sends {@code bytes}, then waits for the server to close.
   *
   * @return how long after sending the server closed the connection
   */
  private static CompletableFuture<Duration> hostile(boolean handshake, byte[] bytes) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (Socket socket = new Socket("127.0.0.1", service.rtmpPort())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            if (handshake) {
              out.write(3); // C0
              out.write(new byte[1536]); // C1
              out.flush();
              assertThat(in.readNBytes(1 + 2 * 1536)).hasSize(1 + 2 * 1536); // S0 S1 S2
              out.write(new byte[1536]); // C2
            }
            out.write(bytes);
            out.flush();
            long sentNanos = System.nanoTime();
            while (in.read() != -1) {
              // nothing is expected before the close
            }
            return Duration.ofNanos(System.nanoTime() - sentNanos);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  private static String rtmpUrl(String key) {
    return "rtmp://127.0.0.1:" + service.rtmpPort() + "/live/" + key;
  }

  private static List<IngestRecordKind> kinds(List<ConsumerRecord<String, byte[]>> records) {
    return records.stream().map(r -> IngestHeaders.kindOf(r.headers()).orElseThrow()).toList();
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
