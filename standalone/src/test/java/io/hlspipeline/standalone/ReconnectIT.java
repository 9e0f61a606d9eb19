package io.hlspipeline.standalone;

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
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.segments.StreamEnded;
import io.hlspipeline.events.state.SegmenterState;
import io.hlspipeline.ingest.IngestConfig;
import io.hlspipeline.ingest.IngestService;
import io.hlspipeline.kit.metrics.Metrics;
import io.hlspipeline.segmenter.SegmenterConfig;
import io.hlspipeline.segmenter.SegmenterService;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reconnects and take-overs across two ingest replicas (in-process, as behind a load balancer) and
 * a segmenter, on the shared real Kafka and S3 server, with Debian's ffmpeg publishing over RTMP: a
 * publisher cut off (SIGKILL) on replica a and back on replica b within the reconnect grace
 * continues the stream; one that does not come back ends it when the grace runs out, also when the
 * segmenter is replaced while it waits; a second publisher on b while the first still pushes on a
 * takes over and the first is stopped.
 */
class ReconnectIT {
  private static final String SECRET = "reconnect-it-secret-0123456789abcdef";
  private static final Duration GRACE = Duration.ofSeconds(5);
  private static final Duration SUPERSEDE_BOUND = Duration.ofSeconds(5);
  private static final StreamKeys KEYS = new StreamKeys(SECRET);

  @TempDir static Path dir;
  private static IngestService a;
  private static IngestService b;
  private static SegmenterService segmenter;

  @BeforeAll
  static void start() throws Exception {
    Assumptions.assumeTrue(Ffmpeg.installed(), "ffmpeg is not installed");
    segmenter = segmenter();
    a = replica("a");
    b = replica("b");
  }

