package io.hlspipeline.edge.follow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hlspipeline.devstack.KafkaBroker;
import io.hlspipeline.devstack.SharedDevstack;
import io.hlspipeline.edge.cache.SegmentCache;
import io.hlspipeline.edge.cache.SegmentLoader;
import io.hlspipeline.edge.window.Segments;
import io.hlspipeline.edge.window.WindowKey;
import io.hlspipeline.edge.window.WindowSnapshot;
import io.hlspipeline.edge.window.WindowStore;
import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.Topics;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.kit.kafka.KafkaProps;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The follower against the real Kafka of devstack. Faults are injected into real {@link
 * KafkaConsumer}s (a subclass whose hooks run around the real calls), never a mock in place of
 * Kafka. The topic is shared with the other ITs of this JVM: each test follows its own stream id
 * and asserts on its own window or on counter deltas.
 */
class SegmentsFollowerIT {
  private static final Duration AWAIT = Duration.ofSeconds(20);

  private final String stream = "follow-it-" + UUID.randomUUID().toString().substring(0, 8);
  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final WindowStore windows =
      new WindowStore(100, 100, Duration.ofMinutes(10), Clock.systemUTC());
  private final FaultyConsumers consumers = new FaultyConsumers();

  private KafkaBroker kafka;
  private KafkaProducer<String, SegmentEvent> producer;
  private SegmentLoader loader;
  private SegmentsFollower follower;

  @BeforeEach
  void setUp() {
    kafka = SharedDevstack.kafka();
    kafka.createTopic(Topics.SEGMENTS.name(), 3, Topics.SEGMENTS.configs());
    producer =
        new KafkaProducer<>(
            KafkaProps.producer(kafka.bootstrapServers(), "follow-it"),
            new StringSerializer(),
            Serdes.segmentEvent().serializer());
    // Prefetch off: these tests are about the events, not storage.
    loader =
        new SegmentLoader(
            (key, servers) -> new byte[0],
            new SegmentCache(0, registry),
            0,
            Duration.ofMinutes(1),
            Clock.systemUTC(),
            registry);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (follower != null) {
      follower.stop();
    }
    loader.close();
    producer.close();
  }

  @Test
  void assign_whenRecordAppendedBetweenStartLookups_readsIt() throws Exception {
    // Follow window zero: every partition starts at its end. The hook appends this stream's first
    // event right after the time lookup, before the follower seeks: it is newer than the window
    // start, so it must be read.
    consumers.appendAfterTimeLookup = segment(0);
    follower = follower(Duration.ZERO);
    follower.start();

    await().atMost(AWAIT).until(() -> follower.caughtUp());
    assertThat(consumers.appended).isTrue();
    send(List.of(segment(1)));
    await().atMost(AWAIT).until(() -> msns().contains(1L));
    assertThat(msns()).containsExactly(0L, 1L);
  }

  /** Makes real {@link KafkaConsumer}s that append a record right after {@code offsetsForTimes}. */
  private final class FaultyConsumers implements SegmentsFollower.ConsumerFactory {
    final AtomicBoolean appended = new AtomicBoolean();
    volatile SegmentReady appendAfterTimeLookup;

    @Override
    public Consumer<String, SegmentEvent> create(Properties config) {
      return new KafkaConsumer<>(
          config, new StringDeserializer(), Serdes.segmentEvent().deserializer()) {
        @Override
        public Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(
            Map<TopicPartition, Long> timestampsToSearch) {
          Map<TopicPartition, OffsetAndTimestamp> found = super.offsetsForTimes(timestampsToSearch);
          SegmentReady event = appendAfterTimeLookup;
          if (event != null && appended.compareAndSet(false, true)) {
            send(List.of(event));
          }
          return found;
        }
      };
    }
  }

  // --- helpers ---

  private SegmentsFollower follower(Duration followWindow) {
    return new SegmentsFollower(
        kafka.bootstrapServers(),
        "follow-it-" + stream,
        followWindow,
        windows,
        loader,
        Clock.systemUTC(),
        registry,
        consumers);
  }

  private SegmentReady segment(long msn) {
    return Segments.segment(stream, "s", msn);
  }

  /** Sends in order and waits until Kafka has acknowledged every event. */
  private void send(List<SegmentReady> events) {
    try {
      List<Future<RecordMetadata>> acks = new ArrayList<>();
      for (SegmentReady e : events) {
        acks.add(producer.send(new ProducerRecord<>(Topics.SEGMENTS.name(), e.streamId(), e)));
      }
      for (Future<RecordMetadata> ack : acks) {
        ack.get(30, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot send " + events.size() + " events", e);
    }
  }

  private List<Long> msns() {
    return windows
        .snapshot(new WindowKey(stream, "src"))
        .map(WindowSnapshot::segments)
        .orElse(List.of())
        .stream()
        .map(SegmentReady::msn)
        .toList();
  }
}
