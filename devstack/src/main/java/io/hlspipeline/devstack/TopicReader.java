package io.hlspipeline.devstack;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the records of one key (a stream id) from every partition of a topic, from its beginning,
 * for tests: without a consumer group, keys as UTF-8 strings, values as bytes, each record turned
 * into a {@code T} by the caller's decoder in topic order per partition.
 *
 * <p>Each call uses its own consumer; thread-safe.
 */
public final class TopicReader<T> {
  private static final Duration POLL = Duration.ofMillis(200);

  private final String bootstrapServers;
  private final String topic;
  private final boolean readCommitted;
  private final Function<ConsumerRecord<String, byte[]>, T> decoder;

  private TopicReader(
      String bootstrapServers,
      String topic,
      boolean readCommitted,
      Function<ConsumerRecord<String, byte[]>, T> decoder) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.readCommitted = readCommitted;
    this.decoder = decoder;
  }

  /** Reads {@code topic} with the default isolation ({@code read_uncommitted}). */
  public static <T> TopicReader<T> of(
      String bootstrapServers, String topic, Function<ConsumerRecord<String, byte[]>, T> decoder) {
    return new TopicReader<>(bootstrapServers, topic, false, decoder);
  }

  /** Reads {@code topic} with {@code isolation.level=read_committed}: transactional output. */
  public static <T> TopicReader<T> committed(
      String bootstrapServers, String topic, Function<ConsumerRecord<String, byte[]>, T> decoder) {
    return new TopicReader<>(bootstrapServers, topic, true, decoder);
  }

  /**
   * Polls from the beginning, keeping the records of {@code key}, until {@code done} holds for what
   * has been kept.
   *
   * @throws IllegalStateException when {@code done} does not hold within {@code atMost}
   */
  public List<T> awaitUntil(String key, Predicate<List<T>> done, Duration atMost) {
    List<T> kept = new ArrayList<>();
    long deadline = System.nanoTime() + atMost.toNanos();
    try (KafkaConsumer<String, byte[]> consumer = assignedFromBeginning()) {
      while (!done.test(kept)) {
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException(
              "records of "
                  + key
                  + " on "
                  + topic
                  + " not complete within "
                  + atMost
                  + ": "
                  + kept.size()
                  + " read");
        }
        keep(consumer.poll(POLL), key, kept);
      }
    }
    return kept;
  }

  /**
   * The records of {@code key} from the beginning up to the partitions' end offsets as they were
   * when the read began (or what could be read within 30 s), each poll waiting at most {@code
   * poll}.
   */
  public List<T> readToEnd(String key, Duration poll) {
    List<T> kept = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = assignedFromBeginning()) {
      List<TopicPartition> partitions = List.copyOf(consumer.assignment());
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
          && System.nanoTime() < deadline) {
        keep(consumer.poll(poll), key, kept);
      }
    }
    return kept;
  }

  private void keep(Iterable<ConsumerRecord<String, byte[]>> polled, String key, List<T> kept) {
    for (ConsumerRecord<String, byte[]> r : polled) {
      if (key.equals(r.key())) {
        kept.add(decoder.apply(r));
      }
    }
  }

  private KafkaConsumer<String, byte[]> assignedFromBeginning() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    if (readCommitted) {
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    }
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    try {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(i -> new TopicPartition(i.topic(), i.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      return consumer;
    } catch (RuntimeException e) {
      consumer.close();
      throw e;
    }
  }
}