  private static SegmenterService segmenter() throws Exception {
    SegmenterService s =
        new SegmenterService(
            SegmenterConfig.fromEnv(
                Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", SharedDevstack.kafka().bootstrapServers(),
                    "HTTP_BIND", "127.0.0.1",
                    "HTTP_PORT", "0",
                    "S3_ENDPOINTS", SharedDevstack.s3(0).endpointSpec("reconnect-it"),
                    "KAFKA_TOPIC_PARTITIONS", "3",
                    "SEGMENT_TARGET_DURATION", "1s",
                    "HLS_PART_TARGET", "0s",
                    "SEGMENTER_RECONNECT_GRACE", GRACE.toSeconds() + "s")),
            Metrics.newRegistry("segmenter"));
    s.start();
    return s;
  }

  private static IngestService replica(String name) throws Exception {
    IngestService s =
        new IngestService(
            IngestConfig.fromEnv(
                Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", SharedDevstack.kafka().bootstrapServers(),
                    "HTTP_BIND", "127.0.0.1",
                    "HTTP_PORT", "0",
                    "ADMIN_PORT", "0",
                    "RTMP_BIND", "127.0.0.1",
                    "RTMP_PORT", "0",
                    "STREAM_KEY_SECRET", SECRET,
                    "KAFKA_TOPIC_PARTITIONS", "3",
                    "SEGMENT_TARGET_DURATION", "1s")),
            Metrics.newRegistry("ingest-" + name));
    s.start();
    return s;
  }

  @AfterAll
  static void stop() throws Exception {
    for (var s : new io.hlspipeline.kit.lifecycle.Lifecycle[] {a, b, segmenter}) {
      if (s != null) {
        s.stop();
      }
    }
  }

  @Test
  void cutOffOnOneReplica_backOnTheOtherWithinTheGrace_continuesTheStream() throws Exception {
    String streamId = "reconnect-cam";
    Process first = publish(a, streamId, 60, "first");
    try {
      awaitSegments(streamId, 2);
    } finally {
      first.destroyForcibly(); // SIGKILL: no FCUnpublish, the TCP connection just drops
      first.waitFor(10, TimeUnit.SECONDS);
    }
    Process second = publish(b, streamId, 5, "second");
    assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();

    List<SegmentEvent> events = awaitStreamEnded(streamId);
    List<IngestControl> controls = controls(streamId);
    IngestControl.PublishEnded dropped = (IngestControl.PublishEnded) controls.get(1);
    IngestControl.PublishStarted reconnected = (IngestControl.PublishStarted) controls.get(2);
    System.out.printf(
        "ReconnectIT: reconnect %d ms after the drop (grace %s)%n",
        Duration.between(dropped.endedAt(), reconnected.startedAt()).toMillis(), GRACE);
    assertThat(dropped.reason()).isEqualTo("error");

    List<SegmentReady> segments = segmentsOf(events);
    assertThat(events.stream().filter(StreamEnded.class::isInstance)).hasSize(1);
    assertThat(events.get(events.size() - 1)).isInstanceOf(StreamEnded.class);
    assertContiguousFromZero(segments);
    List<String> sessions = sessionsInOrder(segments);
    assertThat(sessions)
        .containsExactly(dropped.sessionId(), reconnected.sessionId())
        .doesNotHaveDuplicates();
    SegmentReady firstOfSecond = firstOf(segments, reconnected.sessionId());
    assertThat(firstOfSecond.discontinuity()).isTrue();
    assertThat(firstOfSecond.discontinuitySequence())
        .isEqualTo(segments.get(0).discontinuitySequence() + 1);
    StreamEnded ended = (StreamEnded) events.get(events.size() - 1);
    assertThat(ended.sessionId()).isEqualTo(reconnected.sessionId());
    assertThat(ended.lastMsn()).isEqualTo(segments.get(segments.size() - 1).msn());
  }

  @Test
  void cutOffAndNotBack_endsTheStreamWhenTheGraceRunsOut() throws Exception {
    String streamId = "gone-cam";
    Process only = publish(a, streamId, 60, "gone");
    try {
      awaitSegments(streamId, 2);
    } finally {
      only.destroyForcibly();
      only.waitFor(10, TimeUnit.SECONDS);
    }
    List<SegmentEvent> events = awaitStreamEnded(streamId);
    Instant seen = Instant.now();
    IngestControl.PublishEnded dropped = (IngestControl.PublishEnded) controls(streamId).get(1);
    StreamEnded ended = (StreamEnded) events.get(events.size() - 1);
    System.out.printf(
        "ReconnectIT: StreamEnded read %d ms after the drop (grace %s)%n",
        Duration.between(dropped.endedAt(), seen).toMillis(), GRACE);
    assertThat(events.stream().filter(StreamEnded.class::isInstance)).hasSize(1);
    // the end is the grace's expiry, from the records alone (a replay publishes the same instant)
    assertThat(ended.endedAt()).isEqualTo(dropped.endedAt().plus(GRACE));
    assertThat(seen).isAfterOrEqualTo(ended.endedAt());
    assertThat(ended.sessionId()).isEqualTo(dropped.sessionId());
    assertThat(ended.lastMsn())
        .isEqualTo(segmentsOf(events).get(segmentsOf(events).size() - 1).msn());
  }

  @Test
  void segmenterReplacedWhileTheStreamAwaitsAReconnect_theNewOneEndsItAtTheSameInstant()
      throws Exception {
    String streamId = "handover-cam";
    Process only = publish(a, streamId, 60, "handover");
    try {
      awaitSegments(streamId, 2);
    } finally {
      only.destroyForcibly();
      only.waitFor(10, TimeUnit.SECONDS);
    }
    // the drop is committed in the stream's state (awaiting until graceUntil) ...
    SegmenterState awaiting =
        states()
            .awaitUntil(
                streamId,
                st -> !st.isEmpty() && st.get(st.size() - 1).graceUntil() != null,
                Duration.ofSeconds(30))
            .stream()
            .reduce((x, y) -> y)
            .orElseThrow();
    // ... and the segmenter holding it stops before the grace runs out; another one takes over
    segmenter.stop();
    Instant stoppedAt = Instant.now();
    assertThat(segmentEnds(streamId))
        .as("the first segmenter stopped before ending the stream (stopped at %s)", stoppedAt)
        .isZero();
    segmenter = segmenter();

    List<SegmentEvent> events = awaitStreamEnded(streamId);
    IngestControl.PublishEnded dropped = (IngestControl.PublishEnded) controls(streamId).get(1);
    System.out.printf(
        "ReconnectIT: segmenter stopped %d ms before the grace ran out; the next one ended the"
            + " stream%n",
        Duration.between(stoppedAt, awaiting.graceUntil()).toMillis());
    assertThat(awaiting.graceUntil()).isEqualTo(dropped.endedAt().plus(GRACE));
    assertThat(events.stream().filter(StreamEnded.class::isInstance)).hasSize(1);
    StreamEnded ended = (StreamEnded) events.get(events.size() - 1);
    assertThat(ended.endedAt()).isEqualTo(awaiting.graceUntil());
    assertThat(ended.sessionId()).isEqualTo(dropped.sessionId());
    List<SegmentReady> segments = segmentsOf(events);
    assertContiguousFromZero(segments);
    assertThat(ended.lastMsn()).isEqualTo(segments.get(segments.size() - 1).msn());
  }

  @Test
  void secondPublisherOnTheOtherReplica_takesOver_andTheFirstIsStopped() throws Exception {
    String streamId = "takeover-cam";
    Path firstLog = dir.resolve("takeover-first.log");
    Process first = publish(a, streamId, 60, "takeover-first");
    Process second = null;
    try {
      awaitSegments(streamId, 2);
      second = publish(b, streamId, 6, "takeover-second");
      // the first publisher is told why and disconnected: ffmpeg exits on its own
      assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      first.destroyForcibly();
      if (second != null) {
        second.destroyForcibly();
      }
    }
    List<SegmentEvent> events = awaitStreamEnded(streamId);
    List<IngestControl> controls = controls(streamId);
    IngestControl.PublishStarted firstStarted = (IngestControl.PublishStarted) controls.get(0);
    IngestControl.PublishStarted secondStarted =
        controls.stream()
            .filter(IngestControl.PublishStarted.class::isInstance)
            .map(IngestControl.PublishStarted.class::cast)
            .filter(s -> !s.sessionId().equals(firstStarted.sessionId()))
            .findFirst()
            .orElseThrow();
    IngestControl.PublishEnded firstEnded =
        controls.stream()
            .filter(IngestControl.PublishEnded.class::isInstance)
            .map(IngestControl.PublishEnded.class::cast)
            .filter(e -> e.sessionId().equals(firstStarted.sessionId()))
            .findFirst()
            .orElseThrow();
    Duration stoppedAfter = Duration.between(secondStarted.startedAt(), firstEnded.endedAt());
    System.out.printf(
        "ReconnectIT: first publisher stopped %d ms after the second one's PublishStarted"
            + " (bound %s)%n",
        stoppedAfter.toMillis(), SUPERSEDE_BOUND);
    assertThat(firstEnded.reason()).isEqualTo("replaced");
    assertThat(stoppedAfter).isLessThanOrEqualTo(SUPERSEDE_BOUND);
    assertThat(Ffmpeg.read(firstLog)).contains("replaced by a newer publisher");

    List<SegmentReady> segments = segmentsOf(events);
    assertThat(events.stream().filter(StreamEnded.class::isInstance)).hasSize(1);
    assertThat(events.get(events.size() - 1)).isInstanceOf(StreamEnded.class);
    assertContiguousFromZero(segments);
    // never interleaved: the first session's segments, then only the second's
    assertThat(sessionsInOrder(segments))
        .containsExactly(firstStarted.sessionId(), secondStarted.sessionId());
    assertThat(firstOf(segments, secondStarted.sessionId()).discontinuity()).isTrue();
  }

  /** ffmpeg publishing {@code seconds} of a 1 s GOP test pattern in real time over RTMP. */
  private static Process publish(IngestService to, String streamId, int seconds, String name)
      throws Exception {
    return Ffmpeg.start(
        dir.resolve(name + ".log"),
        Ffmpeg.testSource("320x240", 25)
            .seconds(seconds)
            .gopFrames(25)
            .realTime()
            .to(
                "-f",
                "flv",
                "rtmp://127.0.0.1:" + to.rtmpPort() + "/live/" + KEYS.sign(streamId, 0)));
  }

  private static void awaitSegments(String streamId, int n) {
    await("segments of " + streamId)
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> segmentsOf(segments().readToEnd(streamId, Duration.ofMillis(200))).size() >= n);
  }

  private static List<SegmentEvent> awaitStreamEnded(String streamId) {
    return segments()
        .awaitUntil(
            streamId,
            events -> !events.isEmpty() && events.get(events.size() - 1) instanceof StreamEnded,
            Duration.ofSeconds(90));
  }

  private static long segmentEnds(String streamId) {
    return segments().readToEnd(streamId, Duration.ofMillis(200)).stream()
        .filter(StreamEnded.class::isInstance)
        .count();
  }

  private static TopicReader<SegmenterState> states() {
    return TopicReader.committed(
        SharedDevstack.kafka().bootstrapServers(),
        Topics.SEGMENTER_STATE.name(),
        r -> Serdes.segmenterState().deserialize(r.topic(), r.value()));
  }

  private static TopicReader<SegmentEvent> segments() {
    return TopicReader.committed(
        SharedDevstack.kafka().bootstrapServers(),
        Topics.SEGMENTS.name(),
        r -> Serdes.segmentEvent().deserialize(r.topic(), r.value()));
  }

  /** The stream's PublishStarted / PublishEnded records on hls.ingest, in order. */
  private static List<IngestControl> controls(String streamId) {
    List<IngestControl> out = new ArrayList<>();
    for (Optional<IngestControl> c :
        TopicReader.of(
                SharedDevstack.kafka().bootstrapServers(),
                Topics.INGEST.name(),
                ReconnectIT::control)
            .readToEnd(streamId, Duration.ofMillis(200))) {
      c.ifPresent(out::add);
    }
    return out;
  }

  private static Optional<IngestControl> control(ConsumerRecord<String, byte[]> r) {
    IngestHeaders h = IngestHeaders.fromKafka(r.headers());
    if (h.kind() == IngestRecordKind.CHUNK) {
      return Optional.empty();
    }
    return Optional.of(Serdes.ingestControl().deserialize(r.topic(), r.value()));
  }

  private static List<SegmentReady> segmentsOf(List<SegmentEvent> events) {
    return events.stream()
        .filter(SegmentReady.class::isInstance)
        .map(SegmentReady.class::cast)
        .toList();
  }

  private static void assertContiguousFromZero(List<SegmentReady> segments) {
    for (int i = 0; i < segments.size(); i++) {
      assertThat(segments.get(i).msn()).as("msn of segment %d", i).isEqualTo(i);
    }
  }

  /** Session ids in segment order, each run of one session collapsed to one entry. */
  private static List<String> sessionsInOrder(List<SegmentReady> segments) {
    List<String> runs = new ArrayList<>();
    for (SegmentReady s : segments) {
      if (runs.isEmpty() || !runs.get(runs.size() - 1).equals(s.sessionId())) {
        runs.add(s.sessionId());
      }
    }
    assertThat(new LinkedHashSet<>(runs)).hasSameSizeAs(runs);
    return runs;
  }

  private static SegmentReady firstOf(List<SegmentReady> segments, String sessionId) {
    return segments.stream().filter(s -> s.sessionId().equals(sessionId)).findFirst().orElseThrow();
  }
}
