package io.hlspipeline.kit.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Exposes a Kafka client's own metrics (Micrometer's {@code kafka.*} meters). Each method returns
 * the binder; close it when the client is closed so its meters are removed. {@link #bindStreams}
 * needs {@code kafka-streams} on the class path, which service-kit does not bring.
 */
public final class KafkaMetrics {
  private KafkaMetrics() {}

  public static AutoCloseable bindProducer(Producer<?, ?> producer, MeterRegistry registry) {
    KafkaClientMetrics m = new KafkaClientMetrics(producer);
    m.bindTo(registry);
    return m;
  }

  public static AutoCloseable bindConsumer(Consumer<?, ?> consumer, MeterRegistry registry) {
    KafkaClientMetrics m = new KafkaClientMetrics(consumer);
    m.bindTo(registry);
    return m;
  }

  public static AutoCloseable bindAdmin(AdminClient admin, MeterRegistry registry) {
    KafkaClientMetrics m = new KafkaClientMetrics(admin);
    m.bindTo(registry);
    return m;
  }

  public static AutoCloseable bindStreams(KafkaStreams streams, MeterRegistry registry) {
    KafkaStreamsMetrics m = new KafkaStreamsMetrics(streams);
    m.bindTo(registry);
    return m;
  }
}
