package io.hlspipeline.ingest.keys;

import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.Topics;
import io.hlspipeline.events.json.JsonSerde;
import io.hlspipeline.events.keys.KeyEpoch;
import io.hlspipeline.kit.kafka.KafkaProps;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each stream's current stream-key epoch on this ingest replica: the larger of the configured one
 * ({@code STREAM_KEY_EPOCHS}) and the newest {@link KeyEpoch} of the compacted topic {@code
 * hls.keys.epochs}, which every replica reads whole, without a consumer group, from the beginning
 * and then follows (a raise takes effect on every replica within one poll, ~0.1 s). {@link
 * #catchUp()} reads up to the end offsets present when it is called, so a restarted replica never
 * accepts a key revoked before it started. When a stream's epoch rises, {@code onRaised} is called
 * (on the follower thread) to disconnect its publisher. Thread-safe.
 */
public final class KeyEpochFollower implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KeyEpochFollower.class);
  private static final Duration POLL = Duration.ofMillis(100);

  private final KeyEpochs configured;
  private final BiConsumer<String, Long> onRaised;
  private final KafkaConsumer<String, byte[]> consumer;
  private final JsonSerde<KeyEpoch> serde = Serdes.keyEpoch();
  private final Map<String, Long> followed = new ConcurrentHashMap<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private volatile Thread thread;
  private volatile boolean caughtUp;
  private volatile boolean closed;

  private record Waiter(String streamId, long epoch, CompletableFuture<Long> done) {}

  /**
   * @param onRaised called with (streamId, new epoch) when a followed epoch raises a stream's
   *     effective epoch after {@link #catchUp()}; must not throw
   */
  public KeyEpochFollower(
      String bootstrapServers, KeyEpochs configured, BiConsumer<String, Long> onRaised) {
    this.configured = configured;
    this.onRaised = onRaised;
    Properties p =
        KafkaProps.assignedConsumer(
            bootstrapServers, "ingest-key-epochs-" + UUID.randomUUID().toString().substring(0, 8));
    this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * Reads the topic from its beginning up to the end offsets it has now, then follows it on a
   * thread of its own. Call once, after the topic exists.
   *
   * @throws org.apache.kafka.common.KafkaException when Kafka cannot be read (the caller retries)
   */
  public synchronized void catchUp() {
    if (caughtUp) {
      return;
    }
    List<TopicPartition> partitions = new ArrayList<>();
    consumer
        .partitionsFor(Topics.KEY_EPOCHS.name(), Duration.ofSeconds(10))
        .forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!reached(end)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("could not read " + Topics.KEY_EPOCHS.name() + " in 30 s");
      }
      for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
        apply(r, false);
      }
    }
    caughtUp = true;
    log.info("stream-key epochs: {} streams from {}", followed.size(), Topics.KEY_EPOCHS.name());
    thread = new Thread(this::follow, "ingest-key-epochs");
    thread.setDaemon(true);
    thread.start();
  }

  private boolean reached(Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey(), Duration.ofSeconds(10)) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@link #catchUp()} has completed (ingest is not ready before). */
  public boolean caughtUp() {
    return caughtUp;
  }

  /** The epoch keys of {@code streamId} must be signed with now. */
  public long epochOf(String streamId) {
    return Math.max(configured.epochOf(streamId), followed.getOrDefault(streamId, 0L));
  }

  /** Completes when this replica verifies {@code streamId} with at least {@code epoch}. */
  public CompletableFuture<Long> awaitEpoch(String streamId, long epoch) {
    CompletableFuture<Long> done = new CompletableFuture<>();
    synchronized (waiters) {
      if (epochOf(streamId) >= epoch) {
        done.complete(epochOf(streamId));
      } else {
        waiters.add(new Waiter(streamId, epoch, done));
      }
    }
    return done;
  }

  private void follow() {
    try {
      while (!closed) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
          apply(r, true);
        }
      }
    } catch (WakeupException e) {
      // close()
    } catch (RuntimeException e) {
      if (!closed) {
        log.error(
            "stopped following {}; key revocations no longer apply here",
            Topics.KEY_EPOCHS.name(),
            e);
      }
    }
  }

  private void apply(ConsumerRecord<String, byte[]> r, boolean notify) {
    if (r.value() == null) {
      return; // a tombstone: compaction may drop it, epochs never go down
    }
    KeyEpoch e;
    try {
      e = serde.deserialize(r.topic(), r.value());
    } catch (SerializationException ex) {
      log.warn("skipping an undecodable record at offset {}: {}", r.offset(), ex.getMessage());
      return;
    }
    long before = epochOf(e.streamId());
    followed.merge(e.streamId(), e.epoch(), Math::max);
    long after = epochOf(e.streamId());
    if (notify && after > before) {
      log.info("stream {}: key epoch raised to {}, older keys revoked", e.streamId(), after);
      onRaised.accept(e.streamId(), after);
    }
    synchronized (waiters) {
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (epochOf(w.streamId()) >= w.epoch()) {
          w.done().complete(epochOf(w.streamId()));
          it.remove();
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    Thread t = thread;
    if (t != null) {
      consumer.wakeup();
      try {
        t.join(Duration.ofSeconds(5).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    consumer.close(Duration.ofSeconds(2));
  }
}
