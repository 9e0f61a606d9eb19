package io.hlspipeline.segmenter.worker;

import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.Topics;
import io.hlspipeline.events.state.SegmenterState;
import io.hlspipeline.kit.kafka.KafkaProps;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the compacted {@code hls.segmenter.state} topic from its beginning to its read_committed
 * end (the last stable offset when the read starts) and keeps, per stream, the last state whose
 * {@code hls.ingest} partition is wanted. Records without a partition (older writers) are skipped:
 * they hold no exact resume point.
 */
final class SegmenterStateReader {
  private static final Logger log = LoggerFactory.getLogger(SegmenterStateReader.class);
  private static final Duration POLL = Duration.ofMillis(200);

  private SegmenterStateReader() {}

  /**
   * @param ingestPartitions the {@code hls.ingest} partitions whose streams are wanted
   * @throws TimeoutException when the end is not reached within {@code timeout}
   */
  static Map<String, SegmenterState> read(
      String bootstrap, Set<Integer> ingestPartitions, Duration timeout) {
    Properties p =
        KafkaProps.assignedConsumer(
            bootstrap, "segmenter-state-" + UUID.randomUUID().toString().substring(0, 8));
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(4 * 1024 * 1024));
    // The read ends at offsets known to exist: a fetch that finds nothing new (a partition already
    // at its end) must not wait the default 500 ms for more, which the take-over would pay.
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
    Map<String, SegmenterState> states = new HashMap<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(Topics.SEGMENTER_STATE.name(), timeout).stream()
              .map(i -> new TopicPartition(i.topic(), i.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!reached(consumer, end)) {
        if (System.nanoTime() > deadline) {
          throw new TimeoutException("hls.segmenter.state not read to its end within " + timeout);
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
          if (r.value() == null) {
            states.remove(r.key()); // a tombstone
            continue;
          }
          SegmenterState state;
          try {
            state = Serdes.segmenterState().deserialize(r.topic(), r.value());
          } catch (RuntimeException e) {
            log.warn("skipping undecodable state record at {}-{}", r.partition(), r.offset());
            continue;
          }
          if (state.ingestPartition() != null
              && ingestPartitions.contains(state.ingestPartition())) {
            states.put(state.streamId(), state);
          } else {
            states.remove(state.streamId());
          }
        }
      }
    }
    return states;
  }

  private static boolean reached(
      KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
