package io.hlspipeline.ingest.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hlspipeline.events.ingest.IngestHeaders;
import io.hlspipeline.events.ingest.IngestRecordKind;
import io.hlspipeline.ingest.publish.IngestPublisher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class PublishSessionsTest {
  private final MockProducer<String, byte[]> producer =
      new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
  private final PublishSessions sessions =
      new PublishSessions(
          new IngestPublisher(producer), new SessionIds(Clock.systemUTC()), Clock.systemUTC(), 2);

  @Test
  void open_whileAnotherStreamsSendIsBlocked_isNotDelayed() throws Exception {
    BlockingPublisherGate gate = new BlockingPublisherGate();
    PublishSessions gated =
        new PublishSessions(
            gate.publisher, new SessionIds(Clock.systemUTC()), Clock.systemUTC(), 2);
    CompletableFuture<PublishSession> slow =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return gated.open("slow", "rtmp", () -> {});
              } catch (TooManyStreamsException e) {
                throw new IllegalStateException(e);
              }
            });
    assertThat(gate.slowSendEntered.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<PublishSession> fast =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                PublishSession s = gated.open("fast", "rtmp", () -> {});
                gated.end(s, "eof", false);
                return s;
              } catch (TooManyStreamsException e) {
                throw new IllegalStateException(e);
              }
            });

    assertThat(fast.get(5, TimeUnit.SECONDS).streamId()).isEqualTo("fast");
    assertThat(slow).isNotDone();
    gate.release.countDown();
    assertThat(slow.get(10, TimeUnit.SECONDS).streamId()).isEqualTo("slow");
  }

  @Test
  void endSession_endsOnlyTheNamedSessionIfItIsStillTheOpenOne() throws Exception {
    List<String> disconnected = new java.util.concurrent.CopyOnWriteArrayList<>();
    PublishSession first = sessions.open("s", "rtmp", () -> disconnected.add("first"));
    PublishSession second = sessions.open("s", "rtmp", () -> disconnected.add("second"));
    disconnected.clear();

    // a superseded record naming the session this replica already replaced: nothing to do
    assertThat(sessions.endSession("s", first.sessionId(), "replaced")).isFalse();
    assertThat(sessions.endSession("other", second.sessionId(), "replaced")).isFalse();
    assertThat(second.endedFuture()).isNotDone();

    assertThat(sessions.endSession("s", second.sessionId(), "replaced")).isTrue();
    assertThat(second.endedFuture()).isCompletedWithValue("replaced");
    assertThat(disconnected).containsExactly("second");
    assertThat(sessions.session("s")).isEmpty();
    assertThat(sessions.endSession("s", second.sessionId(), "replaced")).isFalse();
  }

  @Test
  void open_sameStream_endsTheOldSessionBeforeTheNewStarts() throws Exception {
    List<String> disconnected = new java.util.concurrent.CopyOnWriteArrayList<>();
    PublishSession first = sessions.open("s", "rtmp", () -> disconnected.add("first"));
    first.sendChunk(new byte[188]);
    PublishSession second = sessions.open("s", "http", () -> disconnected.add("second"));

    assertThat(first.endedFuture()).isCompletedWithValue("replaced");
    assertThat(disconnected).containsExactly("first");
    assertThat(first.sendChunk(new byte[188])).isFalse();
    assertThat(producer.history())
        .extracting(r -> IngestHeaders.kindOf(r.headers()).orElseThrow())
        .containsExactly(
            IngestRecordKind.PUBLISH_STARTED,
            IngestRecordKind.CHUNK,
            IngestRecordKind.PUBLISH_ENDED,
            IngestRecordKind.PUBLISH_STARTED);
    assertThat(sessions.size()).isEqualTo(1);
    assertThat(sessions.end(second, "eof", false)).isNotNull();
    assertThat(sessions.end(second, "eof", false)).isNull();
    assertThat(sessions.size()).isZero();
  }

  @Test
  void open_pastMaxStreams_isRefusedUntilOneEnds() throws Exception {
    PublishSession a = sessions.open("a", "rtmp", () -> {});
    sessions.open("b", "rtmp", () -> {});
    assertThatThrownBy(() -> sessions.open("c", "rtmp", () -> {}))
        .isInstanceOf(TooManyStreamsException.class);
    sessions.end(a, "eof", false);
    assertThat(sessions.open("c", "rtmp", () -> {}).streamId()).isEqualTo("c");
    assertThat(sessions.endIdle(Duration.ZERO)).hasSize(2);
    assertThat(sessions.size()).isZero();
  }

  @Test
  void streamBytes_whilePublishing_countsEachStreamsChunks_andAcrossATakeOver() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PublishSessions metered =
        new PublishSessions(
            new IngestPublisher(producer),
            new SessionIds(Clock.systemUTC()),
            Clock.systemUTC(),
            2,
            registry);
    PublishSession a = metered.open("a", "http", () -> {});
    PublishSession b = metered.open("b", "rtmp", () -> {});
    a.sendChunk(new byte[188 * 3]);
    b.sendChunk(new byte[188]);
    assertThat(streamBytes(registry, "a").count()).isEqualTo(188 * 3);
    assertThat(streamBytes(registry, "b").count()).isEqualTo(188);

    // a new publisher of "a" takes over: the stream's counter goes on
    PublishSession a2 = metered.open("a", "whip", () -> {});
    assertThat(a.sendChunk(new byte[188])).isFalse(); // ended: not counted
    a2.sendChunk(new byte[188]);
    assertThat(streamBytes(registry, "a").count()).isEqualTo(188 * 4);
  }

  @Test
  void streamBytes_whenStreamsEnd_isRemovedFromTheRegistry() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PublishSessions metered =
        new PublishSessions(
            new IngestPublisher(producer),
            new SessionIds(Clock.systemUTC()),
            Clock.systemUTC(),
            2,
            registry);
    PublishSession kept = metered.open("kept", "rtmp", () -> {});
    kept.sendChunk(new byte[188]);
    // many short streams, ended every way a session ends: none leaves a meter behind
    for (int i = 0; i < 500; i++) {
      String streamId = "short-" + i;
      PublishSession s = metered.open(streamId, "http", () -> {});
      s.sendChunk(new byte[188]);
      assertThat(streamBytes(registry, streamId).count()).isEqualTo(188);
      switch (i % 3) {
        case 0 -> metered.end(s, "eof", false);
        case 1 -> metered.endStream(streamId, "revoked");
        default -> metered.endSession(streamId, s.sessionId(), "replaced");
      }
      assertThat(registry.find(PublishSessions.STREAM_BYTES).tag("stream", streamId).counter())
          .isNull();
    }
    assertThat(registry.find(PublishSessions.STREAM_BYTES).counters())
        .extracting(c -> c.getId().getTag("stream"))
        .containsExactly("kept");
    metered.endAll();
    assertThat(registry.find(PublishSessions.STREAM_BYTES).counters()).isEmpty();
  }

  private static Counter streamBytes(SimpleMeterRegistry registry, String streamId) {
    return registry.get(PublishSessions.STREAM_BYTES).tag("stream", streamId).counter();
  }

  /** An IngestPublisher over a producer that blocks sends of stream {@code slow} only. */
  private static final class BlockingPublisherGate {
    final CountDownLatch slowSendEntered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final MockProducer<String, byte[]> inner =
        new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    final IngestPublisher publisher =
        new IngestPublisher(
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()) {
              @Override
              public Future<RecordMetadata> send(
                  ProducerRecord<String, byte[]> record, Callback callback) {
                if ("slow".equals(record.key())) {
                  slowSendEntered.countDown();
                  try {
                    release.await(30, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
                return inner.send(record, callback);
              }
            });
  }
}
