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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
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
            1,
            0,
            Duration.ofMinutes(1),
            Clock.systemUTC(),
            registry);
  }

  @AfterEach
  void tearDown() throws Exception {
    consumers.releaseAll();
    if (follower != null) {
      follower.stop();
    }
    loader.close();
    producer.close();
  }

  @Test
  void poll_whenConsumerFails_restartsNotReady_thenResumesWithoutLossOrRewind() throws Exception {
    follower = follower(Duration.ofHours(2));
    follower.start();
    send(List.of(segment(0)));
    await().atMost(AWAIT).until(() -> msns().equals(List.of(0L)) && follower.healthy());
    double appliedBefore = count("applied");
    double skippedBefore = count("skipped");

    consumers.holdReplacement.set(true);
    consumers.failNextPoll.set(true);
    await().atMost(AWAIT).until(() -> restarts() == 1 && consumers.replacementHeld.getCount() == 0);
    assertThat(follower.healthy()).as("healthy while its consumer is down").isFalse();
    // Produced while the follower is down: the next consumer must read it.
    send(List.of(segment(1)));
    consumers.replacementGate.countDown();

    await().atMost(AWAIT).until(() -> msns().equals(List.of(0L, 1L)) && follower.healthy());
    send(List.of(segment(2)));
    await().atMost(AWAIT).until(() -> msns().equals(List.of(0L, 1L, 2L)));

    assertThat(consumers.created).hasValue(2);
    assertThat(restarts()).isEqualTo(1);
    assertThat(count("applied") - appliedBefore)
        .as("events applied after the failure")
        .isEqualTo(2);
    // A rewound consumer would replay msn 0 (and everything before it): counted as skipped.
    assertThat(count("skipped") - skippedBefore).as("replayed events").isZero();
  }

  @Test
  void healthy_whenLaggingPastBoundAfterRestart_isFalseUntilBackWithinIt() throws Exception {
    follower = follower(Duration.ofHours(2));
    follower.start();
    send(List.of(segment(0)));
    await().atMost(AWAIT).until(() -> msns().equals(List.of(0L)) && follower.healthy());

    consumers.holdReplacement.set(true);
    consumers.failNextPoll.set(true);
    await().atMost(AWAIT).until(() -> consumers.replacementHeld.getCount() == 0);
    // More than one fetch of the partition can carry (max.partition.fetch.bytes, 1 MiB: ~2,300 of
    // these events) on top of the bound: the lag stays past it until all end offsets are known.
    int backlog = (int) SegmentsFollower.MAX_LAG_RECORDS + 6_000;
    List<SegmentReady> events = new ArrayList<>();
    for (long msn = 1; msn <= backlog; msn++) {
      events.add(segment(msn));
    }
    send(events);
    // A poll returns at most max.poll.records (500) of the backlog: hold the new consumer's next
    // poll once the end offsets of all its partitions are known, so readiness sees that lag.
    consumers.holdPollOnceLagKnown.set(true);
    consumers.replacementGate.countDown();
    await().atMost(AWAIT).until(() -> consumers.pollHeld.getCount() == 0);

    assertThat(registry.get("hls.edge.follower.lag").gauge().value())
        .isGreaterThanOrEqualTo(SegmentsFollower.MAX_LAG_RECORDS);
    assertThat(follower.healthy()).as("healthy while lagging past the bound").isFalse();
    consumers.pollGate.countDown();

    await().atMost(AWAIT).until(() -> follower.healthy());
    await().atMost(AWAIT).until(() -> msns().get(msns().size() - 1) == backlog);
    assertThat(registry.get("hls.edge.follower.lag").gauge().value())
        .isLessThan(SegmentsFollower.MAX_LAG_RECORDS);
  }

  @Test
  void assign_whenRecordAppendedBetweenStartLookups_readsIt() throws Exception {
    // Follow window zero: every partition starts at its end. The hook appends this stream's first
    // event right after the time lookup, before the follower seeks: it is newer than the window
    // start, so it must be read.
    consumers.appendAfterTimeLookup = segment(0);
    follower = follower(Duration.ZERO);
    follower.start();

    await().atMost(AWAIT).until(() -> follower.healthy());
    assertThat(consumers.appended).isTrue();
    send(List.of(segment(1)));
    await().atMost(AWAIT).until(() -> msns().contains(1L));
    assertThat(msns()).containsExactly(0L, 1L);
  }

  /**
   * Makes real {@link KafkaConsumer}s with fault hooks the tests arm: fail the next poll, hold the
   * creation of a replacement consumer, hold the next poll once the lag of every assigned partition
   * is known, append a record right after {@code offsetsForTimes}.
   */
  private final class FaultyConsumers implements SegmentsFollower.ConsumerFactory {
    final AtomicInteger created = new AtomicInteger();
    final AtomicBoolean failNextPoll = new AtomicBoolean();
    final AtomicBoolean holdReplacement = new AtomicBoolean();
    final CountDownLatch replacementHeld = new CountDownLatch(1);
    final CountDownLatch replacementGate = new CountDownLatch(1);
    final AtomicBoolean holdPollOnceLagKnown = new AtomicBoolean();
    final CountDownLatch pollHeld = new CountDownLatch(1);
    final CountDownLatch pollGate = new CountDownLatch(1);
    final AtomicBoolean appended = new AtomicBoolean();
    volatile SegmentReady appendAfterTimeLookup;

    @Override
    public Consumer<String, SegmentEvent> create(Properties config) {
      if (created.incrementAndGet() > 1 && holdReplacement.get()) {
        replacementHeld.countDown();
        awaitOpen(replacementGate);
      }
      return new KafkaConsumer<>(
          config, new StringDeserializer(), Serdes.segmentEvent().deserializer()) {
        private boolean holdThisPoll;

        @Override
        public ConsumerRecords<String, SegmentEvent> poll(Duration timeout) {
          if (holdThisPoll) {
            holdThisPoll = false;
            pollHeld.countDown();
            awaitOpen(pollGate);
          }
          if (failNextPoll.compareAndSet(true, false)) {
            throw new KafkaException("injected consumer failure");
          }
          ConsumerRecords<String, SegmentEvent> records = super.poll(timeout);
          if (lagKnown() && holdPollOnceLagKnown.compareAndSet(true, false)) {
            holdThisPoll = true;
          }
          return records;
        }

        private boolean lagKnown() {
          return !assignment().isEmpty()
              && assignment().stream().allMatch(tp -> currentLag(tp).isPresent());
        }

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

    void releaseAll() {
      replacementGate.countDown();
      pollGate.countDown();
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

  private double count(String result) {
    return registry.get("hls.edge.events").tag("result", result).counter().count();
  }

  private double restarts() {
    return registry.get("hls.edge.follower.restarts").counter().count();
  }

  private static void awaitOpen(CountDownLatch gate) {
    try {
      if (!gate.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("gate never opened");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
