package io.hlspipeline.ingest.session;

import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.Topics;
import io.hlspipeline.events.ingest.SessionSuperseded;
import io.hlspipeline.events.json.JsonSerde;
import io.hlspipeline.kit.kafka.KafkaProps;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
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
 * Follows the compacted topic {@code hls.ingest.superseded} on every ingest replica (no consumer
 * group, read_committed) and hands each {@link SessionSuperseded} to {@code onSuperseded}, which
 * ends that session if it publishes here. It starts at the topic's end: session ids are unique and
 * a replica that just started holds no session, so older records name nothing it could stop. One
 * poll is {@link #POLL} long, so a superseded publisher is stopped within that of the segmenter's
 * commit. Thread-safe.
 */
public final class SupersededFollower implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SupersededFollower.class);
  static final Duration POLL = Duration.ofMillis(100);

  private final BiConsumer<String, String> onSuperseded;
  private final KafkaConsumer<String, byte[]> consumer;
  private final JsonSerde<SessionSuperseded> serde = Serdes.sessionSuperseded();
  private volatile Thread thread;
  private volatile boolean started;
  private volatile boolean closed;

  /**
   * @param onSuperseded called on the follower thread with (streamId, sessionId) of each superseded
   *     session; must not throw
   */
  public SupersededFollower(String bootstrapServers, BiConsumer<String, String> onSuperseded) {
    this.onSuperseded = onSuperseded;
    Properties p =
        KafkaProps.assignedConsumer(
            bootstrapServers, "ingest-superseded-" + UUID.randomUUID().toString().substring(0, 8));
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * Positions at the topic's end and follows it on a thread of its own. Call once, after the topic
   * exists.
   *
   * @throws org.apache.kafka.common.KafkaException when Kafka cannot be read (the caller retries)
   */
  public synchronized void start() {
    if (started) {
      return;
    }
    List<TopicPartition> partitions = new ArrayList<>();
    consumer
        .partitionsFor(Topics.INGEST_SUPERSEDED.name(), Duration.ofSeconds(10))
        .forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
    if (partitions.isEmpty()) {
      throw new IllegalStateException(Topics.INGEST_SUPERSEDED.name() + " has no partitions yet");
    }
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    for (TopicPartition tp : partitions) {
      consumer.position(tp, Duration.ofSeconds(10)); // resolve the end now, not at the first poll
    }
    started = true;
    thread = new Thread(this::follow, "ingest-superseded");
    thread.setDaemon(true);
    thread.start();
  }

  /** Whether {@link #start()} has completed (ingest is not ready before). */
  public boolean started() {
    return started;
  }

  private void follow() {
    try {
      while (!closed) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
          apply(r);
        }
      }
    } catch (WakeupException e) {
      // close()
    } catch (RuntimeException e) {
      if (!closed) {
        log.error(
            "stopped following {}; a superseded publisher is now only stopped by its idle timeout",
            Topics.INGEST_SUPERSEDED.name(),
            e);
      }
    }
  }

  private void apply(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      return;
    }
    SessionSuperseded s;
    try {
      s = serde.deserialize(r.topic(), r.value());
    } catch (SerializationException | IllegalArgumentException ex) {
      log.warn("skipping an undecodable record at offset {}: {}", r.offset(), ex.getMessage());
      return;
    }
    onSuperseded.accept(s.streamId(), s.sessionId());
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
