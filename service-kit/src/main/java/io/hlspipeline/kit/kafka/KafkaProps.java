package io.hlspipeline.kit.kafka;

import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Kafka client properties with the pipeline's delivery guarantees. Serializers and deserializers
 * are not set: callers pass serde instances to the client constructors. Each call returns a new
 * {@link Properties} the caller may extend.
 */
public final class KafkaProps {
  private KafkaProps() {}

  /** Idempotent producer, {@code acks=all}: no duplicates or reordering from retries. */
  public static Properties producer(String bootstrap, String clientId) {
    Properties p = common(bootstrap, clientId);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return p;
  }

  /**
   * {@link #producer} plus a {@code transactional.id}. Use a stable id per worker slot so that a
   * restarted worker fences its predecessor's open transaction.
   */
  public static Properties transactionalProducer(
      String bootstrap, String clientId, String transactionalId) {
    Properties p = producer(bootstrap, clientId);
    p.put(
        ProducerConfig.TRANSACTIONAL_ID_CONFIG,
        Objects.requireNonNull(transactionalId, "transactionalId"));
    return p;
  }

  /**
   * A consumer that commits explicitly ({@code enable.auto.commit=false}) and starts from the
   * earliest offset when its group has none.
   *
   * @param readCommitted {@code isolation.level=read_committed} when true (skips aborted and open
   *     transactions), else {@code read_uncommitted}
   */
  public static Properties consumer(
      String bootstrap, String groupId, String clientId, boolean readCommitted) {
    Properties p = common(bootstrap, clientId);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, Objects.requireNonNull(groupId, "groupId"));
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(
        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
        readCommitted ? "read_committed" : "read_uncommitted");
    return p;
  }

  /**
   * A read_committed consumer of assigned partitions: no group, nothing committed ({@code
   * enable.auto.commit=false}), the earliest offset where it has no position. For readers of a
   * whole (compacted) topic on every replica.
   */
  public static Properties assignedConsumer(String bootstrap, String clientId) {
    Properties p = common(bootstrap, clientId);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return p;
  }

  private static Properties common(String bootstrap, String clientId) {
    Properties p = new Properties();
    p.put(
        CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
        Objects.requireNonNull(bootstrap, "bootstrap"));
    p.put(CommonClientConfigs.CLIENT_ID_CONFIG, Objects.requireNonNull(clientId, "clientId"));
    return p;
  }
}
